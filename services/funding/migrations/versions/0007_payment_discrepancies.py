"""Funding reads each payment from the provider: the discrepancies it sees are kept for
staff, and the clock's checks of waiting payments back off per payment.

Revision ID: funding_0007
Revises: funding_0006
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = "funding_0007"
down_revision = "funding_0006"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade():
    with op.batch_alter_table("contributions") as batch:
        batch.add_column(sa.Column("provider_checks", sa.Integer, nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("provider_check_due_at", Timestamp))
    op.create_table(
        "payment_discrepancies",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("contribution_id", sa.String(36), nullable=False),
        sa.Column("payment_id", sa.String(100), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("event_id", sa.String(100)),
        sa.Column("claimed_status", sa.String(50)),
        sa.Column("provider_status", sa.String(20), nullable=False),
        sa.Column("status_before", sa.String(20), nullable=False),
        sa.Column("status_after", sa.String(20), nullable=False),
        sa.Column("detected_at", Timestamp, nullable=False),
    )
    op.create_index("ix_payment_discrepancies_contribution_id", "payment_discrepancies",
                    ["contribution_id"])
    op.create_index("ix_payment_discrepancies_detected_at", "payment_discrepancies",
                    ["detected_at"])


def downgrade():
    op.drop_index("ix_payment_discrepancies_detected_at", "payment_discrepancies")
    op.drop_index("ix_payment_discrepancies_contribution_id", "payment_discrepancies")
    op.drop_table("payment_discrepancies")
    with op.batch_alter_table("contributions") as batch:
        batch.drop_column("provider_check_due_at")
        batch.drop_column("provider_checks")
