"""Organisations' identifiers and place, contacts, memberships and dues, mutualised
services, subscriptions and invoices.

Revision ID: members_0003
Revises: members_0002
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = "members_0003"
down_revision = "members_0002"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade():
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(sa.Column("siren", sa.String(9)))
        batch.add_column(sa.Column("rna", sa.String(10)))
        batch.add_column(sa.Column("street", sa.String(200)))
        batch.add_column(sa.Column("territory", sa.String(20), nullable=False,
                                   server_default="outside"))
        batch.add_column(sa.Column("sector", sa.String(120)))
        batch.add_column(sa.Column("headcount_fte_hundredths", sa.Integer, nullable=False,
                                   server_default="0"))
        batch.create_index("ix_organisations_siren", ["siren"])
    op.execute("UPDATE organisations SET siren = substr(siret, 1, 9) WHERE siret IS NOT NULL")
    op.create_table(
        "contacts",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("organisation_id", sa.String(36), sa.ForeignKey("organisations.id"),
                  nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(254)),
        sa.Column("phone", sa.String(40)),
        sa.Column("role", sa.String(120)),
        sa.Column("consent_to_contact", sa.Boolean, nullable=False),
        sa.Column("consent_recorded_at", Timestamp),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("erased_at", Timestamp),
    )
    op.create_index("ix_contacts_organisation_id", "contacts", ["organisation_id"])
    op.create_index("ix_contacts_email", "contacts", ["email"])
    op.create_table(
        "memberships",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("organisation_id", sa.String(36), sa.ForeignKey("organisations.id"),
                  nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("circle", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("dues_cents", sa.BigInteger, nullable=False),
        sa.Column("paid_cents", sa.BigInteger, nullable=False),
        sa.Column("activated_at", Timestamp),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.UniqueConstraint("organisation_id", "year"),
    )
    op.create_index("ix_memberships_year", "memberships", ["year"])
    op.create_index("ix_memberships_status", "memberships", ["status"])
    op.create_table(
        "membership_moves",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("membership_id", sa.String(36), sa.ForeignKey("memberships.id"),
                  nullable=False),
        sa.Column("from_status", sa.String(20)),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("at", Timestamp, nullable=False),
        sa.Column("by", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(500)),
    )
    op.create_index("ix_membership_moves_membership_id", "membership_moves", ["membership_id"])
    op.create_table(
        "dues_payments",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("membership_id", sa.String(36), sa.ForeignKey("memberships.id"),
                  nullable=False),
        sa.Column("amount_cents", sa.BigInteger, nullable=False),
        sa.Column("paid_on", sa.Date, nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("reference", sa.String(120)),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("recorded_at", Timestamp, nullable=False),
    )
    op.create_index("ix_dues_payments_membership_id", "dues_payments", ["membership_id"])
    op.create_table(
        "mutualised_services",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False, unique=True),
        sa.Column("description", sa.Text),
        sa.Column("fte_carried_hundredths", sa.Integer, nullable=False),
        sa.Column("pricing", sa.String(10), nullable=False),
        sa.Column("price_cents", sa.BigInteger, nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
    )
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("organisation_id", sa.String(36), sa.ForeignKey("organisations.id"),
                  nullable=False),
        sa.Column("service_id", sa.String(36), sa.ForeignKey("mutualised_services.id"),
                  nullable=False),
        sa.Column("hours_per_month_hundredths", sa.Integer),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date),
        sa.Column("created_at", Timestamp, nullable=False),
    )
    op.create_index("ix_subscriptions_organisation_id", "subscriptions", ["organisation_id"])
    op.create_table(
        "invoices",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("organisation_id", sa.String(36), sa.ForeignKey("organisations.id"),
                  nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("month", sa.Integer, nullable=False),
        sa.Column("total_cents", sa.BigInteger, nullable=False),
        sa.Column("lines", sa.Text, nullable=False),
        sa.Column("issued_at", Timestamp, nullable=False),
        sa.UniqueConstraint("organisation_id", "year", "month"),
    )


def downgrade():
    for table in ("invoices", "subscriptions", "mutualised_services", "dues_payments",
                  "membership_moves", "memberships", "contacts"):
        op.drop_table(table)
    with op.batch_alter_table("organisations") as batch:
        batch.drop_index("ix_organisations_siren")
        for column in ("headcount_fte_hundredths", "sector", "territory", "street", "rna",
                       "siren"):
            batch.drop_column(column)
