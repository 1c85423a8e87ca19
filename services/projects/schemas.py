"""What goes in and out of projects: RPC payloads and event data."""
from marshmallow import Schema, fields, validate

from services.projects.domain import FIELDS, STAGES
from shared.envelope import EventSpec
from shared.pagination import PageQuery


class SubmitProject(Schema):
    title = fields.String(required=True, validate=validate.Length(min=3, max=200))
    summary = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    field = fields.String(required=True, validate=validate.OneOf(FIELDS))
    commune = fields.String(required=True, validate=validate.Length(min=1, max=120))


class ListProjects(PageQuery):
    field = fields.String(validate=validate.OneOf(FIELDS))
    stage = fields.String(validate=validate.OneOf(STAGES))
    commune = fields.String(validate=validate.Length(min=1, max=120))


class Project(Schema):
    id = fields.String()
    title = fields.String()
    summary = fields.String()
    field = fields.String()
    commune = fields.String()
    stage = fields.String()
    submitted_at = fields.AwareDateTime()


class ProjectSubmitted(Schema):
    project_id = fields.UUID(required=True)
    title = fields.String(required=True)
    field = fields.String(required=True)
    commune = fields.String(required=True)
    stage = fields.String(required=True)


PROJECT_SUBMITTED = EventSpec(
    "projects", "project_submitted", 1, ProjectSubmitted,
    "A project entered the incubation pipeline, at its first stage.",
)

PUBLISHED_EVENTS = (PROJECT_SUBMITTED,)
