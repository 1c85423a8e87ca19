"""Carriers draft their own campaigns: a campaign has a version (edits name the one they
were made on), a video link and a cover picture kept in the database (every gateway
replica serves the same); a reward says whether it is delivered or picked up. A campaign
sent back by review is now `sent_back` rather than `draft`.

Revision ID: funding_0011
Revises: funding_0010
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = "funding_0011"
down_revision = "funding_0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "campaign_images",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("media_type", sa.String(40), nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("video_url", sa.String(500)))
        batch.add_column(sa.Column("cover_image", sa.String(64)))
        batch.add_column(sa.Column("version", sa.Integer, nullable=False, server_default="1"))
        batch.create_foreign_key("fk_campaigns_cover_image", "campaign_images",
                                 ["cover_image"], ["id"])
    with op.batch_alter_table("rewards") as batch:
        batch.add_column(sa.Column("handover", sa.String(20)))
    op.execute("UPDATE campaigns SET status = 'sent_back' "
               "WHERE status = 'draft' AND review_note IS NOT NULL")


def downgrade():
    op.execute("UPDATE campaigns SET status = 'draft' WHERE status = 'sent_back'")
    with op.batch_alter_table("rewards") as batch:
        batch.drop_column("handover")
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_constraint("fk_campaigns_cover_image", type_="foreignkey")
        batch.drop_column("version")
        batch.drop_column("cover_image")
        batch.drop_column("video_url")
    op.drop_table("campaign_images")
