"""What goes in and out of projects: RPC payloads and event data."""
from functools import partial

from marshmallow import Schema, fields, validate

from services.projects.domain import (
    FIELDS,
    FORMALISATIONS,
    MAX_SUPPORT_HOURS_A_DAY,
    PARTNER_CIRCLES,
    STAGES,
    SUPPORT_KINDS,
    TERRITORIES,
    VISIBILITIES,
)
from shared.cluster import LEGAL_FORMS
from shared.envelope import EventSpec
from shared.pagination import PageQuery
from shared.schemas import Hundredths, StrictBoolean

Text = fields.String


class SubmitProject(Schema):
    title = Text(required=True, validate=validate.Length(min=3, max=200))
    summary = Text(required=True, validate=validate.Length(min=1, max=5000))
    field = Text(required=True, validate=validate.OneOf(FIELDS))
    commune = Text(required=True, validate=validate.Length(min=1, max=120))
    territory = Text(load_default="outside", validate=validate.OneOf(TERRITORIES))
    carrier_organisation_id = fields.UUID(load_default=None, allow_none=True)
    founders = Text(load_default=None, allow_none=True, validate=validate.Length(max=500))
    animator_account_id = fields.UUID(load_default=None, allow_none=True)
    tags = fields.List(Text(validate=validate.Length(min=1, max=40)), load_default=list,
                       validate=validate.Length(max=20))


class ListProjects(PageQuery):
    field = Text(validate=validate.OneOf(FIELDS))
    stage = Text(validate=validate.OneOf(STAGES))
    commune = Text(validate=validate.Length(min=1, max=120))
    territory = Text(validate=validate.OneOf(TERRITORIES))
    carrier_organisation_id = fields.UUID(metadata={"description": "the carrying member"})


def _version_field():
    return fields.Integer(required=True, validate=validate.Range(min=1), metadata={
        "description": "The version the edit was made on; another one is refused (409)."})


def _reason_field():
    return Text(required=True, validate=validate.Length(min=1, max=500), metadata={
        "description": "Why the figure is corrected; kept in the project's history."})


class EditProject(Schema):
    """A PATCH of a project: the `version` read, and only the fields it changes."""

    version = _version_field()
    title = Text(validate=validate.Length(min=3, max=200))
    summary = Text(validate=validate.Length(min=1, max=5000))
    field = Text(validate=validate.OneOf(FIELDS))
    commune = Text(validate=validate.Length(min=1, max=120))
    founders = Text(allow_none=True, validate=validate.Length(max=500))
    animator_account_id = fields.UUID(allow_none=True)
    tags = fields.List(Text(validate=validate.Length(min=1, max=40)),
                       validate=validate.Length(max=20))


class EditPartner(Schema):
    """A PATCH of a partner: how formal the tie is, its circle, role, dates, visibility."""

    version = _version_field()
    circle = Text(validate=validate.OneOf(PARTNER_CIRCLES))
    formalisation = Text(validate=validate.OneOf(FORMALISATIONS))
    role = Text(allow_none=True, validate=validate.Length(max=200))
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    shown_publicly = StrictBoolean()


class EditMilestone(Schema):
    version = _version_field()
    title = Text(validate=validate.Length(min=1, max=200))
    due_on = fields.Date()


class CorrectSupport(Schema):
    """A staff correction of support given, with its reason."""

    version = _version_field()
    reason = _reason_field()
    kind = Text(validate=validate.OneOf(SUPPORT_KINDS))
    hours = Hundredths(maximum=MAX_SUPPORT_HOURS_A_DAY)
    given_on = fields.Date()
    given_by = Text(validate=validate.Length(min=1, max=200))


class CorrectJobs(Schema):
    """A staff correction of a job report's figures, with its reason."""

    version = _version_field()
    reason = _reason_field()
    created_fte = Hundredths(maximum=10_000)
    consolidated_fte = Hundredths(maximum=10_000)
    insertion_fte = Hundredths(maximum=10_000)


class Project(Schema):
    """What anyone may see of a project."""

    id = fields.String()
    title = fields.String()
    summary = fields.String()
    field = fields.String()
    commune = fields.String()
    territory = fields.String()
    stage = fields.String()
    tags = fields.List(fields.String())
    submitted_at = fields.AwareDateTime()
    version = fields.Integer(metadata={"description": "Send it back with an edit (PATCH)."})


class MoveStage(Schema):
    stage = Text(required=True, validate=validate.OneOf(STAGES))
    reason = Text(load_default=None, allow_none=True, validate=validate.Length(max=500))


class AddPartner(Schema):
    organisation_id = fields.UUID(load_default=None, allow_none=True)
    name = Text(load_default=None, allow_none=True, validate=validate.Length(min=1, max=200))
    circle = Text(required=True, validate=validate.OneOf(PARTNER_CIRCLES))
    formalisation = Text(load_default="informal", validate=validate.OneOf(FORMALISATIONS))
    role = Text(load_default=None, allow_none=True, validate=validate.Length(max=200))
    starts_on = fields.Date(load_default=None, allow_none=True)
    ends_on = fields.Date(load_default=None, allow_none=True)
    shown_publicly = StrictBoolean(load_default=False)


class GiveSupport(Schema):
    kind = Text(required=True, validate=validate.OneOf(SUPPORT_KINDS))
    hours = Hundredths(required=True, maximum=MAX_SUPPORT_HOURS_A_DAY,
                       metadata={"description": "Hours given on one day: more than 0, at "
                                                "most 24, two decimals at most."})
    given_on = fields.Date(required=True)
    given_by = Text(required=True, validate=validate.Length(min=1, max=200))


class SetMilestone(Schema):
    title = Text(required=True, validate=validate.Length(min=1, max=200))
    due_on = fields.Date(required=True)


class CompleteMilestone(Schema):
    completed_on = fields.Date(required=True, metadata={
        "description": "The day it was reached: not after today (Europe/Paris)."})


class ReportJobs(Schema):
    reported_on = fields.Date(required=True)
    created_fte = Hundredths(required=True, maximum=10_000)
    consolidated_fte = Hundredths(required=True, maximum=10_000)
    insertion_fte = Hundredths(load_default=0, maximum=10_000)


class RecordEnterprise(Schema):
    name = Text(required=True, validate=validate.Length(min=2, max=200))
    legal_form = Text(required=True, validate=validate.OneOf(LEGAL_FORMS))
    siren = Text(required=True, validate=validate.Length(max=15))
    created_on = fields.Date(required=True)


class PublishNews(Schema):
    title = Text(required=True, validate=validate.Length(min=1, max=200))
    body = Text(required=True, validate=validate.Length(min=1, max=20_000))
    visibility = Text(load_default="public", validate=validate.OneOf(VISIBILITIES))


class Partner(Schema):
    id = fields.String()
    organisation_id = fields.String(allow_none=True)
    name = fields.String()
    circle = fields.String()
    formalisation = fields.String()
    role = fields.String(allow_none=True)
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    shown_publicly = fields.Boolean()
    version = fields.Integer()


class PublicPartner(Schema):
    name = fields.String()
    role = fields.String(allow_none=True)


class StageMove(Schema):
    from_stage = fields.String(allow_none=True)
    to_stage = fields.String()
    at = fields.AwareDateTime()
    by = fields.String()
    reason = fields.String(allow_none=True)


class SupportSession(Schema):
    id = fields.String()
    kind = fields.String()
    hours = Hundredths(attribute="hours_hundredths")
    given_on = fields.Date()
    given_by = fields.String()
    version = fields.Integer()


class Milestone(Schema):
    id = fields.String()
    title = fields.String()
    due_on = fields.Date()
    completed_on = fields.Date(allow_none=True)
    version = fields.Integer()


class JobReport(Schema):
    id = fields.String()
    reported_on = fields.Date()
    created_fte = Hundredths(attribute="created_fte_hundredths")
    consolidated_fte = Hundredths(attribute="consolidated_fte_hundredths")
    insertion_fte = Hundredths(attribute="insertion_fte_hundredths")
    version = fields.Integer()


class Enterprise(Schema):
    id = fields.String()
    name = fields.String()
    legal_form = fields.String()
    siren = fields.String()
    created_on = fields.Date()


class NewsPost(Schema):
    id = fields.String()
    title = fields.String()
    body = fields.String()
    visibility = fields.String()
    published_at = fields.AwareDateTime()


class Correction(Schema):
    record = fields.String(metadata={"enum": ["support_session", "job_report"]})
    record_id = fields.String()
    field = fields.String()
    before = fields.String(allow_none=True)
    after = fields.String(allow_none=True)
    reason = fields.String()
    by = fields.String()
    at = fields.AwareDateTime()


class ProjectFile(Project):
    """All a project's record, for animators and its carrier's admins."""

    carrier_organisation_id = fields.String(allow_none=True)
    founders = fields.String(allow_none=True)
    animator_account_id = fields.String(allow_none=True)
    stage_entered_at = fields.AwareDateTime()
    history = fields.List(fields.Nested(StageMove))
    partners = fields.List(fields.Nested(Partner))
    support = fields.List(fields.Nested(SupportSession))
    support_hours = Hundredths()
    milestones = fields.List(fields.Nested(Milestone))
    job_reports = fields.List(fields.Nested(JobReport))
    enterprise = fields.Nested(Enterprise, allow_none=True)
    news = fields.List(fields.Nested(NewsPost))
    corrections = fields.List(fields.Nested(Correction), metadata={
        "description": "Staff corrections of support and jobs, oldest first."})


class PublicProject(Project):
    """A project's public page: the partners who agreed to be shown, the public news."""

    partners = fields.List(fields.Nested(PublicPartner))
    news = fields.List(fields.Nested(NewsPost))
    enterprise = fields.Nested(Enterprise, allow_none=True)


class BoardCard(Schema):
    id = fields.String()
    title = fields.String()
    commune = fields.String()
    field = fields.String()
    days_in_stage = fields.Integer()


class BoardColumn(Schema):
    stage = fields.String()
    projects = fields.List(fields.Nested(BoardCard))


class Board(Schema):
    columns = fields.List(fields.Nested(BoardColumn))



# --- events --------------------------------------------------------------------------

class ProjectSubmitted(Schema):
    project_id = fields.UUID(required=True)
    title = fields.String(required=True)
    field = fields.String(required=True)
    commune = fields.String(required=True)
    territory = fields.String(required=True)
    stage = fields.String(required=True)
    carrier_organisation_id = fields.UUID(required=True, allow_none=True)


class ProjectStageChanged(Schema):
    project_id = fields.UUID(required=True)
    from_stage = fields.String(required=True)
    to_stage = fields.String(required=True)
    changed_at = fields.AwareDateTime(required=True)
    by = fields.String(required=True)
    reason = fields.String(required=True, allow_none=True)


class PartnerAdded(Schema):
    partner_id = fields.UUID(required=True)
    project_id = fields.UUID(required=True)
    organisation_id = fields.UUID(required=True, allow_none=True)
    circle = fields.String(required=True)
    formalisation = fields.String(required=True)


class SupportGiven(Schema):
    session_id = fields.UUID(required=True)
    project_id = fields.UUID(required=True)
    kind = fields.String(required=True)
    hours = fields.Float(required=True)
    given_on = fields.Date(required=True)


class MilestoneSet(Schema):
    milestone_id = fields.UUID(required=True)
    project_id = fields.UUID(required=True)
    due_on = fields.Date(required=True)


class MilestoneCompleted(Schema):
    milestone_id = fields.UUID(required=True)
    project_id = fields.UUID(required=True)
    completed_on = fields.Date(required=True)


class JobsReported(Schema):
    report_id = fields.UUID(required=True)
    project_id = fields.UUID(required=True)
    reported_on = fields.Date(required=True)
    created_fte = fields.Float(required=True)
    consolidated_fte = fields.Float(required=True)
    insertion_fte = fields.Float(required=True)


class EnterpriseCreated(Schema):
    enterprise_id = fields.UUID(required=True)
    project_id = fields.UUID(required=True)
    name = fields.String(required=True)
    legal_form = fields.String(required=True)
    siren = fields.String(required=True)
    created_on = fields.Date(required=True)


class NewsPublished(Schema):
    post_id = fields.UUID(required=True)
    project_id = fields.UUID(required=True)
    title = fields.String(required=True)
    body = fields.String(required=True)
    visibility = fields.String(required=True)
    published_at = fields.AwareDateTime(required=True)


class ProjectUpdated(Schema):
    project_id = fields.UUID(required=True)
    version = fields.Integer(required=True)
    changed = fields.List(fields.String(), required=True)
    title = fields.String(required=True)
    summary = fields.String(required=True)
    field = fields.String(required=True)
    commune = fields.String(required=True)
    territory = fields.String(required=True)
    tags = fields.List(fields.String(), required=True)
    carrier_organisation_id = fields.UUID(required=True, allow_none=True)


class PartnerUpdated(PartnerAdded):
    version = fields.Integer(required=True)
    changed = fields.List(fields.String(), required=True)


class MilestoneUpdated(MilestoneSet):
    version = fields.Integer(required=True)
    changed = fields.List(fields.String(), required=True)
    title = fields.String(required=True)


class SupportCorrected(SupportGiven):
    version = fields.Integer(required=True)
    previous_hours = fields.Float(required=True)
    previous_given_on = fields.Date(required=True)
    reason = fields.String(required=True)
    by = fields.String(required=True)


class JobsCorrected(JobsReported):
    version = fields.Integer(required=True)
    changed = fields.List(fields.String(), required=True)
    reason = fields.String(required=True)
    by = fields.String(required=True)


_event = partial(EventSpec, "projects")  # EventSpec(source, name, version, schema, description)


PROJECT_SUBMITTED = _event(
    "project_submitted", 2, ProjectSubmitted,
    "A project entered the incubation pipeline, at its first stage. v2 adds the territory "
    "and the carrying organisation (null when founders carry it).")
PROJECT_STAGE_CHANGED = _event("project_stage_changed", 1, ProjectStageChanged,
                               "A project moved in the pipeline (forward, back with a reason, "
                               "launched by its enterprise, or abandoned).")
PARTNER_ADDED = _event("partner_added", 1, PartnerAdded,
                       "An organisation became a partner of a project, with its circle and "
                       "degree of formalisation.")
SUPPORT_GIVEN = _event("support_given", 1, SupportGiven,
                       "Hours of accompaniment were given to a project.")
MILESTONE_SET = _event("milestone_set", 1, MilestoneSet, "A project set itself a milestone.")
MILESTONE_COMPLETED = _event("milestone_completed", 1, MilestoneCompleted,
                             "A project reached a milestone.")
JOBS_REPORTED = _event(
    "jobs_reported", 1, JobsReported,
    "A project's jobs at a date (FTE, two decimals): the latest report of a project is its "
    "current figure; a correction is a new report.")
ENTERPRISE_CREATED = _event("enterprise_created", 1, EnterpriseCreated,
                            "A project created its social enterprise; the project is launched.")
NEWS_PUBLISHED = _event(
    "news_published", 2, NewsPublished,
    "A project published news for the public or for its contributors. v2 adds its text: "
    "notifications mails it to the project's contributors, and news for contributors only "
    "is read nowhere else.")

PROJECT_UPDATED = _event(
    "project_updated", 1, ProjectUpdated,
    "A project was edited: its public fields as they are now, its new version (keep the "
    "greatest: edits may arrive out of order) and the names of the fields it changed.")
PARTNER_UPDATED = _event(
    "partner_updated", 1, PartnerUpdated,
    "A partner's circle, formalisation, role, dates or visibility were edited: its circle "
    "and formalisation as they are now, its version, the fields changed.")
MILESTONE_UPDATED = _event(
    "milestone_updated", 1, MilestoneUpdated,
    "A milestone's title or due date was edited: as they are now, with its version.")
SUPPORT_CORRECTED = _event(
    "support_corrected", 1, SupportCorrected,
    "Staff corrected hours of accompaniment: the entry as it is now and its hours and day "
    "before, so that a sum by year moves by the difference; with the reason.")
JOBS_CORRECTED = _event(
    "jobs_corrected", 1, JobsCorrected,
    "Staff corrected a job report's figures (its day stays): the report as it is now, "
    "with the reason. It counts as the latest figure of its day.")

PUBLISHED_EVENTS = (PROJECT_SUBMITTED, PROJECT_STAGE_CHANGED, PARTNER_ADDED, SUPPORT_GIVEN,
                    MILESTONE_SET, MILESTONE_COMPLETED, JOBS_REPORTED, ENTERPRISE_CREATED,
                    NEWS_PUBLISHED, PROJECT_UPDATED, PARTNER_UPDATED, MILESTONE_UPDATED,
                    SUPPORT_CORRECTED, JOBS_CORRECTED)
