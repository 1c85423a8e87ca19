"""Funding keeps an investor's recent failed attempts at the knowledge test: after three
within 24 hours the test is refused until the oldest of them is a day old.

Revision ID: funding_0008
Revises: funding_0007
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = "funding_0008"
down_revision = "funding_0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("investor_profiles") as batch:
        batch.add_column(sa.Column("knowledge_test_failures", sa.JSON, nullable=False,
                                   server_default="[]"))


def downgrade():
    with op.batch_alter_table("investor_profiles") as batch:
        batch.drop_column("knowledge_test_failures")
