"""A live campaign's money for animators (/animation/campagnes/<id>): record cash or a
cheque received (as `POST /campaigns/<id>/offline-contributions`), match a bank transfer
to the contribution its reference names (as `POST /campaigns/<id>/transfers`), and for
a cooperative shares campaign the subscriptions awaiting the board, approved or
declined (as `POST /contributions/<id>/board-decision`). The forms that move money carry
their own Idempotency-Key (field "cle"): a double click records one contribution."""
from flask import request, url_for

from gateway.calls import call
from gateway.web import formats, forms, labels
from gateway.web.animation import STAFF, done, every_item, refusal, render
from gateway.web.blueprint import web
from gateway.web.public import reader
from gateway.web.security import signed_in
from shared.errors import NOT_FOUND, DomainError

INVESTMENTS = ("loan", "shares")  # funding takes these online only (EU 2020/1503)
OFFLINE_CHANNELS = {"cash": "Espèces", "cheque": "Chèque"}
OFFLINE_FIELDS = {"channel": ("channel", None), "amount_cents": ("amount", forms.cents),
                  "contributor_name": ("contributor_name", None),
                  "reference": ("reference", None)}
TRANSFER_FIELDS = {"reference": ("reference", None), "amount_cents": ("amount", forms.cents)}
AMOUNT = "Un montant en euros, au moins la contribution minimale de la campagne (par " \
         "exemple 50 ou 25,50)."
FORMS = {
    "especes": {
        "method": "record_offline", "fields": OFFLINE_FIELDS,
        "messages": {"channel": "Choisissez espèces ou chèque.", "amount": AMOUNT,
                     "contributor_name": "Indiquez le nom du donateur (200 caractères au "
                                         "plus).",
                     "reference": "Indiquez le numéro du chèque ou la ligne du livre de "
                                  "caisse (100 caractères au plus)."},
        "conflicts": {
            "campaign_not_live": "Cette campagne n'est pas en ligne : elle ne reçoit pas "
                                 "de contributions.",
            "campaign_closed": "Cette campagne est close : elle ne reçoit plus de "
                               "contributions.",
            "campaign_not_started": "Cette campagne n'a pas encore commencé.",
            "campaign_cap_reached": "Ce montant dépasserait le plafond de la campagne.",
            "offline_investment_refused": "Un investissement passe par le parcours en "
                                          "ligne de l'investisseur."},
        "done": "La contribution {of} ({amount}) est enregistrée.",
    },
    "virement": {
        "method": "match_transfer", "fields": TRANSFER_FIELDS,
        "messages": {"reference": "La référence du virement a au moins 5 caractères, comme "
                                  "DOMB-XXXXXXXX.",
                     "amount": AMOUNT},
        "conflicts": {
            "transfer_amount_differs": "Le montant reçu n'est pas celui promis pour cette "
                                       "référence : enregistrez-le comme contribution hors "
                                       "ligne, ou remboursez-le.",
            "contribution_wrong_status": "Ce virement est déjà rapproché, ou sa contribution "
                                         "a pris fin."},
        "done": "Le virement {of} ({amount}) est rapproché : il compte dans la collecte.",
    },
}
UNKNOWN_REFERENCE = "Aucune contribution par virement de cette campagne ne porte cette " \
                    "référence : vérifiez-la sur le relevé bancaire."
INVESTOR = "l'investisseur"  # a subscription without a name
DECISIONS = {"approved": "approuvée", "declined": "refusée (l'investisseur est remboursé)"}
BOARD_CONFLICTS = {
    "subscription_not_open": "Le conseil a déjà décidé de cette souscription, ou son délai "
                             "de réflexion n'est pas fini.",
    "not_a_subscription": "Seules les souscriptions de parts sociales passent devant le "
                          "conseil."}


@web.get("/animation/campagnes/<uuid:campaign_id>")
@signed_in(STAFF)
def campaign_money(principal, campaign_id):
    return money_page(str(campaign_id), done=_done_message())


@web.post("/animation/campagnes/<uuid:campaign_id>/<any(especes, virement):form>")
@signed_in(STAFF)
def record_money(principal, campaign_id, form):
    campaign_id, spec = str(campaign_id), FORMS[form]
    typed = forms.values(request.form, [name for name, _ in spec["fields"].values()])
    try:
        outcome = call("funding", spec["method"], campaign_id,
                       forms.payload(request.form, spec["fields"]),
                       forms.idempotency_key(request.form), principal.account_id)
    except DomainError as exc:
        if exc.kind == NOT_FOUND and exc.code == "transfer_reference_not_found":
            errors, status = {"reference": UNKNOWN_REFERENCE}, 422
        else:
            errors, status = refusal(exc, spec["conflicts"], spec["messages"],
                                     {"amount_cents": "amount"})
        return money_page(campaign_id, form, errors, typed, status)
    return done("web.campaign_money", campaign_id=campaign_id, fait=form,
                contribution=outcome["contribution"]["id"])


@web.get("/animation/campagnes/<uuid:campaign_id>/souscriptions/<uuid:contribution_id>/refus")
@signed_in(STAFF)
def confirm_decline(principal, campaign_id, contribution_id):
    """Declining a subscription refunds the investor, for good: asked again first."""
    campaign_id = str(campaign_id)
    campaign = call("funding", "get_campaign", campaign_id, reader())
    contribution = call("funding", "get_contribution", str(contribution_id),
                        {"account_id": None, "staff": True})
    back = url_for("web.campaign_money", campaign_id=campaign_id, _anchor="conseil")
    name = contribution.get("contributor_name") or "Investisseur sans nom"
    return render("web/animation/confirm.html", "campaigns", c={
        "heading": f"Refuser la souscription de {name} ?",
        "facts": [("Campagne", campaign["title"]),
                  ("Montant", formats.euros(contribution["amount_cents"])),
                  ("Reçue le", formats.long_date(contribution["created_at"]))],
        "sentence": "Le conseil refuse cette souscription : l'investisseur est remboursé. La "
                    "décision est définitive.",
        "action": url_for("web.decide_subscription", campaign_id=campaign_id,
                          contribution_id=str(contribution_id)),
        "fields": {"decision": "declined"}, "button": "Oui, refuser et rembourser",
        "back": back, "back_text": campaign["title"]})


@web.post("/animation/campagnes/<uuid:campaign_id>/souscriptions/<uuid:contribution_id>")
@signed_in(STAFF)
def decide_subscription(principal, campaign_id, contribution_id):
    campaign_id = str(campaign_id)
    decision = forms.text(request.form, "decision")
    try:
        call("funding", "decide_subscription", str(contribution_id), {"decision": decision},
             principal.account_id)
    except DomainError as exc:
        errors, status = refusal(exc, BOARD_CONFLICTS, {})
        return money_page(campaign_id, "conseil", errors, status=status)
    return done("web.campaign_money", campaign_id=campaign_id, fait="conseil",
                contribution=str(contribution_id))


def money_page(campaign_id, form=None, errors=None, typed=None, status=200, done=None):
    campaign = call("funding", "get_campaign", campaign_id, reader())
    contributions = every_item("funding", "list_campaign_contributions", {}, campaign_id)
    return render("web/animation/campaign.html", "campaigns", status,
                  c=campaign_view(campaign), awaiting=awaiting_board(contributions),
                  offline=offline_rows(contributions), channels=OFFLINE_CHANNELS.items(),
                  form=form, errors=errors or {}, typed=typed or {}, done=done,
                  key=forms.new_key())


def _done_message():
    """What the page says after a form succeeded, named by the contribution."""
    form, contribution_id = request.args.get("fait", ""), request.args.get("contribution", "")
    if not contribution_id:
        return None
    try:
        contribution = call("funding", "get_contribution", contribution_id,
                            {"account_id": None, "staff": True})
    except DomainError:
        return None  # a hand-edited address: nothing to confirm
    return done_message(form, contribution)


# --- shaping the data for the pages (pure) --------------------------------------------

def done_message(form, contribution):
    """Named by its contributor; a gift without a name by its reference (never "the
    investor": most are gifts)."""
    name = contribution.get("contributor_name")
    if form == "conseil":
        return f"La souscription de {name or INVESTOR} est " \
               f"{DECISIONS.get(contribution.get('board_decision'), 'décidée')}."
    sentence = FORMS.get(form, {}).get("done")
    reference = contribution.get("transfer_reference")
    of = f"de {name}" if name else f"de référence {reference}" if reference else "sans nom"
    return sentence and sentence.format(of=of,
                                        amount=formats.euros(contribution["amount_cents"]))


def campaign_view(campaign):
    return {"id": campaign["id"], "title": campaign["title"],
            "kind": labels.label(labels.CAMPAIGN_KINDS, campaign["kind"]),
            "shares": campaign["kind"] == "shares",
            "offline": campaign["kind"] not in INVESTMENTS,
            "live": campaign["status"] == "live",
            "goal": formats.euros(campaign["goal_cents"]),
            "raised": formats.euros(campaign["raised_cents"]),
            "deadline": formats.long_date(campaign["deadline"])}


def awaiting_board(contributions):
    """The share subscriptions the board has to decide: counted (past the investor's
    reflection period), not decided yet; oldest first, as they arrived."""
    return [{"id": c["id"], "name": c.get("contributor_name") or "Investisseur sans nom",
             "amount": formats.euros(c["amount_cents"]),
             "on": formats.long_date(c["created_at"])}
            for c in sorted(contributions, key=lambda c: c["created_at"])
            if c["counted"] and c.get("board_decision") is None
            and c["status"] in ("authorized", "captured")]


def offline_rows(contributions):
    """The contributions received off the platform (cash, cheque, transfer), newest first."""
    return [{"name": c.get("contributor_name") or "—",
             "channel": {**OFFLINE_CHANNELS, "transfer": "Virement"}[c["channel"]],
             "reference": c.get("transfer_reference") or "",
             "amount": formats.euros(c["amount_cents"]),
             "state": "Reçu" if c["status"] == "captured" else "En attente du virement"
             if c["status"] == "pending" else "Annulé",
             "on": formats.long_date(c["created_at"])}
            for c in sorted(contributions, key=lambda c: c["created_at"], reverse=True)
            if c["channel"] != "online"]
