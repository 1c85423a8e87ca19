"""The funders' reports: one table per route, as JSON and as CSV for a French
spreadsheet (the same path with `.csv`), filtered by year range, territory and funder;
and the archive of every event, for staff.

Staff and funder accounts read the reports. Filters: `from_year`, `to_year` (inclusive),
`territory`, `funder` (the projects a grant of this funder names; an unknown funder is
a 404 `funder_not_found`). Members' tables are the whole cluster's and take no funder.

A funder account that names its funder (members' accounts, the token's `fdr` claim)
reads that funder's view only: its funder filter is set for it, and asking for another
funder's is a 403 `other_funder_view`. Staff read every view.
"""
import base64

from gateway.api import STAFF
from gateway.calls import call
from gateway.routing import route
from services.reporting import schemas as reporting
from services.reporting.domain.reports import funder_key
from shared.errors import FORBIDDEN, DomainError
from shared.pagination import page_schema

READERS = (*STAFF, "funder")

# (table, path under /reports, summary, query, answer, CSV file name)
TABLES = (
    ("members", "members", "Active members per year, those using mutualised services, the "
     "jobs the services carry, dues and fees", reporting.MembersQuery, reporting.MembersReport,
     "adherents"),
    ("members-breakdown", "members/breakdown", "Active members per year by circle, legal "
     "form and territory", reporting.MembersQuery, reporting.MembersBreakdown,
     "adherents-repartition"),
    ("incubation", "incubation", "Projects, enterprises created, jobs created and "
     "consolidated, support hours, per year", reporting.ReportQuery,
     reporting.IncubationReport, "incubation"),
    ("incubation-stages", "incubation/stages", "Projects by their current stage",
     reporting.ReportQuery, reporting.StagesReport, "incubation-etapes"),
    ("funding", "funding", "Money raised per year, matchfunding, money given back, refunds, "
     "success rate, distinct contributors", reporting.ReportQuery, reporting.FundingReport,
     "financement"),
    ("funding-by-kind", "funding/by-kind", "Money raised per year by campaign kind and model",
     reporting.ReportQuery, reporting.FundingByKindReport, "financement-par-type"),
    ("resources", "resources", "The resource mix per year; volunteering valued apart",
     reporting.ReportQuery, reporting.ResourcesReport, "ressources"),
)


def own_funder(principal) -> str | None:
    """The funder whose view this reader is confined to: none for staff or an account
    that names no funder."""
    if principal is None or principal.roles & set(STAFF):
        return None
    return principal.funder


def funder_view(principal, query: dict, takes_funder: bool = True) -> dict:
    """The query as this reader may ask it: a funder confined to its view gets its funder
    filter (on the tables that take one), and a 403 for another funder's."""
    funder = own_funder(principal)
    if funder is None:
        return query
    asked = query.get("funder")
    if asked and funder_key(asked) != funder_key(funder):
        raise DomainError(FORBIDDEN, "other_funder_view",
                          "A funder's account reads its own funder's view only.",
                          {"funder": funder})
    return {**query, "funder": funder} if takes_funder else query


def _declare(table, path, summary, query, answer, filename):
    errors = (404,) if query is reporting.ReportQuery else ()
    endpoint = "report_" + table.replace("-", "_")
    takes_funder = query is reporting.ReportQuery

    def as_json(query, principal):
        return call("reporting", "report", table, funder_view(principal, query, takes_funder))

    def as_csv(query, principal):
        csv = base64.b64decode(call("reporting", "report_csv", table,
                                    funder_view(principal, query, takes_funder)))
        return csv, {"Content-Disposition": f'attachment; filename="{filename}.csv"'}

    as_json.__name__, as_csv.__name__ = endpoint, endpoint + "_csv"
    route(f"/reports/{path}", "GET", summary=summary, tag="reports", roles=READERS,
          query=query, response=answer, errors=errors)(as_json)
    route(f"/reports/{path}.csv", "GET", summary=summary + " (CSV: semicolons, UTF-8 with "
          "BOM, decimal comma, euros)", tag="reports", roles=READERS, query=query,
          response=bytes, response_media="text/csv", errors=errors)(as_csv)


for _table in TABLES:
    _declare(*_table)


@route("/reports/dashboard", "GET", summary="The dashboard's five tables (members, members "
       "breakdown, incubation, funding, resources) in one answer; the funder filter applies "
       "to the projects' tables", tag="reports", roles=READERS, query=reporting.ReportQuery,
       response=reporting.Dashboard, errors=(404,))
def dashboard(query, principal):
    return call("reporting", "dashboard", funder_view(principal, query))


@route("/reports/events", "GET", summary="The archive of every event, by type, source and "
       "time, oldest first", tag="reports", roles=STAFF, query=reporting.EventsQuery,
       response=page_schema(reporting.ArchivedEvent))
def list_events(query, principal):
    return call("reporting", "list_events", query)
