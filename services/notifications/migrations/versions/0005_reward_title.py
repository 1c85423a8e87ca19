"""The title of the reward a contribution chose, so that its mails repeat it.

Revision ID: notifications_0005
Revises: notifications_0004
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision, down_revision = "notifications_0005", "notifications_0004"
branch_labels = depends_on = None


def upgrade():
    op.add_column("contributions", sa.Column("reward_title", sa.String(200), nullable=True))


def downgrade():
    with op.batch_alter_table("contributions") as batch:
        batch.drop_column("reward_title")
