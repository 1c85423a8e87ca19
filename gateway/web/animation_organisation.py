"""An organisation's page for animators (/animation/adherents/<id>): its memberships
year by year, with the application for a year and a circle (as `POST
/organisations/<id>/memberships`), the approval and the resignation (as `POST
/memberships/<id>/status`); its subscriptions to mutualised services, the catalogue and
the form that subscribes it (as `POST /organisations/<id>/subscriptions`), the end of a
subscription (as `POST /subscriptions/<id>/end`) and a new service in the catalogue (as
`POST /mutualised-services`); and the
invoicing of a month's mutualisation fees (as `POST /mutualisation/invoices`, with its
own Idempotency-Key), whose answer shows this organisation's invoice, and the list of its
invoices (as `GET /mutualisation/invoices?organisation_id=<id>`), each with what is paid
and left and, while something is left, a form recording a payment (as `POST
/mutualisation/invoices/<id>/payments`, with its own Idempotency-Key); and its card to
edit (as `PATCH /organisations/<id>`, see gateway/web/edits.py)."""
from flask import request, url_for

from gateway.calls import call
from gateway.web import animation_labels as words
from gateway.web import edits, formats, forms, labels
from gateway.web.animation import STAFF, done, refusal, render
from gateway.web.animation_members import (
    PAYMENT_FIELDS,
    PAYMENT_MESSAGES,
    PAYMENT_NAMES,
    membership_view,
)
from gateway.web.blueprint import web
from gateway.web.my_organisation import (
    MONTHS,
    invoice_page,
    invoice_view,
    service_view,
    subscription_view,
)
from gateway.web.security import signed_in
from shared.errors import DomainError

MOVES = {"approuver": "active", "demission": "resigned"}  # the page's words, the status
MOVE_CONFLICTS = {
    "membership_move_not_allowed": "Cette adhésion a déjà changé d'état (déjà approuvée, "
                                   "ou démission déjà enregistrée) : rechargez la page."}
FORMS = {
    "adhesion": {
        "method": "apply_for_membership",
        "fields": {"year": ("year", forms.integer), "circle": ("circle", None)},
        "messages": {"year": "Une année en chiffres, de 2000 à 2100.",
                     "circle": "Choisissez le cercle de l'adhésion."},
        "conflicts": {"membership_exists": "Cette structure a déjà une adhésion pour cette "
                                           "année."},
        "done": "La candidature est enregistrée : approuvez-la pour l'activer.",
    },
    "abonnement": {
        "method": "subscribe",
        "fields": {"service_id": ("service_id", None),
                   "hours_per_month": ("hours_per_month", forms.number),
                   "starts_on": ("starts_on", None)},
        "messages": {"service_id": "Choisissez un service du catalogue.",
                     "hours_per_month": "Un service à l'heure compte ses heures par mois (de "
                                        "0,01 à 744) ; un service au mois n'en a pas.",
                     "starts_on": "Indiquez le jour où l'abonnement commence."},
        "conflicts": {},
        "done": "L'abonnement est enregistré.",
    },
    "service": {  # the cluster's catalogue, from any member's page
        "method": "add_mutualised_service", "catalogue": True,
        "fields": {"name": ("name", None), "pricing": ("pricing", None),
                   "price_cents": ("price", forms.cents),
                   "fte_carried": ("fte_carried", forms.number),
                   "description": ("description", None)},
        "aliases": {"price_cents": "price"},
        "messages": {"name": "Nommez le service, de 2 à 120 caractères.",
                     "pricing": "Choisissez s'il est facturé à l'heure ou au mois.",
                     "price": "Un prix en euros, par exemple 35 ou 120,50.",
                     "fte_carried": "Les emplois qu'il porte, en ETP : de 0 à 1 000, par "
                                    "exemple 1,5.",
                     "description": "La description tient en 2 000 caractères au plus."},
        "conflicts": {"service_exists": "Un service du catalogue porte déjà ce nom."},
        "done": "Le service est ajouté au catalogue.",
    },
}
END_MESSAGES = {"ends_on": "Indiquez le dernier jour de l'abonnement : pas avant son début."}
INVOICE_FIELDS = {"year": ("year", forms.integer), "month": ("month", forms.integer)}
INVOICE_MESSAGES = {"year": "Une année en chiffres, de 2000 à 2100.",
                    "month": "Choisissez le mois à facturer."}
INVOICE_PAYMENT_MESSAGES = {
    "amount": "Un montant en euros d'au moins 0,01 €, par exemple 150 ou 75,50.",
    **PAYMENT_MESSAGES}
INVOICE_PAYMENT_CONFLICTS = {
    "invoice_overpaid": "Ce montant dépasse le reste à payer de la facture (un autre paiement "
                        "a pu être enregistré entre-temps) : vérifiez le reste à payer."}
DONE = {"approuver": "L'adhésion est approuvée : elle est active.",
        "nouvelle": "La structure est enregistrée. Enregistrez maintenant sa candidature "
                    "à l'adhésion.",
        "fiche": "La fiche de la structure est enregistrée.",
        "demission": "La démission est enregistrée.",
        "fin": "L'abonnement prend fin à la date indiquée.",
        "reglement": "Le paiement de la facture est enregistré.",
        **{form: spec["done"] for form, spec in FORMS.items()}}


@web.get("/animation/adherents/<uuid:organisation_id>")
@signed_in(STAFF)
def organisation(principal, organisation_id):
    return organisation_page(str(organisation_id), done=DONE.get(request.args.get("fait", "")))


@web.post("/animation/adherents/<uuid:organisation_id>/"
          "<any(adhesion, abonnement, service):form>")
@signed_in(STAFF)
def organisation_form(principal, organisation_id, form):
    organisation_id, spec = str(organisation_id), FORMS[form]
    body = forms.payload(request.form, spec["fields"])
    try:
        call("members", spec["method"],
             *(() if spec.get("catalogue") else (organisation_id,)), body)
    except DomainError as exc:
        errors, status = refusal(exc, spec["conflicts"], spec["messages"],
                                 spec.get("aliases"))
        typed = forms.values(request.form, [name for name, _ in spec["fields"].values()])
        return organisation_page(organisation_id, form, errors, typed, status)
    return done("web.organisation", organisation_id=organisation_id, fait=form, _anchor=form)


@web.post("/animation/adherents/<uuid:organisation_id>/fiche")
@signed_in(STAFF)
def organisation_card(principal, organisation_id):
    organisation_id = str(organisation_id)
    refused = edits.save_organisation(organisation_id, request.form)
    if refused:
        fiche, status = refused
        return organisation_page(organisation_id, "fiche", fiche["errors"], status=status,
                                 fiche=fiche)
    return done("web.organisation", organisation_id=organisation_id, fait="fiche",
                _anchor="fiche")


@web.get("/animation/adherents/<uuid:organisation_id>/adhesions/<uuid:membership_id>/"
          "demission")
@signed_in(STAFF)
def confirm_resignation(principal, organisation_id, membership_id):
    """A resignation is definitive: asked again on a page of its own."""
    organisation_id = str(organisation_id)
    found = call("members", "get_organisation", organisation_id)
    membership = membership_view(call("members", "get_membership", str(membership_id)))
    back = url_for("web.organisation", organisation_id=organisation_id, _anchor="adhesions")
    return render("web/animation/confirm.html", "members", c={
        "heading": f"Enregistrer la démission de {found['name']} ?",
        "facts": [("Adhésion", f"{membership['year']} · {membership['circle']}"),
                  ("État", membership["status"]), ("Reste à payer", membership["left"])],
        "sentence": "La démission est définitive : cette adhésion ne reçoit plus de "
                    "cotisation. Pour revenir, la structure dépose une nouvelle candidature.",
        "action": url_for("web.move_membership", organisation_id=organisation_id,
                          membership_id=membership["id"], move="demission"),
        "fields": {}, "button": "Oui, enregistrer la démission", "back": back,
        "back_text": found["name"]})


@web.post("/animation/adherents/<uuid:organisation_id>/adhesions/<uuid:membership_id>/"
          "<any(approuver, demission):move>")
@signed_in(STAFF)
def move_membership(principal, organisation_id, membership_id, move):
    organisation_id = str(organisation_id)
    try:
        call("members", "move_membership", str(membership_id), {"status": MOVES[move]},
             principal.account_id)
    except DomainError as exc:
        errors, status = refusal(exc, MOVE_CONFLICTS, {})
        return organisation_page(organisation_id, "adhesions", errors, status=status)
    return done("web.organisation", organisation_id=organisation_id, fait=move,
                _anchor="adhesions")


@web.post("/animation/adherents/<uuid:organisation_id>/abonnements/<uuid:subscription_id>/fin")
@signed_in(STAFF)
def end_subscription(principal, organisation_id, subscription_id):
    organisation_id, prefix = str(organisation_id), f"fin-{subscription_id}"
    try:
        call("members", "end_subscription", str(subscription_id),
             forms.payload(request.form, {"ends_on": ("ends_on", None)}))
    except DomainError as exc:
        errors, status = refusal(exc, {}, END_MESSAGES)
        return organisation_page(organisation_id, prefix, errors,
                                 forms.values(request.form, ["ends_on"]), status)
    return done("web.organisation", organisation_id=organisation_id, fait="fin",
                _anchor="abonnement")


@web.post("/animation/adherents/<uuid:organisation_id>/facturation")
@signed_in(STAFF)
def invoice_month(principal, organisation_id):
    organisation_id = str(organisation_id)
    typed = forms.values(request.form, ["year", "month"])
    try:
        outcome = call("members", "invoice_month", forms.payload(request.form, INVOICE_FIELDS),
                       forms.idempotency_key(request.form), principal.account_id)
    except DomainError as exc:
        errors, status = refusal(exc, {}, INVOICE_MESSAGES)
        return organisation_page(organisation_id, "facturation", errors, typed, status)
    # The month's invoices are the answer, shown at once (the list below has them too).
    # Sent again, the month is invoiced once per organisation all the same.
    return organisation_page(organisation_id, "facturation", typed=typed,
                             invoices=invoices_view(outcome["invoices"], organisation_id))


@web.post("/animation/adherents/<uuid:organisation_id>/factures/<uuid:invoice_id>/paiement")
@signed_in(STAFF)
def pay_invoice(principal, organisation_id, invoice_id):
    """A payment of one of the organisation's invoices, as `POST
    /mutualisation/invoices/<id>/payments`, with its form's own Idempotency-Key."""
    organisation_id, invoice_id = str(organisation_id), str(invoice_id)
    try:
        call("members", "pay_invoice", invoice_id, forms.payload(request.form, PAYMENT_FIELDS),
             forms.idempotency_key(request.form), principal.account_id)
    except DomainError as exc:
        errors, status = refusal(exc, INVOICE_PAYMENT_CONFLICTS, INVOICE_PAYMENT_MESSAGES,
                                 {"amount_cents": "amount"})
        return organisation_page(organisation_id, f"facture-{invoice_id}", errors,
                                 forms.values(request.form, PAYMENT_NAMES), status)
    # The page of invoices the form was on (`factures`), again, refused or done.
    return done("web.organisation", organisation_id=organisation_id, fait="reglement",
                factures=request.args.get("factures"), _anchor="factures")


def organisation_page(organisation_id, form=None, errors=None, typed=None, status=200,
                      done=None, invoices=None, fiche=None):
    found = call("members", "get_organisation", organisation_id)
    memberships = call("members", "organisation_memberships", organisation_id)["items"]
    catalogue = call("members", "list_mutualised_services")["items"]
    subscriptions = call("members", "organisation_subscriptions", organisation_id)["items"]
    today = formats.today()
    return render("web/animation/organisation.html", "members", status,
                  organisation=found, memberships=membership_rows(memberships),
                  circles=labels.CIRCLES.items(), services=catalogue_view(catalogue),
                  service_choices=[(s["id"], s["name"]) for s in catalogue],
                  subscriptions=subscription_rows(subscriptions),
                  pricings=words.PRICINGS.items(),
                  months=[(str(n), name) for n, name in enumerate(MONTHS, start=1)],
                  invoices=invoices,
                  invoice_list=payable_invoices(invoice_page(organisation_id,
                                                             request.args.get("factures"))),
                  methods=words.PAYMENT_METHODS.items(),
                  invoice_cursor=request.args.get("factures"),
                  form=form, errors=errors or {}, typed=typed or {}, done=done,
                  key=forms.new_key(), today=today.isoformat(), year=today.year,
                  month=str(today.month),
                  **edits.organisation_card(found, fiche, url_for(
                      "web.organisation_card", organisation_id=organisation_id)))


# --- shaping the data for the page (pure) ---------------------------------------------

def membership_rows(memberships):
    """Newest year first, each with the moves an animator can make on it now."""
    return [{**membership_view(m), "approvable": m["status"] == "applied",
             "resignable": m["status"] in ("applied", "active", "lapsed")}
            for m in sorted(memberships, key=lambda m: m["year"], reverse=True)]


def subscription_rows(subscriptions):
    """Each subscription as members read it, and whether it runs with no end set yet
    (the page then offers to end it)."""
    return [{**subscription_view(s), "id": s["id"], "open": not s.get("ends_on")}
            for s in subscriptions]


def catalogue_view(services):
    return [{**service_view(s), "hourly": s["pricing"] == "hourly",
             "pricing": labels.label(words.PRICINGS, s["pricing"])} for s in services]


def payable_invoices(invoice_list):
    """The page of invoices, each with the Idempotency-Key of its own payment form."""
    return {**invoice_list, "rows": [{**row, "key": forms.new_key()}
                                     for row in invoice_list["rows"]]}


def invoices_view(invoices, organisation_id):
    """The month's invoices: this organisation's, with its lines, and how many the
    cluster issued for that month in all."""
    mine = [invoice_view(i) for i in invoices if i["organisation_id"] == organisation_id]
    return {"mine": mine, "count": len(invoices)}
