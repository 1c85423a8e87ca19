"""What the gateway itself answers: tokens and problems. The rest of the API's schemas
are the services' own, the very ones that validate each request."""
from marshmallow import Schema, fields

from services.funding.schemas import Campaign, Contribution, InvestorProfile, MyQuestion
from services.members.schemas import Account, PersonalData
from services.notifications.schemas import PersonMail
from services.projects.schemas import PublicProject


class TokenPair(Schema):
    access_token = fields.String(required=True)
    token_type = fields.String(required=True, metadata={"enum": ["Bearer"]})
    expires_in = fields.Integer(required=True, metadata={"description": "seconds"})
    refresh_token = fields.String(required=True)
    account = fields.Nested(Account, required=True)


class FieldError(Schema):
    field = fields.String(required=True)
    messages = fields.List(fields.String(), required=True)


class Problem(Schema):
    """RFC 9457 problem details, with our stable `code`."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    code = fields.String(required=True)
    instance = fields.String(required=True)
    correlation_id = fields.String(required=True)
    detail = fields.String()
    errors = fields.List(fields.Nested(FieldError))
    # 429 only: seconds to wait (as the Retry-After header), and when, if fixed.
    retry_after = fields.Integer()
    retry_at = fields.AwareDateTime()


class ProjectPublicPage(PublicProject):
    """A project's public page, with the campaigns its reader may see (from funding)."""

    campaigns = fields.List(fields.Nested(Campaign))


class HeldAboutPerson(Schema):
    """Everything held about a person (gateway.privacy): members' part, then funding's
    and notifications' of their account (none without an account)."""

    personal_data = fields.Nested(PersonalData, required=True)
    contributions = fields.List(fields.Nested(Contribution), required=True)
    investor_profile = fields.Nested(InvestorProfile, required=True, allow_none=True)
    questions = fields.List(fields.Nested(MyQuestion), required=True)
    mails = fields.List(fields.Nested(PersonMail), required=True)
