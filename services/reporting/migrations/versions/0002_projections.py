"""The funders' projections and their lookups, and archive indexes that serve reads by
type, source and time in the archive's order.

Revision ID: reporting_0002
Revises: reporting_0001
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "reporting_0002"
down_revision = "reporting_0001"
branch_labels = None
depends_on = None

ID = sa.String(36)
CODE = sa.String(40)
FUNDER_KEY = sa.String(250)
SCOPE = sa.String(320)


def counter(name, big=False):
    return sa.Column(name, sa.BigInteger if big else sa.Integer, nullable=False,
                     server_default="0")


def upgrade():
    op.drop_index("ix_event_archive_type", table_name="event_archive")
    op.drop_index("ix_event_archive_occurred_at", table_name="event_archive")
    op.create_index("ix_event_archive_occurred", "event_archive", ["occurred_at", "event_id"])
    op.create_index("ix_event_archive_type_occurred", "event_archive",
                    ["type", "occurred_at", "event_id"])
    op.create_index("ix_event_archive_source_occurred", "event_archive",
                    ["source", "occurred_at", "event_id"])

    op.create_table(
        "report_organisations",
        sa.Column("organisation_id", ID, primary_key=True),
        sa.Column("legal_form", CODE),
        sa.Column("territory", CODE),
    )
    op.create_table(
        "report_projects",
        sa.Column("project_id", ID, primary_key=True),
        sa.Column("territory", CODE),
        sa.Column("submitted_year", sa.Integer),
    )
    op.create_index("ix_report_projects_territory", "report_projects", ["territory"])
    op.create_table(
        "report_funders",
        sa.Column("funder_key", FUNDER_KEY, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
    )
    op.create_table(
        "report_funder_projects",
        sa.Column("funder_key", FUNDER_KEY, primary_key=True),
        sa.Column("project_id", ID, primary_key=True),
    )
    op.create_index("ix_report_funder_projects_project_id", "report_funder_projects",
                    ["project_id"])
    op.create_table(
        "report_contributions",
        sa.Column("contribution_id", ID, primary_key=True),
        sa.Column("confirmed_year", sa.Integer),
        sa.Column("account_id", ID),
        sa.Column("uncounted", sa.Boolean, nullable=False, server_default=sa.false()),
        counter("uncounted_cents", big=True),
        counter("uncounted_matched_cents", big=True),
    )

    op.create_table(
        "report_memberships",
        sa.Column("membership_id", ID, primary_key=True),
        sa.Column("organisation_id", ID, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("circle", CODE, nullable=False),
        counter("active"),
    )
    op.create_index("ix_report_memberships_year", "report_memberships", ["year"])
    op.create_table(
        "report_member_money",
        sa.Column("organisation_id", ID, primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        counter("dues_paid_cents", big=True),
        counter("mutualisation_invoiced_cents", big=True),
    )
    op.create_table(
        "report_mutualised_services",
        sa.Column("service_id", ID, primary_key=True),
        sa.Column("fte_hundredths", sa.Integer, nullable=False),
    )
    op.create_table(
        "report_subscriptions",
        sa.Column("subscription_id", ID, primary_key=True),
        sa.Column("organisation_id", ID, nullable=False),
        sa.Column("service_id", ID, nullable=False),
        sa.Column("starts_on", sa.Date),
        sa.Column("planned_ends_on", sa.Date),
        sa.Column("ended_on", sa.Date),
        sa.Column("ended_version", sa.String(60)),
    )

    op.create_table(
        "report_project_stages",
        sa.Column("project_id", ID, primary_key=True),
        sa.Column("stage", CODE, primary_key=True),
        counter("projects"),
    )
    op.create_table(
        "report_project_years",
        sa.Column("project_id", ID, primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        counter("projects_submitted"),
        counter("enterprises_created"),
        counter("support_hours_hundredths", big=True),
    )
    op.create_table(
        "report_job_reports",
        sa.Column("project_id", ID, primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("version", sa.String(120), nullable=False),
        sa.Column("created_fte_hundredths", sa.Integer, nullable=False),
        sa.Column("consolidated_fte_hundredths", sa.Integer, nullable=False),
    )

    op.create_table(
        "report_funding",
        sa.Column("project_id", ID, primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(20), primary_key=True),
        sa.Column("model", sa.String(20), primary_key=True),
        counter("contributions"),
        counter("raised_cents", big=True),
        counter("matched_cents", big=True),
        counter("given_back"),
        counter("given_back_cents", big=True),
        counter("given_back_matched_cents", big=True),
        counter("refunds"),
        counter("refunded_cents", big=True),
        counter("campaigns_succeeded"),
        counter("campaigns_failed"),
    )
    op.create_table(
        "report_resources",
        sa.Column("project_id", ID, primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        *(counter(name, big=True) for name in (
            "sales_cents", "mutualisation_cents", "public_grants_cents", "private_grants_cents",
            "crowdfunding_cents", "matchfunding_cents", "volunteering_hours_hundredths",
            "volunteering_cents")),
    )
    op.create_table(
        "report_contributor_tallies",
        sa.Column("scope", SCOPE, primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("account_id", ID, primary_key=True),
        counter("contributions"),
    )
    op.create_table(
        "report_contributors",
        sa.Column("scope", SCOPE, primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        counter("contributors"),
    )


def downgrade():
    for table in ("report_contributors", "report_contributor_tallies", "report_resources",
                  "report_funding", "report_job_reports", "report_project_years",
                  "report_project_stages", "report_subscriptions",
                  "report_mutualised_services", "report_member_money", "report_memberships",
                  "report_contributions", "report_funder_projects", "report_funders",
                  "report_projects", "report_organisations"):
        op.drop_table(table)
    op.drop_index("ix_event_archive_source_occurred", table_name="event_archive")
    op.drop_index("ix_event_archive_type_occurred", table_name="event_archive")
    op.drop_index("ix_event_archive_occurred", table_name="event_archive")
    op.create_index("ix_event_archive_type", "event_archive", ["type"])
    op.create_index("ix_event_archive_occurred_at", "event_archive", ["occurred_at"])
