"""The funding API: campaigns, contributions and payments, investor protection,
receipts, and the cluster's other resources."""
import base64

from flask import current_app, request
from marshmallow import Schema, fields
from werkzeug.exceptions import RequestEntityTooLarge, UnsupportedMediaType

from gateway.api import ORGANISATION, STAFF, actor, created, replayed
from gateway.auth import address_confirmed
from gateway.calls import FILE_FIELD, MULTIPART, call
from gateway.routing import AUTHENTICATED, PUBLIC, route
from services.funding import schemas as funding
from shared.errors import DomainError
from shared.pagination import PageQuery, page_schema
from shared.signatures import SIGNATURE_HEADER


def viewer(principal):
    """Who reads a contribution: its contributor, or staff."""
    return {"account_id": principal.account_id, "staff": bool(principal.roles & set(STAFF))}


class ProviderEvent(Schema):
    """A payment provider's webhook event, signed in the Paysim-Signature header."""

    id = fields.String(required=True)
    type = fields.String(required=True)
    created = fields.Integer(required=True)
    data = fields.Dict(required=True)


class KeyInformation(Schema):
    campaign_id = fields.String()
    kind = fields.String()
    sheet = fields.Dict()
    risk_warning = fields.String()
    reflection_period_days = fields.Integer()


class KnowledgeTest(Schema):
    questions = fields.List(fields.Dict())
    risk_warning = fields.String()


class KnowledgeTestResult(Schema):
    passed = fields.Boolean()
    score = fields.Integer()
    out_of = fields.Integer()
    wrong = fields.List(fields.String())
    profile = fields.Nested(funding.InvestorProfile)


# --- campaigns -----------------------------------------------------------------------

@route("/campaigns", "POST", summary="Draft a campaign for a project (staff, or a member "
       "admin of the organisation carrying it)", tag="campaigns",
       roles=ORGANISATION, body=funding.CreateCampaign, response=funding.Campaign, status=201)
def create_campaign(body, principal):
    campaign = call("funding", "create_campaign", body, actor(principal))
    return created(campaign, ".get_campaign", campaign_id=campaign["id"])


@route("/campaigns/<uuid:campaign_id>", "PATCH", tag="campaigns", roles=ORGANISATION,
       summary="Change a draft or a campaign sent back, naming the version read (409 "
       "version_conflict with the current_version if it changed since)",
       body=funding.EditCampaignBody, response=funding.Campaign, errors=(409,))
def edit_campaign(campaign_id, body, principal):
    return call("funding", "edit_campaign", campaign_id, body, actor(principal))


IMAGE_MEDIA = ("image/jpeg", "image/png", "image/webp")
MAX_IMAGE_BYTES = 5 * 1024 * 1024  # as services.funding.domain.campaigns says
FORM_OVERHEAD_BYTES = 64 * 1024  # a multipart form's boundaries and headers


def image_upload(body) -> dict:
    """The picture sent, raw or as a form's `file`, with the media type it claims: 415
    for anything but JPEG, PNG or WebP, 413 above 5 MiB."""
    media_type = request.mimetype
    if media_type == MULTIPART:
        media_type = request.files[FILE_FIELD].mimetype
    if media_type not in IMAGE_MEDIA:
        raise UnsupportedMediaType(f"Send a picture as {', '.join(IMAGE_MEDIA)}.")
    if len(body) > MAX_IMAGE_BYTES * 4 // 3 + 4:  # base64 of more than 5 MiB
        raise RequestEntityTooLarge()
    return {"content": body, "media_type": media_type}


@route("/campaigns/<uuid:campaign_id>/cover-image", "PUT", tag="campaigns",
       roles=ORGANISATION,
       summary="Set the cover picture of a draft or a campaign sent back (JPEG, PNG or WebP, "
       "5 MiB at most; stored as WebP, 1200 px wide at most, without metadata)",
       body=bytes, body_media=(*IMAGE_MEDIA, MULTIPART), response=funding.Campaign,
       errors=(409,), max_body=MAX_IMAGE_BYTES + FORM_OVERHEAD_BYTES)
def set_cover_image(campaign_id, body, principal):
    return call("funding", "set_cover_image", campaign_id, image_upload(body), actor(principal))


@route("/campaign-images/<string:image_id>", "GET", tag="campaigns", roles=PUBLIC,
       summary="A campaign's picture, by the hash of its bytes: cached for ever (its ETag "
       "in If-None-Match: 304 Not Modified)",
       response=bytes, response_media="image/webp")
def campaign_image(image_id):
    cached = {"Cache-Control": "public, max-age=31536000, immutable", "ETag": f'"{image_id}"'}
    if image_id in request.if_none_match.as_set(include_weak=True):
        return current_app.response_class(status=304, headers=cached)
    image = call("funding", "campaign_image", image_id)
    return base64.b64decode(image["content"]), cached


@route("/campaigns", "GET", summary="List the campaigns the reader may see", tag="campaigns",
       roles=PUBLIC, reader=True, query=funding.ListCampaigns,
       response=page_schema(funding.Campaign))
def list_campaigns(query, principal):
    return call("funding", "list_campaigns", query, actor(principal))


@route("/campaigns/places", "GET", summary="The communes and fields of campaigns (filters)",
       tag="campaigns", roles=PUBLIC, reader=True, query=funding.PlacesQuery,
       response=funding.CampaignPlaces)
def campaign_places(query, principal):
    return call("funding", "campaign_places", query, actor(principal))


@route("/campaigns/<uuid:campaign_id>", "GET", summary="A campaign (404 if the reader may not "
       "see it)", tag="campaigns", roles=PUBLIC, reader=True, response=funding.Campaign)
def get_campaign(campaign_id, principal):
    return call("funding", "get_campaign", campaign_id, actor(principal))


@route("/campaigns/<uuid:campaign_id>/submit", "POST", summary="Submit a draft, or a "
       "campaign sent back, for review", tag="campaigns", roles=ORGANISATION,
       response=funding.Campaign, errors=(409,))
def submit_campaign(campaign_id, principal):
    return call("funding", "submit_campaign", campaign_id, principal.account_id,
                actor(principal))


@route("/campaigns/<uuid:campaign_id>/send-back", "POST", tag="campaigns", roles=STAFF,
       summary="Send a campaign under review back to its authors, with a note",
       body=funding.ReviewNote, response=funding.Campaign, errors=(409,))
def send_back_campaign(campaign_id, body, principal):
    return call("funding", "send_back_campaign", campaign_id, body, principal.account_id)


@route("/campaigns/<uuid:campaign_id>/approve", "POST", tag="campaigns", roles=STAFF,
       summary="Approve a campaign under review: it goes live", response=funding.Campaign,
       errors=(409,))
def approve_campaign(campaign_id, principal):
    return call("funding", "approve_campaign", campaign_id, principal.account_id)


@route("/campaigns/<uuid:campaign_id>/key-information", "GET", tag="campaigns", roles=PUBLIC,
       reader=True,
       summary="The key investment information sheet and risk warning (loans, shares)",
       response=KeyInformation)
def key_information(campaign_id, principal):
    return call("funding", "key_information", campaign_id, actor(principal))


@route("/campaigns/<uuid:campaign_id>/contributors", "GET", tag="campaigns", roles=PUBLIC,
       reader=True,
       summary="Who gave (anonymous ones without a name)", query=funding.ContributionsQuery,
       response=page_schema(funding.PublicContribution))
def list_public_contributions(campaign_id, query, principal):
    return call("funding", "list_public_contributions", campaign_id, query, actor(principal))


@route("/campaigns/<uuid:campaign_id>/questions", "GET", tag="campaigns", roles=PUBLIC,
       reader=True, summary="The public questions on a campaign and their answers, oldest "
       "first", query=PageQuery, response=page_schema(funding.Question))
def list_questions(campaign_id, query, principal):
    return call("funding", "list_questions", campaign_id, query, actor(principal))


@route("/campaigns/<uuid:campaign_id>/questions", "POST", tag="campaigns",
       roles=AUTHENTICATED, summary="Ask a public question on a published campaign",
       body=funding.AskQuestion, response=funding.Question, status=201, errors=(409,))
def ask_question(campaign_id, body, principal):
    question = call("funding", "ask_question", campaign_id, body, actor(principal))
    return created(question, ".list_questions", campaign_id=campaign_id)


@route("/questions/<uuid:question_id>/answer", "POST", tag="campaigns", roles=ORGANISATION,
       summary="Answer a campaign's question, once (its project's carrier, or staff)",
       body=funding.AnswerQuestion, response=funding.Question, errors=(409,))
def answer_question(question_id, body, principal):
    return call("funding", "answer_question", question_id, body, actor(principal))


@route("/campaigns/<uuid:campaign_id>/contributions", "GET", tag="campaigns", roles=STAFF,
       summary="Every contribution of a campaign, with its state (the shares register)",
       query=funding.ListContributions, response=page_schema(funding.Contribution))
def list_campaign_contributions(campaign_id, query, principal):
    return call("funding", "list_campaign_contributions", campaign_id, query)


# --- contributions -------------------------------------------------------------------

def contribute_as(principal, campaign_id, body, idempotency_key):
    """funding's contribute, told whether the contributor's address is confirmed (a loan
    or shares need it): the access token's `ev` first; only if funding asks for it and the
    token said no, members is asked (the mailed link may have been followed since), and
    the call made again (a refusal kept nothing, not even the Idempotency-Key)."""
    try:
        return call("funding", "contribute", campaign_id, body, idempotency_key,
                    principal.account_id, principal.email_verified is True)
    except DomainError as exc:
        if exc.code != "email_not_verified" or principal.email_verified \
                or not address_confirmed(principal):
            raise
    return call("funding", "contribute", campaign_id, body, idempotency_key,
                principal.account_id, True)


@route("/campaigns/<uuid:campaign_id>/contributions", "POST", tag="contributions",
       summary="Contribute: answers the payment page where the payer confirms",
       roles=("citizen",), body=funding.Contribute, response=funding.Contribution,
       status=201, idempotent=True, errors=(409,))
def contribute(campaign_id, body, idempotency_key, principal):
    outcome = contribute_as(principal, campaign_id, body, idempotency_key)
    contribution = outcome["contribution"]
    body, headers = created(contribution, ".get_contribution", contribution_id=contribution["id"])
    return body, {**headers, **replayed(outcome)}


@route("/campaigns/<uuid:campaign_id>/offline-contributions", "POST", tag="contributions",
       summary="Record cash, a cheque or a bank transfer received", roles=STAFF,
       body=funding.RecordOffline, response=funding.Contribution, status=201,
       idempotent=True, errors=(409,))
def record_offline(campaign_id, body, idempotency_key, principal):
    outcome = call("funding", "record_offline", campaign_id, body, idempotency_key,
                   principal.account_id)
    return outcome["contribution"], replayed(outcome)


@route("/campaigns/<uuid:campaign_id>/transfers", "POST", tag="contributions",
       summary="Match a bank transfer received to the contribution its reference names",
       roles=STAFF, body=funding.TransferReceived, response=funding.Contribution,
       idempotent=True, errors=(409,))
def match_transfer(campaign_id, body, idempotency_key, principal):
    outcome = call("funding", "match_transfer", campaign_id, body, idempotency_key,
                   principal.account_id)
    return outcome["contribution"], replayed(outcome)


@route("/contributions/<uuid:contribution_id>", "GET", tag="contributions",
       summary="A contribution (its contributor's, or staff)", roles=AUTHENTICATED,
       response=funding.Contribution)
def get_contribution(contribution_id, principal):
    return call("funding", "get_contribution", contribution_id, viewer(principal))


@route("/me/contributions", "GET", tag="contributions", summary="My contributions",
       roles=AUTHENTICATED, query=funding.ListContributions,
       response=page_schema(funding.Contribution))
def my_contributions(query, principal):
    return call("funding", "list_my_contributions", principal.account_id, query)


@route("/contributions/<uuid:contribution_id>/withdraw", "POST", tag="contributions",
       summary="Withdraw an investment in its reflection period, at no cost",
       roles=("citizen",), response=funding.Contribution, errors=(409,))
def withdraw(contribution_id, principal):
    return call("funding", "withdraw", contribution_id, principal.account_id)


@route("/contributions/<uuid:contribution_id>/board-decision", "POST", tag="contributions",
       summary="The cooperative board's decision on a share subscription", roles=STAFF,
       body=funding.BoardDecision, response=funding.Contribution, errors=(409,))
def decide_subscription(contribution_id, body, principal):
    return call("funding", "decide_subscription", contribution_id, body, principal.account_id)


@route("/contributions/<uuid:contribution_id>/receipt", "GET", tag="contributions",
       summary="The donation's tax receipt, as PDF", roles=AUTHENTICATED,
       response=bytes, response_media="application/pdf")
def receipt(contribution_id, principal):
    pdf = call("funding", "receipt_pdf", contribution_id, viewer(principal))
    return base64.b64decode(pdf), {
        "Content-Disposition": f'attachment; filename="recu-{contribution_id}.pdf"'}


@route("/payments/webhook", "POST", tag="contributions", roles=PUBLIC,
       summary="The payment provider's signed events (Paysim-Signature: t=..., v1=HMAC)",
       body=ProviderEvent, raw_body=True, response=funding.Webhook, errors=(404,),
       headers=((SIGNATURE_HEADER, "`t=<unix time>,v1=<hex HMAC-SHA256 of "
                 "'<t>.<raw body>' with the webhook secret>`; more `v1=` entries while the "
                 "secret rotates. A missing, stale or wrong one is a 400 `bad_signature`.",
                 True),))
def payment_webhook(body):
    return call("funding", "payment_webhook", body, request.headers.get(SIGNATURE_HEADER))


@route("/payments/discrepancies", "GET", tag="contributions", roles=STAFF,
       summary="What the payment provider's state denied: a webhook's claim, or money we "
       "counted (corrected, or left for staff)", query=funding.ListDiscrepancies,
       response=page_schema(funding.PaymentDiscrepancy))
def list_payment_discrepancies(query, principal):
    return call("funding", "list_payment_discrepancies", query)


# --- investors -----------------------------------------------------------------------

@route("/investor/knowledge-test", "GET", tag="investors", roles=AUTHENTICATED,
       summary="The entry knowledge test and the risk warning (EU 2020/1503 art. 21)",
       response=KnowledgeTest)
def knowledge_test(principal):
    return call("funding", "knowledge_test")


@route("/investor/knowledge-test", "POST", tag="investors", roles=AUTHENTICATED,
       summary="Answer the knowledge test (valid two years once passed; after 3 failures "
       "within 24 hours, refused until the first of them is a day old)",
       body=funding.KnowledgeTestAnswers, response=KnowledgeTestResult, errors=(429,))
def take_knowledge_test(body, principal):
    return call("funding", "take_knowledge_test", principal.account_id, body)


@route("/investor/loss-simulation", "POST", tag="investors", roles=AUTHENTICATED,
       summary="Simulate the ability to bear loss: 10 % of the declared net worth",
       body=funding.LossSimulationInput, response=funding.InvestorProfile)
def simulate_loss(body, principal):
    return call("funding", "simulate_loss", principal.account_id, body)


@route("/investor/profile", "GET", tag="investors", roles=AUTHENTICATED,
       summary="My investor profile: test, simulation, thresholds",
       response=funding.InvestorProfile)
def investor_profile(principal):
    return call("funding", "get_investor_profile", principal.account_id)


# --- beneficiaries -------------------------------------------------------------------

@route("/organisations/<uuid:organisation_id>/beneficiary", "PUT", tag="organisations",
       summary="How an organisation receives money, and whether its donors get receipts",
       roles=STAFF, body=funding.BeneficiaryInput, response=funding.Beneficiary)
def set_beneficiary(organisation_id, body, principal):
    return call("funding", "set_beneficiary", organisation_id, body)


@route("/organisations/<uuid:organisation_id>/beneficiary", "GET", tag="organisations",
       summary="An organisation as beneficiary of donations", roles=(*STAFF, "member_admin"),
       response=funding.Beneficiary)
def get_beneficiary(organisation_id, principal):
    return call("funding", "get_beneficiary", organisation_id)


# --- other resources -----------------------------------------------------------------

@route("/resources", "POST", summary="Record a grant, a sale of services or mutualisation "
       "income", tag="resources", roles=STAFF, body=funding.RecordResource,
       response=funding.Resource, status=201)
def record_resource(body, principal):
    return call("funding", "record_resource", body, principal.account_id)


@route("/resources", "GET", summary="List resources", tag="resources", roles=STAFF,
       query=funding.ListResources, response=page_schema(funding.Resource))
def list_resources(query, principal):
    return call("funding", "list_resources", query)


@route("/volunteering", "POST", summary="Record volunteer hours (valued at the reference "
       "rate)", tag="resources", roles=STAFF, body=funding.RecordVolunteering,
       response=funding.Volunteering, status=201)
def record_volunteering(body, principal):
    return call("funding", "record_volunteering", body, principal.account_id)


@route("/volunteering", "GET", summary="List volunteering", tag="resources", roles=STAFF,
       query=funding.ListVolunteering, response=page_schema(funding.Volunteering))
def list_volunteering(query, principal):
    return call("funding", "list_volunteering", query)
