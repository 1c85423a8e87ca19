"""What goes in and out of reporting: report queries and tables, the archive's pages,
and the events it reads. It consumes every event and publishes none yet."""
from marshmallow import Schema, fields, validate

from services.funding.schemas import PUBLISHED_EVENTS as FUNDING_EVENTS
from services.members.schemas import PUBLISHED_EVENTS as MEMBERS_EVENTS
from services.projects.schemas import PUBLISHED_EVENTS as PROJECTS_EVENTS
from services.reporting.domain.reports import MAX_YEAR, MIN_YEAR
from shared.cluster import TERRITORIES
from shared.config import SERVICE_NAMES
from shared.pagination import PageQuery
from shared.schemas import Hundredths

# The specifications reporting reads each event with (tolerantly: EventSpec.read).
CONSUMED = {spec.type: spec for spec in (*MEMBERS_EVENTS, *PROJECTS_EVENTS, *FUNDING_EVENTS)}

PUBLISHED_EVENTS = ()


class Summary(Schema):
    organisations = fields.Integer()
    projects = fields.Integer()
    campaigns = fields.Integer()
    contributions = fields.Integer()
    amount_raised_cents = fields.Integer()


# --- queries -------------------------------------------------------------------------

def _year(description):
    return fields.Integer(load_default=None, validate=validate.Range(min=MIN_YEAR, max=MAX_YEAR),
                          metadata={"description": description})


class MembersQuery(Schema):
    """Members' figures are the cluster's: they take no funder filter."""

    from_year = _year("The first year shown (inclusive).")
    to_year = _year("The last year shown (inclusive).")
    territory = fields.String(load_default=None, validate=validate.OneOf(TERRITORIES),
                              metadata={"description": "The organisations of a territory."})


class ReportQuery(MembersQuery):
    territory = fields.String(load_default=None, validate=validate.OneOf(TERRITORIES),
                              metadata={"description": "The projects of a territory (the "
                                                       "cluster's own resources are in no "
                                                       "territory)."})
    funder = fields.String(load_default=None, validate=validate.Length(min=1, max=200),
                           metadata={"description": "The projects a funder funded: those a "
                                                    "grant of it names (case and spacing "
                                                    "ignored). An unknown funder is a 404."})


class EventsQuery(PageQuery):
    type = fields.String(validate=validate.Regexp(r"^[a-z]+\.[a-z0-9_]+$"),
                         metadata={"description": "e.g. funding.contribution_confirmed"})
    source = fields.String(validate=validate.OneOf(SERVICE_NAMES))
    since = fields.AwareDateTime(metadata={"description": "Events that occurred at or after "
                                                          "this time (with its zone)."})
    until = fields.AwareDateTime(metadata={"description": "Events that occurred before this "
                                                          "time (with its zone)."})


# --- answers -------------------------------------------------------------------------

def _report(name, item, totals=None):
    """The schema of a report table: its items and, for most, their totals."""
    spec = {"items": fields.List(fields.Nested(item), required=True)}
    if totals is not None:
        spec["totals"] = fields.Nested(totals, required=True)
    return Schema.from_dict(spec, name=name)


Cents = fields.Integer
Fte = Hundredths  # FTE and hours: numbers with two decimals


def _rate():
    return fields.Float(allow_none=True, metadata={
        "description": "Succeeded / decided campaigns, from 0 to 1; null before any."})


class MembersTotals(Schema):
    active_members = fields.Integer(metadata={"description": "In the last year shown."})
    members_using_services = fields.Integer(metadata={"description": "In the last year shown."})
    organisations_using_services = fields.Integer(
        metadata={"description": "In the last year shown."})
    mutualised_fte = Fte(metadata={"description": "In the last year shown."})
    dues_paid_cents = Cents()
    mutualisation_invoiced_cents = Cents()


class MembersYear(MembersTotals):
    year = fields.Integer()
    active_members = fields.Integer()
    members_using_services = fields.Integer(metadata={
        "description": "Active members with a subscription to a mutualised service running "
                       "in the year."})
    organisations_using_services = fields.Integer(metadata={
        "description": "Organisations, members or not, with a subscription running in the "
                       "year."})
    mutualised_fte = Fte(metadata={
        "description": "FTE carried by the mutualised services someone used in the year."})


class MembersBreakdownItem(Schema):
    year = fields.Integer()
    dimension = fields.String(metadata={"enum": ["circle", "legal_form", "territory"]})
    category = fields.String(metadata={"description": "`unknown` until the organisation's "
                                                      "registration arrives."})
    active_members = fields.Integer()


class IncubationTotals(Schema):
    projects_submitted = fields.Integer()
    enterprises_created = fields.Integer()
    enterprises_total = fields.Integer(metadata={
        "description": "Every enterprise created up to the year (before the range too)."})
    jobs_created_fte = Fte(signed=True, dump_only=True)
    jobs_created_fte_total = Fte(metadata={
        "description": "Sum of each project's latest report up to the end of the year."})
    jobs_consolidated_fte = Fte(signed=True, dump_only=True)
    jobs_consolidated_fte_total = Fte()
    support_hours = Fte()


class IncubationYear(IncubationTotals):
    year = fields.Integer()


class StageItem(Schema):
    stage = fields.String()
    projects = fields.Integer(metadata={"description": "Projects now at this stage (with a "
                                                       "year range: submitted in it)."})


class ProjectsTotal(Schema):
    projects = fields.Integer()


class MoneyFigures(Schema):
    contributions = fields.Integer(metadata={"description": "Contributions confirmed (that "
                                                            "counted) in the year."})
    raised_cents = Cents()
    matched_cents = Cents(metadata={"description": "Matchfunding added to them."})
    given_back_cents = Cents(metadata={"description": "Of which stopped counting later "
                                                      "(cancelled, refunded)."})
    net_raised_cents = Cents()
    net_matched_cents = Cents()
    refunds = fields.Integer(metadata={"description": "Refunds made in the year."})
    refunded_cents = Cents()
    campaigns_succeeded = fields.Integer()
    campaigns_failed = fields.Integer()
    success_rate = _rate()


class FundingTotals(MoneyFigures):
    contributors = fields.Integer(allow_none=True, metadata={
        "description": "Distinct contributors over every year; null with a year range."})


class FundingYear(MoneyFigures):
    year = fields.Integer()
    contributors = fields.Integer(metadata={"description": "Distinct accounts with a "
                                                           "contribution that counts."})


class FundingByKindItem(MoneyFigures):
    year = fields.Integer()
    kind = fields.String()
    model = fields.String()


class ResourcesTotals(Schema):
    """The resource mix in the kinds of the cluster's description; the monetary total is
    the sum of its kinds from `sales_cents` to `matchfunding_cents`."""
    sales_cents = Cents()
    dues_cents = Cents(metadata={"description": "Members' dues paid (as the members' "
                                                "report)."})
    mutualisation_cents = Cents(metadata={"description": "Mutualisation fees invoiced to "
                                                         "members (as the members' report), "
                                                         "plus income recorded by hand."})
    region_cents = Cents(metadata={"description": "Public support of the cluster's "
                                                  "animation: public grants without a "
                                                  "project (the Region's)."})
    project_grants_cents = Cents(metadata={"description": "Public grants to projects."})
    foundations_cents = Cents(metadata={"description": "Grants of foundations (their calls "
                                                       "for projects included)."})
    private_investors_cents = Cents()
    other_private_cents = Cents(metadata={"description": "Private grants of another or no "
                                                         "funder type."})
    crowdfunding_cents = Cents(metadata={"description": "Contributions, net of those given "
                                                        "back."})
    matchfunding_cents = Cents()
    public_grants_cents = Cents(metadata={"description": "Subtotal: region_cents + "
                                                         "project_grants_cents."})
    private_grants_cents = Cents(metadata={"description": "Subtotal: foundations, private "
                                                          "investors and other private "
                                                          "money."})
    monetary_total_cents = Cents()
    volunteering_hours = Fte()
    volunteering_cents = Cents(metadata={"description": "Volunteering valued in euros: a "
                                                        "non-monetary resource, not in the "
                                                        "monetary total."})


class ResourcesYear(ResourcesTotals):
    year = fields.Integer()


MembersReport = _report("MembersReport", MembersYear, MembersTotals)
MembersBreakdown = _report("MembersBreakdown", MembersBreakdownItem)
IncubationReport = _report("IncubationReport", IncubationYear, IncubationTotals)
StagesReport = _report("StagesReport", StageItem, ProjectsTotal)
FundingReport = _report("FundingReport", FundingYear, FundingTotals)
FundingByKindReport = _report("FundingByKindReport", FundingByKindItem, MoneyFigures)
ResourcesReport = _report("ResourcesReport", ResourcesYear, ResourcesTotals)


class Dashboard(Schema):
    """The funders' dashboard: its five tables in one answer, read in one transaction.
    The members' tables are the whole cluster's: the funder filter leaves them as
    they are."""
    members = fields.Nested(MembersReport, required=True)
    members_breakdown = fields.Nested(MembersBreakdown, required=True)
    incubation = fields.Nested(IncubationReport, required=True)
    funding = fields.Nested(FundingReport, required=True)
    resources = fields.Nested(ResourcesReport, required=True)


class ArchivedEvent(Schema):
    event_id = fields.String()
    type = fields.String()
    version = fields.Integer()
    source = fields.String()
    occurred_at = fields.AwareDateTime()
    correlation_id = fields.String(allow_none=True)
    data = fields.Dict()
    archived_at = fields.AwareDateTime()
