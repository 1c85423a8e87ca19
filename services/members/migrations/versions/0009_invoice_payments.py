"""Payments of mutualisation invoices: what each invoice has been paid so far, and each
payment recorded by staff.

Revision ID: members_0009
Revises: members_0008
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision, down_revision = "members_0009", "members_0008"
branch_labels = depends_on = None


def upgrade():
    with op.batch_alter_table("invoices") as batch:
        batch.add_column(sa.Column("paid_cents", sa.BigInteger, nullable=False,
                                   server_default="0"))
    op.create_table(
        "invoice_payments",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("invoice_id", sa.String(36), sa.ForeignKey("invoices.id"), nullable=False),
        sa.Column("amount_cents", sa.BigInteger, nullable=False),
        sa.Column("paid_on", sa.Date, nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("reference", sa.String(120)),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_invoice_payments_invoice_id", "invoice_payments", ["invoice_id"])


def downgrade():
    op.drop_index("ix_invoice_payments_invoice_id", table_name="invoice_payments")
    op.drop_table("invoice_payments")
    with op.batch_alter_table("invoices") as batch:
        batch.drop_column("paid_cents")
