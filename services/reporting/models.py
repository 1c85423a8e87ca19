"""Reporting's tables: the archive of every event, and the projections built from it.

Every table but the archive (and the messaging tables) is a projection: emptied and
built again from the archive by `python -m services.reporting.rebuild`. Projections keep
figures at the grain their filters need (a project and a year, a membership), never one
row per event, so that a report reads a few hundred rows however many contributions the
archive holds. Lookups (`report_organisations`, `report_projects`, `report_funders`,
`report_funder_projects`, `report_contributions`) hold what an event lacks and another
event carries: an organisation's territory, a project's, which projects a funder funded.
"""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from shared.messaging import service_base
from shared.sqltypes import UtcDateTime

SUMMARY_ID = "platform"
Id = sa.String(36)
Code = sa.String(40)  # a territory, a stage, a circle, a kind...
FUNDER_KEY = sa.String(250)
SCOPE = sa.String(320)


Base, messaging = service_base()
metadata = Base.metadata


def counter(big=False):
    """A figure that starts at zero and only moves by increments."""
    return mapped_column(sa.BigInteger if big else sa.Integer, nullable=False,
                         server_default="0", default=0)


class ArchivedEvent(Base):
    """Every event of every service, once. Read by type, source and time, in the order
    (occurred_at, event_id): each of these indexes serves one filter in that order."""

    __tablename__ = "event_archive"
    __table_args__ = (
        sa.Index("ix_event_archive_occurred", "occurred_at", "event_id"),
        sa.Index("ix_event_archive_type_occurred", "type", "occurred_at", "event_id"),
        sa.Index("ix_event_archive_source_occurred", "source", "occurred_at", "event_id"),
    )

    event_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(100))
    version: Mapped[int] = mapped_column(sa.Integer)
    source: Mapped[str] = mapped_column(sa.String(50))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    correlation_id: Mapped[str | None] = mapped_column(sa.String(64))
    data: Mapped[str] = mapped_column(sa.Text)
    archived_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Summary(Base):
    """One row: the platform's headline figures."""

    __tablename__ = "summary"

    id: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    organisations: Mapped[int] = mapped_column(sa.Integer)
    projects: Mapped[int] = mapped_column(sa.Integer)
    campaigns: Mapped[int] = mapped_column(sa.Integer)
    contributions: Mapped[int] = mapped_column(sa.Integer)
    amount_raised_cents: Mapped[int] = mapped_column(sa.BigInteger)


# --- lookups -------------------------------------------------------------------------

class ReportOrganisation(Base):
    """An organisation's legal form and territory (from `organisation_registered`, then
    `organisation_updated`: the greatest version wins)."""

    __tablename__ = "report_organisations"

    organisation_id: Mapped[str] = mapped_column(Id, primary_key=True)
    legal_form: Mapped[str | None] = mapped_column(Code)
    territory: Mapped[str | None] = mapped_column(Code)
    version: Mapped[int | None] = mapped_column(sa.Integer)


class ReportProject(Base):
    """A project's territory and submission year (from `project_submitted`). Its row is
    also the lock every change to the project's contributor tallies takes first."""

    __tablename__ = "report_projects"

    project_id: Mapped[str] = mapped_column(Id, primary_key=True)
    territory: Mapped[str | None] = mapped_column(Code, index=True)
    submitted_year: Mapped[int | None] = mapped_column(sa.Integer)


class ReportFunder(Base):
    """Every funder a grant named, by its key (case and spacing folded)."""

    __tablename__ = "report_funders"

    funder_key: Mapped[str] = mapped_column(FUNDER_KEY, primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))


class ReportFunderProject(Base):
    """A funder funded a project: a grant named both."""

    __tablename__ = "report_funder_projects"

    funder_key: Mapped[str] = mapped_column(FUNDER_KEY, primary_key=True)
    project_id: Mapped[str] = mapped_column(Id, primary_key=True, index=True)


class ReportContribution(Base):
    """Enough of a contribution to count it once and uncount it once, in the year it was
    confirmed, whichever of the two events arrives first (domain.funding)."""

    __tablename__ = "report_contributions"

    contribution_id: Mapped[str] = mapped_column(Id, primary_key=True)
    confirmed_year: Mapped[int | None] = mapped_column(sa.Integer)
    account_id: Mapped[str | None] = mapped_column(Id)
    uncounted: Mapped[bool] = mapped_column(sa.Boolean, nullable=False,
                                            server_default=sa.false(), default=False)
    uncounted_cents: Mapped[int] = counter(big=True)
    uncounted_matched_cents: Mapped[int] = counter(big=True)


# --- members -------------------------------------------------------------------------

class ReportMembership(Base):
    """A membership: its year and circle, and whether it is active (the sum of its moves
    in and out of `active`)."""

    __tablename__ = "report_memberships"

    membership_id: Mapped[str] = mapped_column(Id, primary_key=True)
    organisation_id: Mapped[str] = mapped_column(Id)
    year: Mapped[int] = mapped_column(sa.Integer, index=True)
    circle: Mapped[str] = mapped_column(Code)
    active: Mapped[int] = counter()


class ReportMemberMoney(Base):
    __tablename__ = "report_member_money"

    organisation_id: Mapped[str] = mapped_column(Id, primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    dues_paid_cents: Mapped[int] = counter(big=True)
    mutualisation_invoiced_cents: Mapped[int] = counter(big=True)


class ReportMutualisedService(Base):
    __tablename__ = "report_mutualised_services"

    service_id: Mapped[str] = mapped_column(Id, primary_key=True)
    fte_hundredths: Mapped[int] = mapped_column(sa.Integer)


class ReportSubscription(Base):
    """A subscription's dates: the end planned when it started, and the end given when it
    was ended (which wins)."""

    __tablename__ = "report_subscriptions"

    subscription_id: Mapped[str] = mapped_column(Id, primary_key=True)
    organisation_id: Mapped[str] = mapped_column(Id)
    service_id: Mapped[str] = mapped_column(Id)
    starts_on: Mapped[date | None] = mapped_column(sa.Date)
    planned_ends_on: Mapped[date | None] = mapped_column(sa.Date)
    ended_on: Mapped[date | None] = mapped_column(sa.Date)
    ended_version: Mapped[str | None] = mapped_column(sa.String(60))  # the latest end wins


# --- incubation ----------------------------------------------------------------------

class ReportProjectStage(Base):
    """How many times a project is in a stage: 1 for its current one once every move
    arrived (a move is -1 on the stage left, +1 on the stage entered)."""

    __tablename__ = "report_project_stages"

    project_id: Mapped[str] = mapped_column(Id, primary_key=True)
    stage: Mapped[str] = mapped_column(Code, primary_key=True)
    projects: Mapped[int] = counter()


class ReportProjectYear(Base):
    __tablename__ = "report_project_years"

    project_id: Mapped[str] = mapped_column(Id, primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    projects_submitted: Mapped[int] = counter()
    enterprises_created: Mapped[int] = counter()
    support_hours_hundredths: Mapped[int] = counter(big=True)


class ReportJobReport(Base):
    """A project's latest job report of a year (the greatest `version`)."""

    __tablename__ = "report_job_reports"

    project_id: Mapped[str] = mapped_column(Id, primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    version: Mapped[str] = mapped_column(sa.String(120))
    created_fte_hundredths: Mapped[int] = mapped_column(sa.Integer)
    consolidated_fte_hundredths: Mapped[int] = mapped_column(sa.Integer)


# --- funding and resources -----------------------------------------------------------

class ReportFunding(Base):
    __tablename__ = "report_funding"

    project_id: Mapped[str] = mapped_column(Id, primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    model: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    contributions: Mapped[int] = counter()
    raised_cents: Mapped[int] = counter(big=True)
    matched_cents: Mapped[int] = counter(big=True)
    given_back: Mapped[int] = counter()
    given_back_cents: Mapped[int] = counter(big=True)
    given_back_matched_cents: Mapped[int] = counter(big=True)
    refunds: Mapped[int] = counter()
    refunded_cents: Mapped[int] = counter(big=True)
    campaigns_succeeded: Mapped[int] = counter()
    campaigns_failed: Mapped[int] = counter()


class ReportResources(Base):
    """A project's resources of a year (`cluster`: the cluster's own). Private grants
    count in `private_grants_cents`, and a foundation's or investors' also in its own
    column (domain/resources.py)."""

    __tablename__ = "report_resources"

    project_id: Mapped[str] = mapped_column(Id, primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    sales_cents: Mapped[int] = counter(big=True)
    dues_cents: Mapped[int] = counter(big=True)
    mutualisation_cents: Mapped[int] = counter(big=True)
    public_grants_cents: Mapped[int] = counter(big=True)
    private_grants_cents: Mapped[int] = counter(big=True)
    foundations_cents: Mapped[int] = counter(big=True)
    private_investors_cents: Mapped[int] = counter(big=True)
    crowdfunding_cents: Mapped[int] = counter(big=True)
    matchfunding_cents: Mapped[int] = counter(big=True)
    volunteering_hours_hundredths: Mapped[int] = counter(big=True)
    volunteering_cents: Mapped[int] = counter(big=True)


class ReportContributorTally(Base):
    """An account's counted contributions in a scope and a year (0: every year)."""

    __tablename__ = "report_contributor_tallies"

    scope: Mapped[str] = mapped_column(SCOPE, primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    account_id: Mapped[str] = mapped_column(Id, primary_key=True)
    contributions: Mapped[int] = counter()


class ReportContributors(Base):
    """Distinct contributors of a scope and a year (0: every year)."""

    __tablename__ = "report_contributors"

    scope: Mapped[str] = mapped_column(SCOPE, primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    contributors: Mapped[int] = counter()


# Emptied and rebuilt from the archive, in this order (none refers to another).
PROJECTION_TABLES = tuple(model.__table__ for model in (
    ReportOrganisation, ReportProject, ReportFunder, ReportFunderProject, ReportContribution,
    ReportMembership, ReportMemberMoney, ReportMutualisedService, ReportSubscription,
    ReportProjectStage, ReportProjectYear, ReportJobReport, ReportFunding, ReportResources,
    ReportContributorTally, ReportContributors))
