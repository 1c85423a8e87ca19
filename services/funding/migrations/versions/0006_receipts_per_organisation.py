"""Tax receipts: the donor's legal identity on the contribution (no more receipts to the
shown name), the beneficiary's signatory, numbers per issuing organisation and year, and
the cancellation of a refunded donation's receipt.

Receipts already issued keep their number and document, under the organisation that
issued them; each organisation's series goes on from the highest number it holds for
the year (the numbers it held under the former single series are not renumbered).
An address without a legal name never made a valid receipt: contributor_address goes.

Revision ID: funding_0006
Revises: funding_0005
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = "funding_0006"
down_revision = "funding_0005"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade():
    with op.batch_alter_table("beneficiaries") as batch:
        batch.add_column(sa.Column("signatory_name", sa.String(120)))
        batch.add_column(sa.Column("signatory_capacity", sa.String(100)))
    with op.batch_alter_table("contributions") as batch:
        batch.add_column(sa.Column("receipt_donor", sa.JSON))
        batch.drop_constraint("uq_contributions_receipt_number", type_="unique")
        batch.drop_column("contributor_address")

    op.create_table(
        "receipt_series",
        sa.Column("organisation_id", sa.String(36), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("last_number", sa.Integer, nullable=False),
    )
    op.drop_index("ix_receipts_account_id", "receipts")
    op.rename_table("receipts", "receipts_0004")
    op.create_table(
        "receipts",
        sa.Column("contribution_id", sa.String(36), primary_key=True),
        sa.Column("organisation_id", sa.String(36), nullable=False),
        sa.Column("number", sa.String(20), nullable=False),
        sa.Column("account_id", sa.String(36)),
        sa.Column("document", sa.JSON, nullable=False),
        sa.Column("issued_at", Timestamp, nullable=False),
        sa.Column("cancelled_at", Timestamp),
        sa.Column("cancellation", sa.JSON),
        sa.UniqueConstraint("organisation_id", "number",
                            name="uq_receipts_organisation_number"),
    )
    op.create_index("ix_receipts_account_id", "receipts", ["account_id"])
    op.execute(
        "INSERT INTO receipts (contribution_id, organisation_id, number, account_id, "
        "document, issued_at) "
        "SELECT r.contribution_id, p.carrier_organisation_id, r.number, r.account_id, "
        "r.document, r.issued_at FROM receipts_0004 r "
        "JOIN contributions c ON c.id = r.contribution_id "
        "JOIN campaigns k ON k.id = c.campaign_id "
        "JOIN known_projects p ON p.id = k.project_id")
    op.execute(
        "INSERT INTO receipt_series (organisation_id, year, last_number) "
        "SELECT organisation_id, CAST(substr(number, 1, 4) AS INTEGER), "
        "MAX(CAST(substr(number, 6) AS INTEGER)) FROM receipts "
        "GROUP BY organisation_id, CAST(substr(number, 1, 4) AS INTEGER)")
    op.drop_table("receipts_0004")
    op.drop_table("receipt_sequences")


def downgrade():
    """Back to one series a year. Lossy: of two organisations' receipts with the same
    number, only the first issued keeps it; cancellations and signatories go."""
    op.create_table(
        "receipt_sequences",
        sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("last_number", sa.Integer, nullable=False),
    )
    op.drop_index("ix_receipts_account_id", "receipts")
    op.rename_table("receipts", "receipts_0005")
    op.create_table(
        "receipts",
        sa.Column("number", sa.String(20), primary_key=True),
        sa.Column("contribution_id", sa.String(36), nullable=False, unique=True),
        sa.Column("account_id", sa.String(36)),
        sa.Column("document", sa.JSON, nullable=False),
        sa.Column("issued_at", Timestamp, nullable=False),
    )
    op.create_index("ix_receipts_account_id", "receipts", ["account_id"])
    op.execute(
        "INSERT INTO receipts (number, contribution_id, account_id, document, issued_at) "
        "SELECT r.number, r.contribution_id, r.account_id, r.document, r.issued_at "
        "FROM receipts_0005 r WHERE NOT EXISTS (SELECT 1 FROM receipts_0005 s "
        "WHERE s.number = r.number AND (s.issued_at < r.issued_at OR "
        "(s.issued_at = r.issued_at AND s.contribution_id < r.contribution_id)))")
    op.execute(
        "INSERT INTO receipt_sequences (year, last_number) "
        "SELECT CAST(substr(number, 1, 4) AS INTEGER), "
        "MAX(CAST(substr(number, 6) AS INTEGER)) FROM receipts "
        "GROUP BY CAST(substr(number, 1, 4) AS INTEGER)")
    op.drop_table("receipts_0005")
    op.drop_table("receipt_series")
    op.execute("UPDATE contributions SET receipt_number = NULL WHERE receipt_number IS NOT "
               "NULL AND id NOT IN (SELECT contribution_id FROM receipts)")
    with op.batch_alter_table("contributions") as batch:
        batch.add_column(sa.Column("contributor_address", sa.String(300)))
        batch.create_unique_constraint("uq_contributions_receipt_number", ["receipt_number"])
        batch.drop_column("receipt_donor")
    with op.batch_alter_table("beneficiaries") as batch:
        batch.drop_column("signatory_capacity")
        batch.drop_column("signatory_name")
