"""E-mail addresses confirmed by mail: when an account's address was confirmed, and the
links mailed to confirm an address (at sign-up) or to move the account to a new one.

Revision ID: members_0008
Revises: members_0007
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision, down_revision = "members_0008", "members_0007"
branch_labels = depends_on = None


def upgrade():
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("email_verified_at", sa.DateTime(timezone=True)))
    op.create_table(
        "email_tokens",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("account_id", sa.String(36), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("purpose", sa.String(20), nullable=False),
        sa.Column("new_email", sa.String(254)),
        sa.Column("old_email", sa.String(254)),
        sa.Column("token_digest", sa.String(64), unique=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_email_tokens_account_id", "email_tokens", ["account_id"])


def downgrade():
    op.drop_index("ix_email_tokens_account_id", table_name="email_tokens")
    op.drop_table("email_tokens")
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("email_verified_at")
