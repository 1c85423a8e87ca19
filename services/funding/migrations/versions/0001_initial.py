"""Campaigns, contributions, known projects, and the messaging tables.

Revision ID: funding_0001
Revises:
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

from shared.migrations import create_messaging_tables_v1, drop_messaging_tables_v1

revision = "funding_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "known_projects",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
    )
    op.create_table(
        "campaigns",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("project_id", sa.String(36), sa.ForeignKey("known_projects.id"),
                  nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("goal_cents", sa.BigInteger, nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("raised_cents", sa.BigInteger, nullable=False),
        sa.Column("contributions_count", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "contributions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("campaign_id", sa.String(36), sa.ForeignKey("campaigns.id"), nullable=False),
        sa.Column("amount_cents", sa.BigInteger, nullable=False),
        sa.Column("contributor_name", sa.String(200)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_contributions_campaign_id", "contributions", ["campaign_id"])
    create_messaging_tables_v1(op)


def downgrade():
    drop_messaging_tables_v1(op)
    op.drop_table("contributions")
    op.drop_table("campaigns")
    op.drop_table("known_projects")
