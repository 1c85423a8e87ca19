"""The organisations notifications names keep the version of their name
(members.organisation_updated).

Revision ID: notifications_0004
Revises: notifications_0003
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision, down_revision = "notifications_0004", "notifications_0003"
branch_labels = depends_on = None


def upgrade():
    op.add_column("organisations", sa.Column("version", sa.Integer()))


def downgrade():
    with op.batch_alter_table("organisations") as batch:
        batch.drop_column("version")
