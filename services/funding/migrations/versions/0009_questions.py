"""Funding keeps the public questions asked on campaigns and their answers.

Revision ID: funding_0009
Revises: funding_0008
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op


revision = "funding_0009"
down_revision = "funding_0008"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "questions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("campaign_id", sa.String(36), sa.ForeignKey("campaigns.id"), nullable=False),
        sa.Column("account_id", sa.String(36)),
        sa.Column("asker_name", sa.String(100)),
        sa.Column("body", sa.String(2000), nullable=False),
        sa.Column("asked_at", Timestamp, nullable=False),
        sa.Column("answer", sa.String(4000)),
        sa.Column("answered_by", sa.String(20)),
        sa.Column("answered_by_account_id", sa.String(36)),
        sa.Column("answered_at", Timestamp),
    )
    op.create_index("ix_questions_campaign_id", "questions", ["campaign_id"])
    op.create_index("ix_questions_account_id", "questions", ["account_id"])


def downgrade():
    op.drop_index("ix_questions_account_id", "questions")
    op.drop_index("ix_questions_campaign_id", "questions")
    op.drop_table("questions")
