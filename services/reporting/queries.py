"""Reporting's read-only answers: each report table from the projections, and pages of
the archive.

No answer reads the archive's events or one row per contribution: each reads
projection rows kept per (project, year), per membership or per (scope, year), found by
their keys, so its cost follows the number of projects and years, not of events.
"""
import json

import sqlalchemy as sa

from services.reporting import models, schemas
from services.reporting.domain import funding, incubation, members, resources
from services.reporting.domain.changes import ALL_YEARS
from services.reporting.domain.reports import check_years, contributor_scope, funder_key
from shared.database import row_values
from shared.errors import NOT_FOUND, DomainError, invalid, not_found
from shared.pagination import paginate
from shared.schemas import load


def _int(value) -> int:
    return int(value or 0)  # PostgreSQL sums bigints as numeric


class Filters:
    """The filters of a report, loaded and checked: years, territory, funder (its key)."""

    def __init__(self, session, params):
        self.from_year, self.to_year = params["from_year"], params["to_year"]
        check_years(self.from_year, self.to_year)
        self.territory = params["territory"]
        self.funder = None
        if params.get("funder") is not None:
            self.funder = funder_key(params["funder"])
            if not self.funder or session.get(models.ReportFunder, self.funder) is None:
                raise DomainError(NOT_FOUND, "funder_not_found",
                                  f"No grant recorded names the funder {params['funder']!r}.",
                                  {"funder": params["funder"]})

    def years(self, column, *, since_start=False):
        """Conditions on a year column: the range asked (only its end for figures that
        cumulate the years before)."""
        conditions = []
        if self.from_year is not None and not since_start:
            conditions.append(column >= self.from_year)
        if self.to_year is not None:
            conditions.append(column <= self.to_year)
        return conditions

    def projects(self, column):
        """Conditions on a project column: the projects of the territory, of the funder."""
        conditions = []
        if self.territory is not None:
            conditions.append(column.in_(sa.select(models.ReportProject.project_id)
                                         .where(models.ReportProject.territory == self.territory)))
        if self.funder is not None:
            funded = models.ReportFunderProject
            conditions.append(column.in_(sa.select(funded.project_id)
                                         .where(funded.funder_key == self.funder)))
        return conditions


def _sums(session, model, columns, group_by, where):
    query = sa.select(*group_by, *(sa.func.sum(getattr(model, name)).label(name)
                                   for name in columns)).where(*where).group_by(*group_by)
    return [{**{column.key: row[column.key] for column in group_by},
             **{name: _int(row[name]) for name in columns}}
            for row in session.execute(query).mappings()]


# --- members -------------------------------------------------------------------------

def _active_memberships(session, filters):
    membership, organisation = models.ReportMembership, models.ReportOrganisation
    query = (sa.select(membership.year, membership.organisation_id, membership.circle,
                       organisation.legal_form, organisation.territory)
             .outerjoin(organisation,
                        organisation.organisation_id == membership.organisation_id)
             .where(membership.active > 0, *filters.years(membership.year)))
    if filters.territory is not None:
        query = query.where(organisation.territory == filters.territory)
    return [dict(row) for row in session.execute(query).mappings()]


def _of_territory(column, filters):
    if filters.territory is None:
        return []
    organisation = models.ReportOrganisation
    return [column.in_(sa.select(organisation.organisation_id)
                       .where(organisation.territory == filters.territory))]


def members_report(session, filters, this_year):
    subscription = models.ReportSubscription
    subscriptions = [
        {"organisation_id": row.organisation_id, "service_id": row.service_id,
         "starts_on": row.starts_on, "ends_on": row.ended_on or row.planned_ends_on}
        for row in session.execute(
            sa.select(subscription).where(subscription.starts_on.is_not(None),
                                          *_of_territory(subscription.organisation_id,
                                                         filters))).scalars()]
    services = dict(session.execute(sa.select(models.ReportMutualisedService.service_id,
                                              models.ReportMutualisedService.fte_hundredths)).all())
    money = models.ReportMemberMoney
    paid = _sums(session, money, members.FLOWS, [money.year],
                 [*filters.years(money.year), *_of_territory(money.organisation_id, filters)])
    return members.members_years(_active_memberships(session, filters), subscriptions,
                                 services, paid, filters.from_year, filters.to_year, this_year)


def members_breakdown(session, filters, this_year):
    return members.members_breakdown(_active_memberships(session, filters),
                                     filters.from_year, filters.to_year)


# --- incubation ----------------------------------------------------------------------

def incubation_report(session, filters, this_year):
    years, jobs = models.ReportProjectYear, models.ReportJobReport
    flows = _sums(session, years, ("projects_submitted", "enterprises_created",
                                   "support_hours_hundredths"), [years.year],
                  [*filters.projects(years.project_id), *filters.years(years.year,
                                                                       since_start=True)])
    reports = [dict(row) for row in session.execute(
        sa.select(jobs.project_id, jobs.year, jobs.created_fte_hundredths,
                  jobs.consolidated_fte_hundredths)
        .where(*filters.projects(jobs.project_id), *filters.years(jobs.year, since_start=True))
    ).mappings()]
    return incubation.incubation_years(flows, reports, filters.from_year, filters.to_year)


def stages_report(session, filters, this_year):
    stages, project = models.ReportProjectStage, models.ReportProject
    where = filters.projects(stages.project_id)
    if filters.from_year is not None or filters.to_year is not None:
        where.append(stages.project_id.in_(sa.select(project.project_id)
                                           .where(*filters.years(project.submitted_year))))
    counts = {row["stage"]: row["projects"]
              for row in _sums(session, stages, ("projects",), [stages.stage], where)}
    return incubation.stages(counts)


# --- funding and resources -----------------------------------------------------------

def _funding_rows(session, filters, group_by):
    table = models.ReportFunding
    return _sums(session, table, funding.COUNTERS, [getattr(table, name) for name in group_by],
                 [*filters.projects(table.project_id), *filters.years(table.year)])


def funding_report(session, filters, this_year):
    counts, scope = models.ReportContributors, contributor_scope(filters.territory,
                                                                 filters.funder)
    contributors = dict(session.execute(
        sa.select(counts.year, counts.contributors)
        .where(counts.scope == scope, counts.year != ALL_YEARS, counts.contributors > 0,
               *filters.years(counts.year))).all())
    every_year = None
    if filters.from_year is None and filters.to_year is None:
        every_year = _int(session.execute(
            sa.select(counts.contributors).where(counts.scope == scope,
                                                 counts.year == ALL_YEARS)).scalar())
    return funding.funding_years(_funding_rows(session, filters, ("year",)), contributors,
                                 filters.from_year, filters.to_year, every_year)


def funding_by_kind_report(session, filters, this_year):
    return funding.funding_by_kind(_funding_rows(session, filters, ("year", "kind", "model")))


def resources_report(session, filters, this_year):
    table = models.ReportResources
    columns = (*resources.STORED, "volunteering_hours_hundredths", "volunteering_cents")
    rows = _sums(session, table, columns,
                 [table.year, (table.project_id == funding.CLUSTER).label("cluster")],
                 [*filters.projects(table.project_id), *filters.years(table.year)])
    return resources.resources_years(rows, filters.from_year, filters.to_year)


# Each table: the query it takes, how it is read, the schema of its answer.
REPORTS = {
    "members": (schemas.MembersQuery, members_report, schemas.MembersReport),
    "members-breakdown": (schemas.MembersQuery, members_breakdown, schemas.MembersBreakdown),
    "incubation": (schemas.ReportQuery, incubation_report, schemas.IncubationReport),
    "incubation-stages": (schemas.ReportQuery, stages_report, schemas.StagesReport),
    "funding": (schemas.ReportQuery, funding_report, schemas.FundingReport),
    "funding-by-kind": (schemas.ReportQuery, funding_by_kind_report,
                        schemas.FundingByKindReport),
    "resources": (schemas.ReportQuery, resources_report, schemas.ResourcesReport),
}


def report(session, table, query, this_year, dump=True):
    """A report table with the filters of `query` (the query string, as sent). Dumped,
    its FTE and hours are numbers; not dumped (for CSV), integer hundredths."""
    if table not in REPORTS:
        raise not_found("report", table)
    query_schema, read, answer = REPORTS[table]
    if query_schema is schemas.MembersQuery and "funder" in (query or {}):
        raise invalid({"funder": ["Members' figures are the whole cluster's: they take no "
                                  "funder filter (a funder's view covers projects)."]})
    filters = Filters(session, load(query_schema(), query or {}))
    result = read(session, filters, this_year)
    return answer().dump(result) if dump else result


# The dashboard's tables, in its order (schemas.Dashboard names them with underscores).
DASHBOARD = ("members", "members-breakdown", "incubation", "funding", "resources")


def dashboard(session, query, this_year):
    """Every table of the dashboard with the filters of `query`, in one snapshot: one
    round trip for the page instead of one per table. A funder filters the projects'
    tables only."""
    params = load(schemas.ReportQuery(), query or {})
    filters = Filters(session, params)
    cluster_wide = Filters(session, {**params, "funder": None})
    return schemas.Dashboard().dump({
        table.replace("-", "_"): REPORTS[table][1](
            session, cluster_wide if REPORTS[table][0] is schemas.MembersQuery else filters,
            this_year)
        for table in DASHBOARD})


def events(session, params):
    """A page of the archive, oldest first, by type, source and time."""
    archived = models.ArchivedEvent
    where = []
    if params.get("since") is not None:
        where.append(archived.occurred_at >= params["since"])
    if params.get("until") is not None:
        where.append(archived.occurred_at < params["until"])
    return paginate(session, archived, params, created_at=archived.occurred_at,
                    id_column=archived.event_id, filters=("type", "source"), where=where,
                    dump=lambda row: schemas.ArchivedEvent().dump(
                        {**row_values(row), "data": json.loads(row.data)}))
