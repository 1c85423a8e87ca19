"""What goes in and out of funding: RPC payloads and event data."""
from marshmallow import Schema, fields, validate

from services.funding.domain import KINDS, MAX_AMOUNT_CENTS, MIN_CONTRIBUTION_CENTS, STATUSES
from shared.envelope import EventSpec
from shared.pagination import PageQuery

Cents = fields.Integer  # amounts are integer cents; `strict` refuses 10.5 and "10"


class CreateCampaign(Schema):
    project_id = fields.UUID(required=True)
    title = fields.String(required=True, validate=validate.Length(min=3, max=200))
    kind = fields.String(load_default="donation", validate=validate.OneOf(KINDS))
    goal_cents = Cents(required=True, strict=True,
                       validate=validate.Range(min=1, max=MAX_AMOUNT_CENTS))
    deadline = fields.AwareDateTime(required=True)


class Contribute(Schema):
    amount_cents = Cents(required=True, strict=True, validate=validate.Range(
        min=MIN_CONTRIBUTION_CENTS, max=MAX_AMOUNT_CENTS))
    contributor_name = fields.String(load_default=None, allow_none=True,
                                     validate=validate.Length(max=200))


class ListCampaigns(PageQuery):
    status = fields.String(validate=validate.OneOf(STATUSES))
    project_id = fields.UUID()


class Campaign(Schema):
    id = fields.String()
    project_id = fields.String()
    title = fields.String()
    kind = fields.String()
    goal_cents = fields.Integer()
    deadline = fields.AwareDateTime()
    status = fields.String()
    raised_cents = fields.Integer()
    contributions_count = fields.Integer()
    created_at = fields.AwareDateTime()
    published_at = fields.AwareDateTime(allow_none=True)


class Contribution(Schema):
    id = fields.String()
    campaign_id = fields.String()
    amount_cents = fields.Integer()
    contributor_name = fields.String(allow_none=True)
    contributor_account_id = fields.String(allow_none=True)
    status = fields.String()
    created_at = fields.AwareDateTime()


class CampaignCreated(Schema):
    campaign_id = fields.UUID(required=True)
    project_id = fields.UUID(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True)
    goal_cents = fields.Integer(required=True, strict=True)
    deadline = fields.AwareDateTime(required=True)


class CampaignPublished(Schema):
    campaign_id = fields.UUID(required=True)
    project_id = fields.UUID(required=True)
    published_at = fields.AwareDateTime(required=True)


class ContributionConfirmed(Schema):
    contribution_id = fields.UUID(required=True)
    campaign_id = fields.UUID(required=True)
    project_id = fields.UUID(required=True)
    amount_cents = fields.Integer(required=True, strict=True)
    confirmed_at = fields.AwareDateTime(required=True)


CAMPAIGN_CREATED = EventSpec(
    "funding", "campaign_created", 1, CampaignCreated,
    "A campaign was drafted for a project; it takes no money until published.",
)
CAMPAIGN_PUBLISHED = EventSpec(
    "funding", "campaign_published", 1, CampaignPublished,
    "A campaign went live and takes contributions.",
)
CONTRIBUTION_CONFIRMED = EventSpec(
    "funding", "contribution_confirmed", 1, ContributionConfirmed,
    "A contribution was confirmed; its amount counts in the campaign's total.",
)

PUBLISHED_EVENTS = (CAMPAIGN_CREATED, CAMPAIGN_PUBLISHED, CONTRIBUTION_CONFIRMED)
