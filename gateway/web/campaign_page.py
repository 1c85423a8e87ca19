"""A project's public page and a campaign's page, where a signed-in citizen contributes:
an amount or a reward, then the payment provider's page, then back to
/contributions/<id> (see contributions.py). Loans and shares go through the investor's
steps first (investing.py).

The contribution form carries its own Idempotency-Key, made when the page was drawn: a
second click, or the browser sending the form again, finds the same contribution and
the same payment page, never a second charge.

A donor who ticks « Je souhaite un reçu fiscal » gives their legal name (or their
company's) and postal address: the receipt carries them, never the name shown among
contributors. Without them, the page says no receipt can be issued for the gift."""
import logging
import uuid

from flask import current_app, g, redirect, render_template, request, url_for

from gateway.api import ORGANISATION as ORGANISATION_ROLES
from gateway.api import actor
from gateway.calls import call
from gateway.funding_routes import contribute_as
from gateway.web import formats, forms, labels
from gateway.web.blueprint import web
from gateway.web.contributions import EVERYONE
from gateway.web.errors import UNAVAILABLE
from gateway.web.public import campaign_share, card, project_or_none, reader, reward_delivery
from gateway.web.security import page_principal, signed_in
from services.funding.domain import campaigns as rules
from services.funding.domain import questions
from services.funding.domain.campaigns import asks_confirmation
from shared.cluster import STAGE_LABELS
from shared.errors import CONFLICT, NOT_FOUND, DomainError
from shared.errors import UNAVAILABLE as UNAVAILABLE_KIND

log = logging.getLogger("gateway.web")

INVESTMENTS = ("loan", "shares")
CONTRIBUTE_MESSAGES = {
    "amount_cents": ("amount", "Ce montant n'est pas accepté par cette campagne : voyez le "
                               "minimum indiqué."),
    "reward_id": ("reward", "Cette contrepartie n'existe pas pour cette campagne."),
    "contributor_name": ("name", "Le nom affiché doit faire au plus 200 caractères."),
    "tax_receipt": ("receipt", "Cette campagne ne délivre pas de reçu fiscal : décochez la "
                               "case pour donner sans reçu."),
    "tax_receipt.first_name": ("receipt_first_name", "Indiquez votre prénom, tel qu'il "
                                                     "figurera sur le reçu (100 caractères "
                                                     "au plus)."),
    "tax_receipt.last_name": ("receipt_last_name", "Indiquez votre nom de famille, tel "
                                                   "qu'il figurera sur le reçu (100 "
                                                   "caractères au plus)."),
    "tax_receipt.company_name": ("receipt_company", "La raison sociale fait au plus 200 "
                                                    "caractères."),
    "tax_receipt.street": ("receipt_street", "Indiquez votre adresse : numéro et rue (200 "
                                             "caractères au plus)."),
    "tax_receipt.postal_code": ("receipt_postal_code", "Indiquez votre code postal : 5 "
                                                       "chiffres en France."),
    "tax_receipt.commune": ("receipt_commune", "Indiquez votre commune."),
    "tax_receipt.country": ("receipt_country", "Indiquez votre pays."),
}
# (field, label, autocomplete, hint) of the receipt's part of the form.
RECEIPT_FORM = (
    ("receipt_first_name", "Prénom", "given-name", None),
    ("receipt_last_name", "Nom de famille", "family-name", None),
    ("receipt_company", "Ou raison sociale", "organization", "pour un don d'entreprise"),
    ("receipt_street", "Adresse : numéro et rue", "street-address", None),
    ("receipt_postal_code", "Code postal", "postal-code", None),
    ("receipt_commune", "Commune", "address-level2", None),
    ("receipt_country", "Pays", "country-name", None),
)
RECEIPT_FIELDS = {"receipt_first_name": "first_name", "receipt_last_name": "last_name",
                  "receipt_company": "company_name", "receipt_street": "street",
                  "receipt_postal_code": "postal_code", "receipt_commune": "commune",
                  "receipt_country": "country"}
CONFLICTS = {
    "reward_sold_out": ("reward", "Cette contrepartie est épuisée : choisissez-en une autre."),
    "campaign_cap_reached": ("amount", "Ce montant dépasserait le plafond de la campagne : "
                                       "essayez un montant plus petit."),
    "campaign_closed": ("form", "Cette campagne ne reçoit plus de contributions."),
    "campaign_not_live": ("form", "Cette campagne ne reçoit pas encore de contributions."),
    "campaign_not_started": ("form", "Cette campagne n'a pas encore commencé."),
}


@web.get("/projets/<uuid:project_id>")
def project_page(project_id):
    project = call("projects", "get_project", str(project_id))
    campaigns = call("funding", "list_campaigns", {"project_id": str(project_id),
                                                   "limit": "20"}, reader())["items"]
    today = formats.today()
    return render_template("web/project.html", active="campaigns", project=project_view(project),
                           campaigns=[card(campaign, project, today) for campaign in campaigns])


def project_view(project: dict) -> dict:
    """A project as its page tells it: French words for its codes, news newest first."""
    return {
        **project,
        "field_label": labels.label(labels.FIELDS, project["field"]),
        "stage_label": labels.label(STAGE_LABELS, project["stage"]),
        "territory_label": labels.label(labels.TERRITORY_LABELS, project["territory"]),
        "partners": project.get("partners") or [],
        "news": sorted(project.get("news") or [], key=lambda post: post["published_at"],
                       reverse=True),
    }


@web.get("/campagnes/<uuid:campaign_id>")
def campaign_page(campaign_id):
    return _campaign_page(str(campaign_id), {}, chosen_in_address(request.args))


def chosen_in_address(args) -> dict:
    """What a link carries into the form: the reward chosen on its card ("Choisir"), or
    the amount and reward of a payment to try again."""
    return {"reward": args.get("contrepartie", "").strip()[:36],
            "amount": args.get("montant", "").strip()[:20]}


def _campaign_page(campaign_id, errors, typed_values, status=200, asking=None):
    """`asking`: a question or an answer sent back with its errors, as
    {"question": (errors, typed)} or {"answer": (question id, errors, typed)}."""
    campaign = call("funding", "get_campaign", campaign_id, reader())
    project = project_or_none(campaign["project_id"])
    principal = page_principal()
    asking = asking or {}
    # The latest ones, as they come in.
    contributors = call("funding", "list_public_contributions", campaign_id,
                        {"limit": str(CONTRIBUTORS_SHOWN), "sort": "recent"}, reader())
    if typed_values.get("reward") not in {reward["id"] for reward in campaign["rewards"]}:
        typed_values = {**typed_values, "reward": ""}  # no longer offered, or mistyped
    return render_template(
        "web/campaign.html", active="campaigns", campaign=campaign,
        card=card(campaign, project, formats.today()), project=project,
        carrier=carrier_view(campaign.get("carrier_organisation_id")),
        news=project_view(project)["news"][:CAMPAIGN_NEWS_SHOWN] if project else [],
        rewards=[reward_view(reward) for reward in campaign["rewards"]],
        investment=campaign["kind"] in INVESTMENTS, errors=errors, typed=typed_values,
        share_links=campaign_share(campaign),
        receipt_fields=RECEIPT_FORM,
        key=typed_values.get("key") or str(uuid.uuid4()),
        can_contribute=bool(principal and "citizen" in principal.roles),
        signed_in=principal is not None,
        minimum=formats.euros(campaign["min_contribution_cents"]),
        questions=call("funding", "list_questions", campaign_id,
                       {"limit": str(QUESTIONS_SHOWN)}, reader())["items"],
        answers=may_answer(principal, campaign),
        asking=asking, answer_labels=ANSWERED_BY,
        contributors=contributors["items"],
        more_contributors=contributors["next_cursor"] is not None), status


CAMPAIGN_NEWS_SHOWN = 3
CONTRIBUTORS_SHOWN = 10
QUESTIONS_SHOWN = 100
ANSWERED_BY = {"carrier": "Réponse du porteur du projet",
               "team": "Réponse de l'équipe Domb'Innov"}
QUESTION_MESSAGES = {
    "body": "Écrivez votre question : entre 5 et 2 000 caractères.",
    "asker_name": "Le prénom affiché fait au plus 100 caractères.",
}
ANSWER_MESSAGES = {"answer": "Écrivez la réponse : entre 2 et 4 000 caractères."}


def may_answer(principal, campaign: dict) -> bool:
    """Whether the reader answers the campaign's questions (questions.answerer)."""
    if principal is None:
        return False
    try:
        questions.answerer(rules.sight(actor(principal)), campaign.get("carrier_organisation_id"))
    except DomainError:
        return False
    return True


def _sent_back(exc, campaign_id, conflict_message, messages, asking):
    """A question or an answer refused: the page again, the reason next to its form
    (`asking` makes _campaign_page's argument from the errors)."""
    if exc.kind == CONFLICT:
        errors, status = {"form": conflict_message}, 409
    else:
        errors, status = forms.french_errors(exc, messages), 422
    return _campaign_page(campaign_id, {}, {}, status, asking=asking(errors))


@web.post("/campagnes/<uuid:campaign_id>/questions")
@signed_in(EVERYONE)
def ask_question(campaign_id, principal):
    campaign_id = str(campaign_id)
    typed = {name: request.form.get(name, "") for name in ("body", "asker_name")}
    try:
        call("funding", "ask_question", campaign_id,
             {"body": typed["body"], "asker_name": typed["asker_name"].strip() or None},
             actor(principal))
    except DomainError as exc:
        return _sent_back(exc, campaign_id, "Cette campagne ne reçoit pas de questions.",
                          QUESTION_MESSAGES, lambda errors: {"question": (errors, typed)})
    return redirect(url_for("web.campaign_page", campaign_id=campaign_id, question="envoyee",
                            _anchor="questions"), code=303)


@web.post("/campagnes/<uuid:campaign_id>/questions/<uuid:question_id>/reponse")
@signed_in(ORGANISATION_ROLES)
def answer_question(campaign_id, question_id, principal):
    campaign_id, question_id = str(campaign_id), str(question_id)
    typed = {"answer": request.form.get("answer", "")}
    try:
        call("funding", "answer_question", question_id, typed, actor(principal))
    except DomainError as exc:
        return _sent_back(exc, campaign_id, "Cette question a déjà reçu une réponse.",
                          ANSWER_MESSAGES,
                          lambda errors: {"answer": (question_id, errors, typed)})
    return redirect(url_for("web.campaign_page", campaign_id=campaign_id, reponse="envoyee",
                            _anchor=f"question-{question_id}"), code=303)


def carrier_view(organisation_id) -> dict | None:
    """Who carries the project, as its campaign page presents them: the member
    organisation's name, legal form and commune; None when its founders carry it (or
    the organisation is gone)."""
    if not organisation_id:
        return None
    try:
        organisation = call("members", "get_organisation", organisation_id)
    except DomainError as exc:
        if exc.kind != NOT_FOUND:
            raise
        return None
    return {"name": organisation["name"], "commune": organisation["commune"],
            "legal_form": labels.label(labels.LEGAL_FORM_LABELS, organisation["legal_form"])}


def reward_view(reward: dict) -> dict:
    """A reward's card: its minimum, how many are left (when counted), and when and how
    it reaches the contributor, as the carrier said."""
    remaining, stock = reward.get("remaining"), reward.get("stock")
    left = None
    if remaining is not None:
        left = f"{formats.number(remaining)} restante{'s' if remaining > 1 else ''}"
        if stock:
            left += f" sur {formats.number(stock)}"
    return {**reward, "minimum": formats.euros(reward["min_amount_cents"]),
            "typed_minimum": forms.cents_to_typed(reward["min_amount_cents"]),
            "sold_out": remaining == 0, "left": left,
            "delivery": reward_delivery(reward)}


@web.post("/campagnes/<uuid:campaign_id>/contribuer")
@signed_in(("citizen",))
def contribute(campaign_id, principal):
    campaign_id = str(campaign_id)
    form = request.form
    typed_values = {name: form.get(name, "") for name in ("amount", "reward", "name", "key",
                                                          *RECEIPT_FIELDS)}
    typed_values["anonymous"] = forms.ticked(form, "anonymous")
    typed_values["amount_hidden"] = forms.ticked(form, "amount_hidden")
    typed_values["receipt"] = forms.ticked(form, "receipt")
    try:
        body = contribution_body(form)
    except forms.FormError as exc:
        return _campaign_page(campaign_id, exc.errors, typed_values, 422)
    if not forms.ticked(form, "confirmed"):
        campaign = call("funding", "get_campaign", campaign_id, reader())
        if asks_confirmation(body["amount_cents"], campaign["goal_cents"],
                             current_app.extensions["contribution_confirm_above_cents"]):
            return confirmation_page(campaign, body, form)
    key = form.get("key") or str(uuid.uuid4())
    try:
        outcome = contribute_as(principal, campaign_id, body, key)
    except UNAVAILABLE:
        return not_confirmed_page(campaign_id, form, key)
    except DomainError as exc:
        if exc.kind == UNAVAILABLE_KIND:
            return not_confirmed_page(campaign_id, form, key)
        if exc.kind == CONFLICT and exc.code in CONFLICTS:
            field, message = CONFLICTS[exc.code]
            return _campaign_page(campaign_id, {field: message}, typed_values, 409)
        errors = forms.french_errors(exc, CONTRIBUTE_MESSAGES, fallback=
                                     "Cette contribution n'a pas pu être enregistrée : "
                                     "vérifiez le formulaire.")
        return _campaign_page(campaign_id, errors, typed_values, 422)
    contribution = outcome["contribution"]
    # To the provider's page; it sends the payer back to /contributions/<id>.
    return redirect(contribution["payment_url"] or
                    url_for("web.contribution_page", contribution_id=contribution["id"]),
                    code=303)


def not_confirmed_page(campaign_id: str, form, key: str):
    """Funding, or the way to it, did not answer the pledge: it may have been kept, its
    answer lost. The same form again, with its Idempotency-Key, to send once more: a
    pledge already kept is found, never taken twice. Drawn without asking any service,
    since one is away."""
    log.warning("contribution not confirmed", extra={"campaign_id": campaign_id})
    carried = [(name, value) for name, value in form.items(multi=True)
               if name not in ("csrf_token", "key")]
    return render_template("web/contribution_not_confirmed.html", active="campaigns",
                           campaign_id=campaign_id, carried=[*carried, ("key", key)],
                           correlation_id=g.get("correlation_id")), 503


def confirmation_page(campaign: dict, body: dict, form):
    """A large amount, or one above the goal, asked once more before the payment page:
    the same form again (the same Idempotency-Key), confirmed, or back to change it."""
    rewards = {reward["id"]: reward["title"] for reward in campaign["rewards"]}
    amount = body["amount_cents"]
    return render_template(
        "web/confirm_contribution.html", active="campaigns", campaign=campaign,
        amount=formats.euros(amount), above_goal=amount > campaign["goal_cents"],
        goal=formats.euros(campaign["goal_cents"]),
        reward_title=rewards.get(body.get("reward_id")),
        carried=[(name, value) for name, value in form.items(multi=True)
                 if name not in ("csrf_token", "confirmed")],
        change={"montant": forms.cents_to_typed(amount),
                **({"contrepartie": body["reward_id"]} if body.get("reward_id") else {})})


def contribution_body(form) -> dict:
    """The Contribute body from the page's form; FormError when something typed is
    wrong. A reward chosen without an amount takes the reward's minimum (sent in a
    hidden field with each reward)."""
    errors, body = {}, {"public": not forms.ticked(form, "anonymous"),
                        "amount_public": not forms.ticked(form, "amount_hidden")}
    reward = form.get("reward", "")
    if reward:
        body["reward_id"] = reward
    amount = form.get("amount", "").strip()
    if not amount and reward:
        amount = form.get(f"minimum-{reward}", "")
    try:
        body["amount_cents"] = forms.euros_to_cents(amount)
    except ValueError as exc:
        errors["amount"] = str(exc)
    name = form.get("name", "").strip()
    if name:
        body["contributor_name"] = name
    if forms.ticked(form, "receipt"):
        body["tax_receipt"] = tax_receipt(form)
    if errors:
        raise forms.FormError(errors)
    return body


def tax_receipt(form) -> dict:
    """The legal identity typed for a receipt: a company's name when one is given, the
    person's first and last names otherwise. Empty fields are left out, so that funding
    names each one missing."""
    typed = {field: form.get(name, "").strip() for name, field in RECEIPT_FIELDS.items()}
    wanted = {field: value for field, value in typed.items() if value}
    if "company_name" in wanted:
        wanted["donor_type"] = "company"
        wanted.pop("first_name", None)
        wanted.pop("last_name", None)
    return wanted
