"""Organisations carry a version, bumped by each edit (optimistic concurrency).

Revision ID: members_0007
Revises: members_0006
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision, down_revision = "members_0007", "members_0006"
branch_labels = depends_on = None


def upgrade():
    op.add_column("organisations", sa.Column("version", sa.Integer(), nullable=False,
                                             server_default="1"))


def downgrade():
    with op.batch_alter_table("organisations") as batch:
        batch.drop_column("version")
