"""Funding keeps the public questions asked on campaigns and their answers, and whether
a contributor lets the campaign page show the amount given.

Revision ID: funding_0010
Revises: funding_0009
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op


revision = "funding_0010"
down_revision = "funding_0009"
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
    with op.batch_alter_table("contributions") as batch:
        batch.add_column(sa.Column("amount_public", sa.Boolean, nullable=False,
                                   server_default=sa.true()))


def downgrade():
    with op.batch_alter_table("contributions") as batch:
        batch.drop_column("amount_public")
    op.drop_index("ix_questions_account_id", "questions")
    op.drop_index("ix_questions_campaign_id", "questions")
    op.drop_table("questions")
