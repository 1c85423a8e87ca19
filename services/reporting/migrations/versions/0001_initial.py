"""Event archive, summary projection, and the messaging tables.

Revision ID: reporting_0001
Revises:
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

from shared.migrations import create_messaging_tables_v1, drop_messaging_tables_v1

revision = "reporting_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "event_archive",
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("source", sa.String(50), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("correlation_id", sa.String(64)),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_event_archive_type", "event_archive", ["type"])
    op.create_index("ix_event_archive_occurred_at", "event_archive", ["occurred_at"])
    summary = op.create_table(
        "summary",
        sa.Column("id", sa.String(20), primary_key=True),
        sa.Column("organisations", sa.Integer, nullable=False),
        sa.Column("projects", sa.Integer, nullable=False),
        sa.Column("campaigns", sa.Integer, nullable=False),
        sa.Column("contributions", sa.Integer, nullable=False),
        sa.Column("amount_raised_cents", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(summary, [{"id": "platform", "organisations": 0, "projects": 0,
                              "campaigns": 0, "contributions": 0, "amount_raised_cents": 0}])
    create_messaging_tables_v1(op)


def downgrade():
    drop_messaging_tables_v1(op)
    op.drop_table("summary")
    op.drop_table("event_archive")
