"""A funder account names its funder: it reads that funder's view of the reports.

Revision ID: members_0006
Revises: members_0005
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision, down_revision = "members_0006", "members_0005"
branch_labels = depends_on = None


def upgrade():
    op.add_column("accounts", sa.Column("funder", sa.String(200), nullable=True))


def downgrade():
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("funder")
