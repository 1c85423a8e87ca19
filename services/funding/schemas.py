"""What goes in and out of funding: RPC payloads and event data."""
import copy
from functools import partial

from marshmallow import Schema, fields, validate

from services.funding.domain.campaigns import (
    HANDOVERS,
    IMAGE_MEDIA_TYPES,
    KINDS,
    MAX_AMOUNT_CENTS,
    MODELS,
    PHASES,
    SORT_RECENT,
    SORTS,
    STATUSES,
)
from services.funding.domain.payments import CHANNELS, DISCREPANCY_KINDS, PAYMENT_METHODS, STATES
from services.funding.domain.questions import ANSWERERS
from services.funding.domain.receipts import CANCEL_REASON_LABELS, REDUCTION_RATES
from services.funding.domain.resources import FUNDER_TYPES, RESOURCE_KINDS
from shared.cluster import FIELD_LABELS
from shared.envelope import EventSpec
from shared.pagination import PageQuery
from shared.schemas import Hundredths, StrictBoolean

Amount = partial(fields.Integer, strict=True,  # cents; `strict` refuses 10.5 and "10"
                 validate=validate.Range(min=1, max=MAX_AMOUNT_CENTS))
Text = partial(fields.String, validate=validate.Length(max=2000))


# --- campaigns -----------------------------------------------------------------------

class RewardInput(Schema):
    title = fields.String(required=True, validate=validate.Length(min=2, max=200))
    description = fields.String(load_default="", validate=validate.Length(max=2000))
    min_amount_cents = Amount(required=True)
    stock = fields.Integer(load_default=None, allow_none=True, strict=True,
                           validate=validate.Range(min=1, max=1_000_000),
                           metadata={"description": "null: unlimited"})
    estimated_delivery = fields.Date(load_default=None, allow_none=True)
    handover = fields.String(load_default="delivery", validate=validate.OneOf(HANDOVERS),
                             metadata={"description": "sent by post (delivery) or picked "
                                                      "up (pick_up)"})


class MatchfundingInput(Schema):
    """An institution adds as much again to each contribution, within three caps."""

    funder = fields.String(required=True, validate=validate.Length(min=2, max=200))
    per_contribution_cap_cents = Amount(required=True)
    per_contributor_cap_cents = Amount(required=True)
    total_cap_cents = Amount(required=True)


class EditCampaign(Schema):
    """What its authors change in a campaign while it is a draft or sent back (PATCH
    names only what it changes, with the `version` it was made on)."""

    title = fields.String(required=True, validate=validate.Length(min=3, max=200))
    description = fields.String(load_default="", validate=validate.Length(max=20_000),
                                metadata={"description": "the campaign's story, in Markdown "
                                          "(headings, emphasis, lists, links; no HTML)"})
    video_url = fields.Url(load_default=None, allow_none=True, schemes={"https"},
                           validate=validate.Length(max=500),
                           metadata={"description": "a link to a video (https)"})
    kind = fields.String(load_default="donation", validate=validate.OneOf(KINDS))
    model = fields.String(load_default="keep_it_all", validate=validate.OneOf(MODELS))
    goal_cents = Amount(required=True)
    optimum_cents = Amount(load_default=None, allow_none=True)
    cap_cents = Amount(load_default=None, allow_none=True)
    people_goal = fields.Integer(load_default=None, allow_none=True, strict=True,
                                 validate=validate.Range(min=1, max=1_000_000))
    min_contribution_cents = Amount(load_default=None, allow_none=True)
    starts_at = fields.AwareDateTime(load_default=None, allow_none=True)
    deadline = fields.AwareDateTime(required=True)
    rewards = fields.List(fields.Nested(RewardInput), load_default=list,
                          validate=validate.Length(max=50))
    matchfunding = fields.Nested(MatchfundingInput, load_default=None, allow_none=True,
                                 metadata={"description": "staff only"})
    key_information = fields.Dict(keys=fields.String(validate=validate.Length(max=100)),
                                  load_default=None, allow_none=True,
                                  metadata={"description": "The key investment information "
                                            "sheet of a loan or shares campaign."})


class CreateCampaign(EditCampaign):
    project_id = fields.UUID(required=True)


def _optional(field):
    field = copy.copy(field)
    field.required = False
    return field


# The body of PATCH /campaigns/<id>, as documented: any of EditCampaign's fields, with the
# version the edit was made on (shared.schemas.load_patch takes the version out before
# EditCampaign reads the rest, partially).
EditCampaignBody = Schema.from_dict({
    **{name: _optional(field) for name, field in EditCampaign._declared_fields.items()},
    "version": fields.Integer(required=True, strict=True,
                              metadata={"description": "the version the edit was made on"}),
}, name="EditCampaignBody")


class CoverImage(Schema):
    """A picture sent for a campaign's cover, base64 across RPC."""

    content = fields.String(required=True)
    media_type = fields.String(required=True, validate=validate.OneOf(IMAGE_MEDIA_TYPES))


class ReviewNote(Schema):
    note = fields.String(load_default=None, allow_none=True,
                         validate=validate.Length(max=2000))


class ListCampaigns(PageQuery):
    status = fields.String(validate=validate.OneOf(STATUSES))
    project_id = fields.UUID()
    kind = fields.String(validate=validate.OneOf(KINDS))
    commune = fields.String(validate=validate.Length(min=1, max=120),
                            metadata={"description": "the project's commune, as written"})
    field = fields.String(validate=validate.OneOf(tuple(FIELD_LABELS)),
                          metadata={"description": "the project's field"})
    phase = fields.String(validate=validate.OneOf(PHASES), metadata={
        "description": "live; ended (succeeded, failed or closed); succeeded (met its goal, "
                       "succeeded or since closed)"})
    sort = fields.String(validate=validate.OneOf(SORTS), metadata={
        "description": "recent (newest first), ending (nearest deadline first), supported "
                       "(most contributions first); default: oldest first. A cursor is good "
                       "in the order that gave it only"})


class PlacesQuery(Schema):
    status = fields.String(load_default="live", validate=validate.OneOf(STATUSES))
    phase = fields.String(validate=validate.OneOf(PHASES),
                          metadata={"description": "instead of status, as the list's"})


class CampaignPlaces(Schema):
    communes = fields.List(fields.String(), metadata={"description": "alphabetical"})
    fields_ = fields.List(fields.String(), data_key="fields")


class Reward(Schema):
    id = fields.String()
    title = fields.String()
    description = fields.String()
    min_amount_cents = fields.Integer()
    stock = fields.Integer(allow_none=True)
    remaining = fields.Integer(allow_none=True, metadata={"description": "null: unlimited"})
    estimated_delivery = fields.Date(allow_none=True)
    handover = fields.String(allow_none=True, metadata={"description": "delivery or pick_up"})


class Matchfunding(Schema):
    funder = fields.String()
    per_contribution_cap_cents = fields.Integer()
    per_contributor_cap_cents = fields.Integer()
    total_cap_cents = fields.Integer()
    matched_cents = fields.Integer()


class Campaign(Schema):
    id = fields.String()
    project_id = fields.String()
    carrier_organisation_id = fields.String(allow_none=True, metadata={
        "description": "the member organisation carrying the project; null: carried by "
                       "its founders"})
    title = fields.String()
    description = fields.String()
    kind = fields.String()
    model = fields.String()
    goal_cents = fields.Integer()
    optimum_cents = fields.Integer(allow_none=True)
    cap_cents = fields.Integer(allow_none=True)
    people_goal = fields.Integer(allow_none=True)
    min_contribution_cents = fields.Integer()
    starts_at = fields.AwareDateTime()
    deadline = fields.AwareDateTime()
    status = fields.String()
    raised_cents = fields.Integer()
    matched_cents = fields.Integer()
    total_cents = fields.Integer(metadata={"description": "raised plus matched"})
    committed_cents = fields.Integer()
    refunded_cents = fields.Integer()
    contributions_count = fields.Integer()
    new_members = fields.Integer()
    rewards = fields.List(fields.Nested(Reward))
    matchfunding = fields.Nested(Matchfunding, allow_none=True)
    key_information = fields.Dict(allow_none=True)
    review_note = fields.String(allow_none=True, metadata={
        "description": "why review sent it back; null unless the reader sees unpublished "
                       "campaigns of its project (staff, the carrier's member admins)"})
    video_url = fields.String(allow_none=True)
    cover_image = fields.Nested("CampaignImageRef", allow_none=True)
    version = fields.Integer(metadata={"description": "what an edit (PATCH) names"})
    created_at = fields.AwareDateTime()
    published_at = fields.AwareDateTime(allow_none=True)
    decided_at = fields.AwareDateTime(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)


class CampaignImageRef(Schema):
    id = fields.String(metadata={"description": "the SHA-256 of the picture's bytes"})
    url = fields.String(metadata={"description": "where it is served, cached for ever"})
    width = fields.Integer()
    height = fields.Integer()


class CampaignImageFile(Schema):
    """A stored picture, base64 across RPC."""

    id = fields.String()
    media_type = fields.String()
    content = fields.String()


# --- contributions -------------------------------------------------------------------

class Acknowledgements(Schema):
    """What an investor declares before a loan or shares (EU 2020/1503 art. 21)."""

    risk_warning_accepted = StrictBoolean(load_default=False)
    key_information_read = StrictBoolean(load_default=False)
    large_investment_consent = StrictBoolean(load_default=False)
    understanding_confirmed = StrictBoolean(load_default=False)


def _part(limit, **options):
    return fields.String(validate=validate.Length(min=1, max=limit), **options)


class TaxReceiptRequest(Schema):
    """The donor's legal identity and postal address, as a tax receipt (Cerfa 11580)
    states them: an individual's first and last names, or a company's name."""

    donor_type = fields.String(load_default="individual",
                               validate=validate.OneOf(tuple(REDUCTION_RATES)))
    first_name = _part(100, load_default=None, allow_none=True)
    last_name = _part(100, load_default=None, allow_none=True)
    company_name = _part(200, load_default=None, allow_none=True)
    siren = fields.String(load_default=None, allow_none=True,
                          validate=validate.Length(max=20),
                          metadata={"description": "A company's, if it has one."})
    street = _part(200, required=True)
    postal_code = _part(10, required=True)
    commune = _part(100, required=True)
    country = _part(60, load_default="France")


class Contribute(Schema):
    amount_cents = Amount(required=True)
    reward_id = fields.UUID(load_default=None, allow_none=True)
    contributor_name = fields.String(load_default=None, allow_none=True,
                                     validate=validate.Length(max=200),
                                     metadata={"description": "Shown among contributors; "
                                               "never on a tax receipt."})
    tax_receipt = fields.Nested(TaxReceiptRequest, load_default=None, allow_none=True,
                                metadata={"description": "A donation's tax receipt is "
                                          "issued only with the donor's legal name and "
                                          "address; null: no receipt for this gift."})
    public = StrictBoolean(load_default=True,
                            metadata={"description": "false: shown as anonymous"})
    amount_public = StrictBoolean(load_default=True, metadata={
        "description": "false: the campaign page lists the contributor without the amount"})
    payment_method = fields.String(load_default="card", validate=validate.OneOf(PAYMENT_METHODS),
                                   metadata={"description": "transfer: pay by bank transfer "
                                             "with the reference answered"})
    acknowledgements = fields.Nested(Acknowledgements, load_default=dict)


class RecordOffline(Schema):
    amount_cents = Amount(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS[1:]))
    reference = fields.String(required=True, validate=validate.Length(min=1, max=100),
                              metadata={"description": "Cheque number, transfer reference "
                                        "or cash book line."})
    reward_id = fields.UUID(load_default=None, allow_none=True)
    contributor_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    tax_receipt = fields.Nested(TaxReceiptRequest, load_default=None, allow_none=True)
    public = StrictBoolean(load_default=True)


class TransferReceived(Schema):
    reference = fields.String(required=True, validate=validate.Length(min=5, max=100))
    amount_cents = Amount(required=True)


class BoardDecision(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(("approved", "declined")))


class ContributionsQuery(PageQuery):
    """A list of contributions: oldest first, or newest first."""

    sort = fields.String(validate=validate.OneOf((SORT_RECENT,)), metadata={
        "description": "recent (newest first); default: oldest first. A cursor is good in "
                       "the order that gave it only"})


class ListContributions(ContributionsQuery):
    status = fields.String(validate=validate.OneOf(STATES))


class Contribution(Schema):
    id = fields.String()
    campaign_id = fields.String()
    reward_id = fields.String(allow_none=True)
    amount_cents = fields.Integer()
    matched_cents = fields.Integer()
    contributor_name = fields.String(allow_none=True)
    contributor_account_id = fields.String(allow_none=True)
    public = fields.Boolean()
    status = fields.String()
    channel = fields.String()
    transfer_reference = fields.String(attribute="offline_reference", allow_none=True,
                                       metadata={"description": "To write on the transfer."})
    counted = fields.Boolean()
    cancel_reason = fields.String(allow_none=True)
    payment_url = fields.String(allow_none=True,
                                metadata={"description": "Where the payer confirms."})
    hold_expires_at = fields.AwareDateTime(allow_none=True)
    reflection_ends_at = fields.AwareDateTime(allow_none=True)
    board_decision = fields.String(allow_none=True)
    receipt_number = fields.String(allow_none=True)
    receipt_status = fields.String(metadata={"description": (
        "not_applicable (not a donation), not_requested (no legal name and address: no "
        "receipt can be issued), requested (issued at capture), issued, or cancelled "
        "(the donation was refunded)")})
    receipt_notice = fields.String(allow_none=True, metadata={
        "description": "In French, when no receipt can be issued for this gift."})
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class PublicContribution(Schema):
    """A contribution as the campaign page lists it: anonymous ones have no name, and
    those whose contributor chose so no amount."""

    amount_cents = fields.Integer(allow_none=True)
    contributor_name = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()


# --- questions -----------------------------------------------------------------------

class AskQuestion(Schema):
    body = fields.String(required=True, validate=validate.Length(min=5, max=2000))
    asker_name = fields.String(load_default=None, allow_none=True,
                               validate=validate.Length(max=100),
                               metadata={"description": "the name shown beside the question "
                                         "(a first name); null: shown as anonymous"})


class AnswerQuestion(Schema):
    answer = fields.String(required=True, validate=validate.Length(min=2, max=4000))


class Question(Schema):
    """A public question on a campaign and its answer, as anyone reads them."""

    id = fields.String()
    campaign_id = fields.String()
    asker_name = fields.String(allow_none=True)
    body = fields.String()
    asked_at = fields.AwareDateTime()
    answer = fields.String(allow_none=True)
    answered_by = fields.String(allow_none=True, metadata={
        "description": "carrier (the organisation carrying the project) or team (the "
                       "cluster's animators); null: not answered yet"})
    answered_at = fields.AwareDateTime(allow_none=True)


class MyQuestion(Question):
    """A question as its asker reads it among their data: its campaign named."""

    campaign_title = fields.String()


class Webhook(Schema):
    received = fields.Boolean()
    applied = fields.Boolean()


class PaymentDiscrepancy(Schema):
    """What a webhook claimed, or what funding held, that the provider's state denied."""

    id = fields.String()
    kind = fields.String(metadata={"description": "claim_contradicted: a webhook claimed a "
                                   "state the provider denies (nothing moved beyond the "
                                   "provider's word); state_corrected: money we counted the "
                                   "provider never took or let go, corrected to its state; "
                                   "state_contradicted: left for staff to decide"})
    contribution_id = fields.String()
    payment_id = fields.String()
    source = fields.String(metadata={"description": "webhook, or clock (funding asked)"})
    event_id = fields.String(allow_none=True)
    claimed_status = fields.String(allow_none=True)
    provider_status = fields.String()
    status_before = fields.String()
    status_after = fields.String()
    detected_at = fields.AwareDateTime()


class ListDiscrepancies(PageQuery):
    kind = fields.String(validate=validate.OneOf(DISCREPANCY_KINDS))
    contribution_id = fields.UUID()


# --- investors -----------------------------------------------------------------------

class KnowledgeTestAnswers(Schema):
    answers = fields.Dict(keys=fields.String(validate=validate.Length(max=50)),
                          values=fields.String(validate=validate.Length(max=50)),
                          required=True)


class LossSimulationInput(Schema):
    net_worth_cents = fields.Integer(required=True, strict=True,
                                     validate=validate.Range(min=0, max=MAX_AMOUNT_CENTS))


class InvestorProfile(Schema):
    account_id = fields.String()
    sophisticated = fields.Boolean()
    knowledge_test_passed_at = fields.AwareDateTime(allow_none=True)
    knowledge_test_valid = fields.Boolean()
    # Failed attempts left before the test is refused (EU 2020/1503 art. 21: the test
    # assesses knowledge, it is not to be answered until it passes), and when it may be
    # taken again once refused (None: now).
    knowledge_test_attempts_left = fields.Integer()
    knowledge_test_retry_at = fields.AwareDateTime(allow_none=True)
    net_worth_cents = fields.Integer(allow_none=True)
    loss_capacity_cents = fields.Integer(allow_none=True)
    large_investment_threshold_cents = fields.Integer(allow_none=True)
    loss_simulated_at = fields.AwareDateTime(allow_none=True)


# --- beneficiaries and receipts ------------------------------------------------------

class BeneficiaryInput(Schema):
    legal_name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    siren = fields.String(load_default=None, allow_none=True,
                          validate=validate.Regexp(r"^\d{9}$"))
    address = fields.String(required=True, validate=validate.Length(min=5, max=300))
    purpose = fields.String(required=True, validate=validate.Length(min=3, max=500))
    receipt_eligible = StrictBoolean(required=True)
    signatory_name = fields.String(load_default=None, allow_none=True,
                                   validate=validate.Length(min=2, max=120),
                                   metadata={"description": "Who signs the receipts; "
                                             "required when receipt_eligible."})
    signatory_capacity = fields.String(load_default=None, allow_none=True,
                                       validate=validate.Length(min=2, max=100),
                                       metadata={"description": "Their capacity, e.g. "
                                                 "présidente; required when "
                                                 "receipt_eligible."})


class Beneficiary(Schema):
    organisation_id = fields.String()
    legal_name = fields.String()
    siren = fields.String(allow_none=True)
    address = fields.String()
    purpose = fields.String()
    receipt_eligible = fields.Boolean()
    signatory_name = fields.String(allow_none=True)
    signatory_capacity = fields.String(allow_none=True)
    updated_at = fields.AwareDateTime()


# --- other resources -----------------------------------------------------------------

class RecordResource(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(RESOURCE_KINDS))
    amount_cents = Amount(required=True)
    year = fields.Integer(required=True, strict=True, validate=validate.Range(min=2000,
                                                                               max=2100))
    project_id = fields.UUID(load_default=None, allow_none=True,
                             metadata={"description": "null: the cluster itself"})
    funder = fields.String(load_default=None, allow_none=True,
                           validate=validate.Length(min=2, max=200))
    funder_type = fields.String(load_default=None, allow_none=True,
                                validate=validate.OneOf(FUNDER_TYPES))
    programme = fields.String(load_default=None, allow_none=True,
                              validate=validate.Length(max=200))
    description = fields.String(load_default="", validate=validate.Length(max=1000))


class Resource(Schema):
    id = fields.String()
    kind = fields.String()
    amount_cents = fields.Integer()
    year = fields.Integer()
    project_id = fields.String(allow_none=True)
    funder = fields.String(allow_none=True)
    funder_type = fields.String(allow_none=True)
    programme = fields.String(allow_none=True)
    description = fields.String()
    created_at = fields.AwareDateTime()


class ListResources(PageQuery):
    kind = fields.String(validate=validate.OneOf(RESOURCE_KINDS))
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    project_id = fields.UUID()


class RecordVolunteering(Schema):
    hours = Hundredths(required=True, maximum=1000)
    done_on = fields.Date(required=True)
    activity = fields.String(required=True, validate=validate.Length(min=2, max=300))
    project_id = fields.UUID(load_default=None, allow_none=True)


class Volunteering(Schema):
    id = fields.String()
    hours = Hundredths(attribute="hours_hundredths")
    done_on = fields.Date()
    activity = fields.String()
    project_id = fields.String(allow_none=True)
    hour_value_cents = fields.Integer()
    valued_cents = fields.Integer()
    created_at = fields.AwareDateTime()


class ListVolunteering(PageQuery):
    project_id = fields.UUID()


# --- events --------------------------------------------------------------------------

class CampaignCreated(Schema):
    campaign_id = fields.UUID(required=True)
    project_id = fields.UUID(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True)
    model = fields.String(required=True)
    goal_cents = fields.Integer(required=True, strict=True)
    cap_cents = fields.Integer(required=True, strict=True, allow_none=True)
    people_goal = fields.Integer(required=True, strict=True, allow_none=True)
    matchfunder = fields.String(required=True, allow_none=True)
    starts_at = fields.AwareDateTime(required=True)
    deadline = fields.AwareDateTime(required=True)


class CampaignEdited(CampaignCreated):
    version = fields.Integer(required=True, strict=True)


class CampaignMoved(Schema):
    campaign_id = fields.UUID(required=True)
    project_id = fields.UUID(required=True)
    status = fields.String(required=True)
    by = fields.String(required=True, allow_none=True)
    note = fields.String(required=True, allow_none=True)


class CampaignPublished(Schema):
    campaign_id = fields.UUID(required=True)
    project_id = fields.UUID(required=True)
    published_at = fields.AwareDateTime(required=True)


class CampaignDecided(Schema):
    campaign_id = fields.UUID(required=True)
    project_id = fields.UUID(required=True)
    kind = fields.String(required=True)
    model = fields.String(required=True)
    goal_cents = fields.Integer(required=True, strict=True)
    raised_cents = fields.Integer(required=True, strict=True)
    matched_cents = fields.Integer(required=True, strict=True)
    contributions_count = fields.Integer(required=True, strict=True)
    new_members = fields.Integer(required=True, strict=True)
    decided_at = fields.AwareDateTime(required=True)


class CampaignClosed(Schema):
    campaign_id = fields.UUID(required=True)
    project_id = fields.UUID(required=True)
    status_before = fields.String(required=True)
    raised_cents = fields.Integer(required=True, strict=True)
    refunded_cents = fields.Integer(required=True, strict=True)
    closed_at = fields.AwareDateTime(required=True)


class ContributionFact(Schema):
    """What every contribution event says: which one, where, how much, in what state."""

    contribution_id = fields.UUID(required=True)
    campaign_id = fields.UUID(required=True)
    project_id = fields.UUID(required=True)
    kind = fields.String(required=True)
    model = fields.String(required=True)
    channel = fields.String(required=True)
    amount_cents = fields.Integer(required=True, strict=True)
    status = fields.String(required=True)
    at = fields.AwareDateTime(required=True)
    # Added later, optional (consumers of older events see neither): whose it is, so that
    # notifications can tell them; when an investment's reflection period ends.
    contributor_account_id = fields.UUID(load_default=None, allow_none=True)
    reflection_ends_at = fields.AwareDateTime(load_default=None, allow_none=True)
    # Added later, optional: the reward chosen, as its contributor's mails repeat it.
    reward_title = fields.String(load_default=None, allow_none=True)


class ContributionConfirmed(ContributionFact):
    matched_cents = fields.Integer(required=True, strict=True)
    contributor_account_id = fields.UUID(required=True, allow_none=True)
    confirmed_at = fields.AwareDateTime(required=True)


class ContributionEnded(ContributionFact):
    was_counted = StrictBoolean(required=True)
    matched_cents = fields.Integer(required=True, strict=True,
                                   metadata={"description": "matchfunding given back"})
    reason = fields.String(required=True, allow_none=True)


class SubscriptionDecided(Schema):
    contribution_id = fields.UUID(required=True)
    campaign_id = fields.UUID(required=True)
    project_id = fields.UUID(required=True)
    amount_cents = fields.Integer(required=True, strict=True)
    decision = fields.String(required=True)
    new_member = StrictBoolean(required=True)


class ReceiptIssued(Schema):
    number = fields.String(required=True)
    contribution_id = fields.UUID(required=True)
    organisation_id = fields.UUID(required=True)
    amount_cents = fields.Integer(required=True, strict=True)
    year = fields.Integer(required=True, strict=True)


class ReceiptCancelled(ReceiptIssued):
    reason = fields.String(required=True, validate=validate.OneOf(tuple(CANCEL_REASON_LABELS)))
    cancelled_at = fields.AwareDateTime(required=True)


class ResourceRecorded(Schema):
    resource_id = fields.UUID(required=True)
    kind = fields.String(required=True)
    amount_cents = fields.Integer(required=True, strict=True)
    year = fields.Integer(required=True, strict=True)
    project_id = fields.UUID(required=True, allow_none=True)
    funder = fields.String(required=True, allow_none=True)
    funder_type = fields.String(required=True, allow_none=True)
    programme = fields.String(required=True, allow_none=True)


class VolunteeringRecorded(Schema):
    volunteering_id = fields.UUID(required=True)
    hours_hundredths = fields.Integer(required=True, strict=True)
    done_on = fields.Date(required=True)
    year = fields.Integer(required=True, strict=True)
    activity = fields.String(required=True)
    project_id = fields.UUID(required=True, allow_none=True)
    hour_value_cents = fields.Integer(required=True, strict=True)
    valued_cents = fields.Integer(required=True, strict=True)


class QuestionAsked(Schema):
    question_id = fields.UUID(required=True)
    campaign_id = fields.UUID(required=True)
    account_id = fields.UUID(required=True)
    asked_at = fields.AwareDateTime(required=True)


class QuestionAnswered(Schema):
    question_id = fields.UUID(required=True)
    campaign_id = fields.UUID(required=True)
    account_id = fields.UUID(required=True, allow_none=True,
                             metadata={"description": "who asked (null once erased)"})
    answered_by = fields.String(required=True, validate=validate.OneOf(ANSWERERS))
    answered_at = fields.AwareDateTime(required=True)
    campaign_title = fields.String(required=True)
    question = fields.String(required=True, metadata={"description": "its text, as shown"})
    answer = fields.String(required=True, metadata={"description": "the answer, as shown"})


_event = partial(EventSpec, "funding")  # EventSpec(source, name, version, schema, description)

CAMPAIGN_CREATED = _event(
    "campaign_created", 2, CampaignCreated,
    "A campaign was drafted for a project; it takes no money until approved. v2 adds the "
    "model, cap, people goal, matchfunder and start.")
CAMPAIGN_EDITED = _event(
    "campaign_edited", 1, CampaignEdited,
    "Its authors changed a draft campaign, or one sent back (its values after the edit, "
    "and the campaign's version).")
CAMPAIGN_SUBMITTED = _event("campaign_submitted", 1, CampaignMoved,
                            "A draft campaign was submitted for review by an animator.")
CAMPAIGN_SENT_BACK = _event("campaign_returned", 1, CampaignMoved,
                            "An animator sent a campaign under review back to its authors "
                            "(status sent_back), with a note.")
CAMPAIGN_PUBLISHED = _event("campaign_published", 1, CampaignPublished,
                            "An animator approved a campaign: it is live and takes contributions "
                            "from its start.")
CAMPAIGN_SUCCEEDED = _event("campaign_succeeded", 1, CampaignDecided,
                            "At its deadline a campaign met its goal (and people goal): its "
                            "contributions are captured.")
CAMPAIGN_FAILED = _event("campaign_failed", 1, CampaignDecided,
                         "At its deadline a campaign missed its goal: all-or-nothing ones give "
                         "every contribution back; keep-it-all ones keep the money.")
CAMPAIGN_CLOSED = _event("campaign_closed", 1, CampaignClosed,
                         "Every contribution of a decided campaign reached its final state.")
CONTRIBUTION_PLEDGED = _event("contribution_pledged", 1, ContributionFact,
                              "A contribution was offered; its payment is pending. It holds its "
                              "reward and its place under the cap.")
CONTRIBUTION_AUTHORIZED = _event("contribution_authorized", 1, ContributionFact,
                                 "The payer confirmed: the money is reserved, not yet taken.")
CONTRIBUTION_CONFIRMED = _event(
    "contribution_confirmed", 2, ContributionConfirmed,
    "A contribution now counts in its campaign's total (see the README for when: captured, "
    "authorized on all-or-nothing, or past the reflection period for investments). v2 adds "
    "kind, model, channel, status, matchfunding and the contributor's account.")
CONTRIBUTION_CAPTURED = _event("contribution_captured", 1, ContributionFact,
                               "The money of a contribution was taken.")
CONTRIBUTION_CANCELLED = _event(
    "contribution_cancelled", 1, ContributionEnded,
    "A contribution ended with no money taken: payment not completed in time, withdrawn in "
    "the reflection period, released when the campaign failed or closed, or a share "
    "subscription the board declined or had not approved in its time.")
CONTRIBUTION_FAILED = _event("contribution_failed", 1, ContributionEnded,
                             "The payer refused or the payment failed; nothing was taken.")
CONTRIBUTION_REFUNDED = _event("contribution_refunded", 1, ContributionEnded,
                               "Money taken for a contribution was given back in full.")
SUBSCRIPTION_DECIDED = _event("subscription_decided", 1, SubscriptionDecided,
                              "A cooperative's board approved or declined a share subscription "
                              "(declined ones are refunded; one still undecided when the "
                              "campaign is decided is given back, reason not_approved).")
RECEIPT_ISSUED = _event("receipt_issued", 1, ReceiptIssued,
                        "A numbered tax receipt was issued for a donation. Numbers run per "
                        "issuing organisation (organisation_id) and year (in France).")
RECEIPT_CANCELLED = _event("receipt_cancelled", 1, ReceiptCancelled,
                           "A donation was refunded after capture: its receipt is cancelled; "
                           "its number is never given again.")
RESOURCE_RECORDED = _event("resource_recorded", 1, ResourceRecorded,
                           "A grant, a sale of services or mutualisation income was recorded.")
QUESTION_ASKED = _event("question_asked", 1, QuestionAsked,
                        "Someone asked a public question on a campaign's page (its text is "
                        "read through the API, not carried here).")
QUESTION_ANSWERED = _event(
    "question_answered", 2, QuestionAnswered,
    "The project's carrier or the cluster's team answered a public question on a campaign. "
    "v2 adds the campaign's title, the question and its answer (public texts, never the "
    "asker's name), for the mail to who asked.")
VOLUNTEERING_RECORDED = _event("volunteering_recorded", 1, VolunteeringRecorded,
                               "Volunteer hours were recorded, valued at the reference hourly "
                               "rate.")

PUBLISHED_EVENTS = (
    CAMPAIGN_CREATED, CAMPAIGN_EDITED, CAMPAIGN_SUBMITTED, CAMPAIGN_SENT_BACK, CAMPAIGN_PUBLISHED,
    CAMPAIGN_SUCCEEDED, CAMPAIGN_FAILED, CAMPAIGN_CLOSED, CONTRIBUTION_PLEDGED,
    CONTRIBUTION_AUTHORIZED, CONTRIBUTION_CONFIRMED, CONTRIBUTION_CAPTURED,
    CONTRIBUTION_CANCELLED, CONTRIBUTION_FAILED, CONTRIBUTION_REFUNDED, SUBSCRIPTION_DECIDED,
    RECEIPT_ISSUED, RECEIPT_CANCELLED, RESOURCE_RECORDED, VOLUNTEERING_RECORDED, QUESTION_ASKED,
    QUESTION_ANSWERED,
)
