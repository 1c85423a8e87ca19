"""A citizen's own contributions: the page the payment provider sends the payer back to
(/contributions/<id>, the return URL funding gives the provider), "Mes contributions"
with states and receipts, the receipt's PDF and, for an investment in its reflection
period, the withdraw button. As the API's `GET /me/contributions`, `GET
/contributions/<id>`, `GET .../receipt` and `POST .../withdraw`."""
import base64
from datetime import datetime, timedelta, timezone

from flask import Response, redirect, render_template, url_for

from gateway.calls import call
from gateway.funding_routes import viewer
from gateway.web import formats, forms
from gateway.web.blueprint import web
from gateway.web.public import campaign_share, card, reader, reward_delivery
from gateway.web.security import signed_in
from services.members.domain.accounts import ROLES
from shared import french
from shared.errors import CONFLICT, DomainError

EVERYONE = ROLES  # any signed-in account may have given
MY_CONTRIBUTIONS_SHOWN = 100
STATES = {
    "pending": "En attente de paiement",
    "authorized": "Paiement autorisé",
    "captured": "Payée",
    "cancelled": "Annulée",
    "failed": "Paiement refusé",
    "refunded": "Remboursée",
}
CANCEL_REASONS = {
    "withdrawn": "vous avez renoncé pendant le délai de réflexion",
    "expired": "le paiement n'a pas été confirmé à temps",
    "campaign_failed": "la campagne n'a pas atteint son objectif",
    "declined": "le conseil de la coopérative n'a pas accepté votre souscription",
    "not_approved": "le conseil de la coopérative ne l'a pas acceptée dans le délai prévu",
}
INVESTMENT_KINDS = ("loan", "shares")


def contribution_view(contribution: dict, campaign: dict | None, now: datetime) -> dict:
    """What a citizen reads of a contribution: its state in words, what comes next."""
    status = contribution["status"]
    reflection_ends = contribution.get("reflection_ends_at")
    investment = bool(campaign and campaign["kind"] in INVESTMENT_KINDS)
    in_reflection = bool(investment and reflection_ends and status in ("pending", "authorized")
                         and datetime.fromisoformat(reflection_ends) > now)
    rewards = {reward["id"]: reward for reward in (campaign or {}).get("rewards", [])}
    reward = rewards.get(contribution.get("reward_id"))
    tried_again = status == "failed" or contribution.get("cancel_reason") == "expired"
    return {
        **contribution,
        "campaign_title": campaign["title"] if campaign else "Campagne",
        "state": STATES.get(status, status),
        "amount": formats.euros(contribution["amount_cents"]),
        "matched": formats.euros(contribution["matched_cents"])
        if contribution["matched_cents"] else None,
        "date": formats.long_date(contribution["created_at"]),
        "reason": CANCEL_REASONS.get(contribution.get("cancel_reason") or ""),
        "waiting_for_payment": status == "pending" and contribution["channel"] == "online",
        "confirmed": status in ("authorized", "captured"),
        "can_withdraw": in_reflection,
        "reflection_ends": french.long_date_time(reflection_ends) if in_reflection else None,
        "has_receipt": bool(contribution.get("receipt_number")),
        "reward_title": reward["title"] if reward else None,
        "reward_delivery": reward_delivery(reward) if reward else None,
        "until_the_goal": waits_for_the_goal(contribution, campaign),
        # A payment refused or not made in time: the form again, with what was chosen
        # (the campaign page's address carries it).
        "retry": {"montant": forms.cents_to_typed(contribution["amount_cents"]),
                  **({"contrepartie": contribution["reward_id"]}
                     if contribution.get("reward_id") else {})}
        if tried_again and campaign and campaign["status"] == "live"
        and campaign["kind"] not in INVESTMENT_KINDS else None,
        "receipt_cancelled": contribution.get("receipt_status") == "cancelled",
        "receipt_requested": contribution.get("receipt_status") == "requested",
        "receipt_notice": contribution.get("receipt_notice"),
    }


def waits_for_the_goal(contribution: dict, campaign: dict | None) -> str | None:
    """A gift to an all-or-nothing campaign, its payment authorized: funding takes it
    only if the campaign reaches its goal (payments.capture_now). The date it will be
    known, in words; None otherwise."""
    if not campaign or contribution["status"] != "authorized" \
            or campaign["kind"] in INVESTMENT_KINDS \
            or campaign.get("model") != "all_or_nothing" or campaign.get("status") != "live":
        return None
    return formats.long_date(campaign["deadline"])


STILL_GOING = ("pending", "authorized", "captured")


def without_retries_made(rows: list[dict]) -> list[dict]:
    """Rows (oldest first) whose "Réessayer" is gone once the person has tried again:
    a later contribution to the same campaign and reward that is under way or paid
    (offered twice, it invites paying twice)."""
    shown = []
    for index, row in enumerate(rows):
        later = rows[index + 1:]
        if row["retry"] and any(
                other["campaign_id"] == row["campaign_id"]
                and other.get("reward_id") == row.get("reward_id")
                and other["status"] in STILL_GOING for other in later):
            row = {**row, "retry": None, "retried": True}
        shown.append(row)
    return shown


REFRESH_SECONDS = 3
REFRESH_FOR = timedelta(minutes=5)


def refreshes(shown: dict, now: datetime) -> bool:
    """A payment waiting for the provider's confirmation, started a moment ago."""
    return shown["waiting_for_payment"] and \
        now - datetime.fromisoformat(shown["created_at"]) < REFRESH_FOR


def _now():
    return datetime.now(timezone.utc)


def _campaigns(contributions) -> dict:
    return {campaign_id: call("funding", "get_campaign", campaign_id, reader())
            for campaign_id in {row["campaign_id"] for row in contributions}}


@web.get("/contributions/<uuid:contribution_id>")
@signed_in(EVERYONE)
def contribution_page(contribution_id, principal):
    contribution = call("funding", "get_contribution", str(contribution_id), viewer(principal))
    campaign = call("funding", "get_campaign", contribution["campaign_id"], reader())
    shown = contribution_view(contribution, campaign, _now())
    # While the provider's word is awaited, the page asks again by itself (no script:
    # the HTTP Refresh header), for a few minutes.
    again = refreshes(shown, _now())
    page = render_template("web/contribution.html", active="mine", contribution=shown,
                           campaign=card(campaign, None, formats.today()), refreshes=again,
                           # Given, and the campaign still collecting: pass it on.
                           share_links=campaign_share(campaign) if shown["confirmed"]
                           and campaign["status"] == "live" else None)
    return page, {"Refresh": str(REFRESH_SECONDS)} if again else {}


@web.get("/mes-contributions")
@signed_in(EVERYONE)
def my_contributions(principal):
    # The newest ones: someone with more than a page sees what they gave lately.
    page = call("funding", "list_my_contributions", principal.account_id,
                {"limit": str(MY_CONTRIBUTIONS_SHOWN), "sort": "recent"})
    campaigns, now = _campaigns(page["items"]), _now()
    return render_template("web/my_contributions.html", active="mine",
                           contributions=newest_first(page["items"], campaigns, now),
                           more=page["next_cursor"] is not None)


def newest_first(items: list[dict], campaigns: dict, now: datetime) -> list[dict]:
    """The rows of "Mes contributions" from funding's newest first list: each one's
    "Réessayer" weighed against those that came after it (without_retries_made reads
    them oldest first)."""
    oldest_first = [contribution_view(row, campaigns.get(row["campaign_id"]), now)
                    for row in reversed(items)]
    return without_retries_made(oldest_first)[::-1]


@web.get("/mes-contributions/<uuid:contribution_id>/recu")
@signed_in(EVERYONE)
def receipt(contribution_id, principal):
    pdf = call("funding", "receipt_pdf", str(contribution_id), viewer(principal))
    return Response(base64.b64decode(pdf), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="recu-{contribution_id}.pdf"'})


@web.get("/mes-contributions/<uuid:contribution_id>/renoncer")
@signed_in(("citizen",))
def withdraw_confirmation(contribution_id, principal):
    """"Renoncer" asks once more, with what the investor gives up, before it is done."""
    contribution = call("funding", "get_contribution", str(contribution_id), viewer(principal))
    campaign = call("funding", "get_campaign", contribution["campaign_id"], reader())
    shown = contribution_view(contribution, campaign, _now())
    if not shown["can_withdraw"]:
        return redirect(url_for("web.my_contributions", renoncement="impossible"), code=303)
    return render_template("web/withdraw.html", active="mine", contribution=shown)


@web.post("/mes-contributions/<uuid:contribution_id>/renoncer")
@signed_in(("citizen",))
def withdraw(contribution_id, principal):
    try:
        call("funding", "withdraw", str(contribution_id), principal.account_id)
    except DomainError as exc:
        if exc.kind != CONFLICT:
            raise
        # Too late, or already ended: the page shows the state it is in now.
        return redirect(url_for("web.my_contributions", renoncement="impossible"), code=303)
    return redirect(url_for("web.my_contributions", renoncement="fait"), code=303)
