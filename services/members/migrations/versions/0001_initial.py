"""Organisations, and the messaging tables.

Revision ID: members_0001
Revises:
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

from shared.migrations import create_messaging_tables_v1, drop_messaging_tables_v1

revision = "members_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "organisations",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("legal_form", sa.String(40), nullable=False),
        sa.Column("siret", sa.String(14), unique=True),
        sa.Column("postal_code", sa.String(5), nullable=False),
        sa.Column("commune", sa.String(120), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
    )
    create_messaging_tables_v1(op)


def downgrade():
    drop_messaging_tables_v1(op)
    op.drop_table("organisations")
