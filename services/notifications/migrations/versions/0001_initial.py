"""Notifications: what it knows of accounts, memberships, campaigns and contributions,
the mails (one per fact), and the messaging tables.

Revision ID: notifications_0001
Revises:
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from shared.migrations import create_messaging_tables_v1, drop_messaging_tables_v1

revision = "notifications_0001"
down_revision = None
branch_labels = None
depends_on = None

Id = sa.String(36)
When = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "accounts",
        sa.Column("id", Id, primary_key=True),
        sa.Column("organisation_id", Id),
        sa.Column("roles", sa.String(200), nullable=False),
        sa.Column("erased_at", When),
    )
    op.create_index("ix_accounts_organisation_id", "accounts", ["organisation_id"])
    op.create_table(
        "organisations",
        sa.Column("id", Id, primary_key=True),
        sa.Column("name", sa.String(200)),
    )
    op.create_table(
        "memberships",
        sa.Column("id", Id, primary_key=True),
        sa.Column("organisation_id", Id, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("dues_cents", sa.Integer),
        sa.Column("paid_cents", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20)),
        sa.Column("activated_at", When),
    )
    op.create_index("ix_memberships_organisation_id", "memberships", ["organisation_id"])
    op.create_table(
        "campaigns",
        sa.Column("id", Id, primary_key=True),
        sa.Column("title", sa.String(200)),
        sa.Column("deadline", When),
        sa.Column("outcome", sa.String(20)),
        sa.Column("decided_at", When),
        sa.Column("raised_cents", sa.BigInteger),
    )
    op.create_table(
        "contributions",
        sa.Column("id", Id, primary_key=True),
        sa.Column("campaign_id", Id),
        sa.Column("account_id", Id),
        sa.Column("kind", sa.String(20)),
        sa.Column("model", sa.String(20)),
        sa.Column("amount_cents", sa.Integer, nullable=False),
        sa.Column("status_when_confirmed", sa.String(20)),
        sa.Column("confirmed_at", When),
        sa.Column("matched_cents", sa.Integer, nullable=False),
        sa.Column("reflection_ends_at", When),
        sa.Column("ended", sa.String(20)),
        sa.Column("ended_reason", sa.String(40)),
        sa.Column("ended_at", When),
        sa.Column("receipt_number", sa.String(40)),
    )
    op.create_index("ix_contributions_campaign_id", "contributions", ["campaign_id"])
    op.create_index("ix_contributions_account_id", "contributions", ["account_id"])
    op.create_table(
        "messages",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("account_id", Id, nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("text_body", sa.Text, nullable=False),
        sa.Column("html_body", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.Column("next_attempt_at", When, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("sent_at", When),
        sa.Column("last_error", sa.Text),
    )
    op.create_index("ix_messages_account_id", "messages", ["account_id"])
    op.create_index("ix_messages_pending", "messages", ["next_attempt_at"],
                    postgresql_where=sa.text("status = 'pending'"),
                    sqlite_where=sa.text("status = 'pending'"))
    create_messaging_tables_v1(op)


def downgrade():
    drop_messaging_tables_v1(op)
    for table in ("messages", "contributions", "campaigns", "memberships", "organisations",
                  "accounts"):
        op.drop_table(table)
