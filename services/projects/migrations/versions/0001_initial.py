"""Projects, and the messaging tables.

Revision ID: projects_0001
Revises:
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

from shared.migrations import create_messaging_tables_v1, drop_messaging_tables_v1

revision = "projects_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "projects",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("field", sa.String(40), nullable=False),
        sa.Column("commune", sa.String(120), nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
    )
    create_messaging_tables_v1(op)


def downgrade():
    drop_messaging_tables_v1(op)
    op.drop_table("projects")
