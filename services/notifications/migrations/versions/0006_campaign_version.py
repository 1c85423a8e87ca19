"""The campaigns notifications names keep the version of their title
(funding.campaign_edited).

Revision ID: notifications_0006
Revises: notifications_0005
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision, down_revision = "notifications_0006", "notifications_0005"
branch_labels = depends_on = None


def upgrade():
    op.add_column("campaigns", sa.Column("version", sa.Integer()))


def downgrade():
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("version")
