"""What goes in and out of members: RPC payloads and event data."""
from marshmallow import Schema, fields, validate

from services.members.domain import LEGAL_FORMS
from shared.envelope import EventSpec


class RegisterOrganisation(Schema):
    name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    legal_form = fields.String(required=True, validate=validate.OneOf(LEGAL_FORMS))
    siret = fields.String(load_default=None, allow_none=True)
    postal_code = fields.String(required=True, validate=validate.Regexp(
        r"^\d{5}$", error="A French postal code has 5 digits."))
    commune = fields.String(required=True, validate=validate.Length(min=1, max=120))


class Organisation(Schema):
    id = fields.String()
    name = fields.String()
    legal_form = fields.String()
    siret = fields.String(allow_none=True)
    postal_code = fields.String()
    commune = fields.String()
    registered_at = fields.AwareDateTime()


class OrganisationRegistered(Schema):
    organisation_id = fields.UUID(required=True)
    name = fields.String(required=True)
    legal_form = fields.String(required=True)
    siret = fields.String(required=True, allow_none=True)
    postal_code = fields.String(required=True)
    commune = fields.String(required=True)


ORGANISATION_REGISTERED = EventSpec(
    "members", "organisation_registered", 1, OrganisationRegistered,
    "An organisation was added to the cluster's register.",
)

PUBLISHED_EVENTS = (ORGANISATION_REGISTERED,)
