"""The investor's steps before a loan or shares (Regulation (EU) 2020/1503, art. 21-23),
one page at /campagnes/<id>/investir that shows the next step the investor's profile
calls for: the knowledge test, the simulation of the ability to bear loss, then the key
information sheet, the risk warning and the investment form. After the payment comes a
4-day reflection period; "Mes contributions" carries its withdraw button.

Each step is the API's: `GET/POST /investor/knowledge-test`, `POST
/investor/loss-simulation`, `GET /campaigns/<id>/key-information`, `POST
/campaigns/<id>/contributions` with the acknowledgements."""
import uuid
from decimal import Decimal

from flask import redirect, render_template, request, url_for

from gateway.auth import address_confirmed
from gateway.calls import call
from gateway.funding_routes import contribute_as
from gateway.web import formats, forms
from gateway.web.blueprint import web
from gateway.web.public import reader
from gateway.web.security import signed_in
from services.funding.domain.investors import (
    KEY_INFORMATION_LABELS_FR,
    KNOWLEDGE_TEST_FAILURE_WINDOW,
    KNOWLEDGE_TEST_MAX_FAILURES,
)
from shared.errors import CONFLICT, INVALID, TOO_MANY_REQUESTS, DomainError

ACKNOWLEDGEMENTS = ("risk_warning_accepted", "key_information_read",
                    "large_investment_consent", "understanding_confirmed")
ACKNOWLEDGEMENT_MESSAGES = {
    "amount_cents": ("amount", "Ce montant n'est pas accepté : pour des parts sociales, un "
                               "multiple du prix d'une part ; sinon au moins le minimum de la "
                               "campagne."),
    **{f"acknowledgements.{name}": (name, message) for name, message in (
        ("risk_warning_accepted", "Cochez cette case pour accepter l'avertissement sur les "
                                  "risques."),
        ("key_information_read", "Cochez cette case pour confirmer avoir lu la fiche."),
        ("large_investment_consent", "Ce montant dépasse votre seuil : cochez cette case "
                                     "pour investir quand même."),
        ("understanding_confirmed", "Ce montant dépasse votre seuil : confirmez que vous "
                                    "comprenez cet investissement et ses risques."))},
}
CONFLICTS = {
    "campaign_cap_reached": ("amount", "Ce montant dépasserait le plafond de la campagne."),
    "campaign_closed": ("form", "Cette campagne ne reçoit plus d'investissements."),
    "knowledge_test_required": ("form", "Passez d'abord le test de connaissances."),
    "loss_simulation_required": ("form", "Faites d'abord la simulation de perte."),
    "email_not_verified": ("form", "Confirmez d'abord votre adresse électronique : suivez "
                                   "le lien du courriel reçu à l'inscription."),
}


def next_step(profile: dict) -> str:
    """The step the investor is at: "test", "simulation" or "invest"."""
    if profile["sophisticated"]:
        return "invest"
    if not profile["knowledge_test_valid"]:
        return "test"
    if profile["loss_simulated_at"] is None:
        return "simulation"
    return "invest"


def sheet_rows(sheet: dict) -> list[tuple[str, str]]:
    """The key information sheet as the page lists it: French titles, French values."""
    rows = []
    for name, title in KEY_INFORMATION_LABELS_FR.items():
        if name not in sheet or sheet[name] is None:
            continue
        value = sheet[name]
        if name.endswith("_cents"):
            value = formats.euros(value)
        elif name == "annual_interest_rate_bps":
            # basis points are hundredths of a percent: 350 is 3,5 %, never rounded to 4
            value = formats.percent(Decimal(value) / 10_000, decimals=2)
        elif name == "deadline":
            value = formats.long_date(value)
        elif isinstance(value, list):
            value = " ; ".join(value)
        rows.append((title, str(value)))
    return rows


@web.get("/campagnes/<uuid:campaign_id>/investir")
@signed_in(("citizen",))
def invest(campaign_id, principal):
    return _step_page(str(campaign_id), principal, {}, {})


WINDOW_HOURS = int(KNOWLEDGE_TEST_FAILURE_WINDOW.total_seconds() // 3600)


def attempts_left_message(left: int) -> str:
    """What the page says after a failed test that may be taken again."""
    return (f"Il vous reste {left} essai{'s' if left > 1 else ''} sur "
            f"{KNOWLEDGE_TEST_MAX_FAILURES} par période de {WINDOW_HOURS} heures.")


def retry_message(retry_at) -> str:
    """Why the test is refused, and from when it may be taken again (Paris time)."""
    return (f"Vous avez échoué {KNOWLEDGE_TEST_MAX_FAILURES} fois au test en {WINDOW_HOURS} "
            "heures. "
            "Le test sert à vérifier vos connaissances : prenez le temps de relire "
            "l'avertissement sur les risques et la fiche d'information. Vous pourrez le "
            f"repasser à partir du {formats.long_date_time(retry_at)}.")


def unanswered_questions(exc: DomainError) -> list[str]:
    """The questions funding refused the test for, as unanswered (none: another refusal)."""
    if exc.kind != INVALID or not isinstance(exc.details, dict):
        return []
    return [name.removeprefix("answers.") for name in exc.details.get("fields", {})
            if name.startswith("answers.")]


def _step_page(campaign_id, principal, errors, typed_values, status=200, graded=None,
               unanswered=()):
    campaign = call("funding", "get_campaign", campaign_id, reader())
    profile = call("funding", "get_investor_profile", principal.account_id)
    step = next_step(profile)
    context = {"campaign": campaign, "profile": profile, "step": step, "errors": errors,
               "typed": typed_values, "graded": graded, "unanswered": unanswered,
               "steps": ("test", "simulation", "invest"),
               "address_confirmed": address_confirmed(principal)}
    # The key information sheet comes first, before the test (as the regulation has the
    # investor read the offer before anything else), and stays on every step.
    information = call("funding", "key_information", campaign_id, reader())
    context.update(sheet=sheet_rows(information["sheet"]),
                   risk_warning=information["risk_warning"])
    if step == "test" and profile.get("knowledge_test_retry_at"):
        context["refused"] = retry_message(profile["knowledge_test_retry_at"])
    elif step == "test":
        context["test"] = call("funding", "knowledge_test")
        if graded is not None:
            context["attempts_left"] = attempts_left_message(
                graded["profile"]["knowledge_test_attempts_left"])
    elif step == "invest":
        context.update(reflection_days=information["reflection_period_days"],
                       key=typed_values.get("key") or str(uuid.uuid4()),
                       share_price=formats.euros(information["sheet"]["share_price_cents"])
                       if "share_price_cents" in information["sheet"] else None,
                       loss_capacity=profile["loss_capacity_cents"] is not None
                       and formats.euros(profile["loss_capacity_cents"]),
                       threshold=profile["large_investment_threshold_cents"] is not None
                       and formats.euros(profile["large_investment_threshold_cents"]))
    return render_template("web/invest.html", active="campaigns", **context), status


@web.post("/campagnes/<uuid:campaign_id>/investir/test")
@signed_in(("citizen",))
def take_test(campaign_id, principal):
    answers = {name.removeprefix("q-"): value for name, value in request.form.items()
               if name.startswith("q-")}
    try:
        result = call("funding", "take_knowledge_test", principal.account_id,
                      {"answers": answers})
    except DomainError as exc:
        if exc.kind == TOO_MANY_REQUESTS:  # the page says until when, from the profile
            return _step_page(str(campaign_id), principal, {}, {}, 429)
        unanswered = unanswered_questions(exc)
        if not unanswered:
            raise
        # Not graded: each question left blank is said, what was answered is kept.
        count = len(unanswered)
        message = (f"Il manque une réponse à {count} question{'s' if count > 1 else ''} : "
                   f"{'elles sont signalées' if count > 1 else 'elle est signalée'} ci-dessous.")
        return _step_page(str(campaign_id), principal, {"form": message}, {"answers": answers},
                          422, unanswered=unanswered)
    if result["passed"]:
        return redirect(url_for("web.invest", campaign_id=campaign_id), code=303)
    return _step_page(str(campaign_id), principal, {}, {"answers": answers}, 422,
                      graded=result)


@web.post("/campagnes/<uuid:campaign_id>/investir/simulation")
@signed_in(("citizen",))
def simulate(campaign_id, principal):
    typed_values = {"net_worth": request.form.get("net_worth", "")}
    try:
        net_worth = forms.euros_to_cents(typed_values["net_worth"])
    except ValueError as exc:
        return _step_page(str(campaign_id), principal, {"net_worth": str(exc)}, typed_values,
                          422)
    call("funding", "simulate_loss", principal.account_id, {"net_worth_cents": net_worth})
    return redirect(url_for("web.invest", campaign_id=campaign_id), code=303)


@web.post("/campagnes/<uuid:campaign_id>/investir")
@signed_in(("citizen",))
def invest_submit(campaign_id, principal):
    campaign_id, form = str(campaign_id), request.form
    typed_values = {"amount": form.get("amount", ""), "key": form.get("key", ""),
                    **{name: forms.ticked(form, name) for name in ACKNOWLEDGEMENTS}}
    try:
        amount = forms.euros_to_cents(typed_values["amount"])
    except ValueError as exc:
        return _step_page(campaign_id, principal, {"amount": str(exc)}, typed_values, 422)
    body = {"amount_cents": amount,
            "acknowledgements": {name: typed_values[name] for name in ACKNOWLEDGEMENTS}}
    try:
        outcome = contribute_as(principal, campaign_id, body,
                                typed_values["key"] or str(uuid.uuid4()))
    except DomainError as exc:
        if exc.kind == CONFLICT and exc.code in CONFLICTS:
            field, message = CONFLICTS[exc.code]
            return _step_page(campaign_id, principal, {field: message}, typed_values, 409)
        errors = forms.french_errors(exc, ACKNOWLEDGEMENT_MESSAGES, fallback=
                                     "Cet investissement n'a pas pu être enregistré : "
                                     "vérifiez le formulaire.")
        return _step_page(campaign_id, principal, errors, typed_values, 422)
    contribution = outcome["contribution"]
    return redirect(contribution["payment_url"] or
                    url_for("web.contribution_page", contribution_id=contribution["id"]),
                    code=303)
