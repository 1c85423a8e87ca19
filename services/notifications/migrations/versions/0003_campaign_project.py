"""A campaign's project, so that a project's news reaches its campaigns' contributors.

Revision ID: notifications_0003
Revises: notifications_0002
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision, down_revision = "notifications_0003", "notifications_0002"
branch_labels = depends_on = None


def upgrade():
    op.add_column("campaigns", sa.Column("project_id", sa.String(36), nullable=True))
    op.create_index("ix_campaigns_project_id", "campaigns", ["project_id"])


def downgrade():
    op.drop_index("ix_campaigns_project_id", table_name="campaigns")
    op.drop_column("campaigns", "project_id")
