"""Contributions remember the account that made them.

Revision ID: funding_0002
Revises: funding_0001
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = "funding_0002"
down_revision = "funding_0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("contributions") as batch:
        batch.add_column(sa.Column("contributor_account_id", sa.String(36)))
        batch.create_index("ix_contributions_contributor_account_id", ["contributor_account_id"])


def downgrade():
    with op.batch_alter_table("contributions") as batch:
        batch.drop_index("ix_contributions_contributor_account_id")
        batch.drop_column("contributor_account_id")
