"""Members for animators (/animation/adherents): the organisations of the register with
their membership of a year (circle, status, dues paid and left to pay), a page to
record a payment of dues (as `POST /memberships/<id>/payments`), the registration of
one organisation (as `POST /organisations`; its page then takes its application), and
the import of the animators' spreadsheet (as `POST /organisations/import`), whose report
says each refused line's errors in French."""
import base64

from flask import request, url_for

from gateway.calls import call
from gateway.web import animation_labels as words
from gateway.web import edits, formats, forms, imports, labels
from gateway.web.animation import STAFF, done, every_item, long_day, refusal, render
from gateway.web.blueprint import web
from gateway.web.security import signed_in
from shared.errors import INVALID, DomainError

PAYABLE = ("active", "lapsed")  # members refuses dues for the others
PAYMENT_FIELDS = {"amount_cents": ("amount", forms.cents), "paid_on": ("paid_on", None),
                  "method": ("method", None), "reference": ("reference", None)}
PAYMENT_NAMES = [typed for typed, _ in PAYMENT_FIELDS.values()]
PAYMENT_MESSAGES = {"paid_on": "Indiquez la date du paiement : aujourd'hui au plus tard.",
                    "method": "Choisissez le moyen de paiement.",
                    "reference": "La référence tient en 120 caractères au plus."}
PAYMENT_CONFLICTS = {
    "membership_not_payable": "Cette adhésion ne reçoit pas de cotisation : une candidature "
                              "doit d'abord être approuvée, et une démission est définitive.",
}
YEAR_MESSAGE = "Une année en chiffres, de 2000 à 2100."
# A new organisation's form: the fields of its card (gateway/web/edits.py) it is born with.
NEW_ORGANISATION = ("name", "legal_form", "siret", "rna", "postal_code", "commune",
                    "territory")
NEW_FIELDS = {name: edits.ORGANISATION[name][:2] for name in NEW_ORGANISATION}
NEW_MESSAGES = {edits.ORGANISATION[name][0]: edits.ORGANISATION[name][4]
                for name in NEW_ORGANISATION}
NEW_CONFLICTS = {
    "siret_already_registered": "Une structure de ce SIRET est déjà enregistrée : cherchez-la "
                                "dans la liste ci-dessous.",
    "organisation_already_registered": "Une structure de ce nom est déjà enregistrée à ce "
                                       "code postal : cherchez-la dans la liste, ou donnez le "
                                       "SIRET s'il s'agit d'une autre.",
}


@web.get("/animation/adherents")
@signed_in(STAFF)
def members(principal):
    return members_page(request.args.get("annee", "").strip(),
                        paid=request.args.get("paye", ""))


@web.post("/animation/adherents/nouvelle")
@signed_in(STAFF)
def register_organisation(principal):
    body = forms.payload(request.form, NEW_FIELDS)
    body.setdefault("territory", "")  # chosen on the page: the service would take "outside"
    try:
        organisation = call("members", "register_organisation", body)
    except DomainError as exc:
        errors, status = refusal(exc, NEW_CONFLICTS, NEW_MESSAGES)
        return members_page("", errors, forms.values(request.form, NEW_FIELDS), status=status,
                            form="structure")
    return done("web.organisation", organisation_id=organisation["id"], fait="nouvelle",
                _anchor="adhesion")


@web.post("/animation/adherents/import")
@signed_in(STAFF)
def import_members(principal):
    upload, mode = request.files.get("fichier"), forms.text(request.form, "mode")
    typed = {"mode": mode}
    content = upload.read() if upload else b""
    if not content:
        return members_page("", {"fichier": "Choisissez le fichier CSV à importer (il ne doit "
                                            "pas être vide)."}, typed, status=422)
    try:
        outcome = call("members", "import_organisations", base64.b64encode(content).decode(),
                       {"mode": mode or "valid_rows"})
    except DomainError as exc:
        if exc.kind != INVALID:
            raise
        fields = exc.details.get("fields", {})
        errors = {"fichier": imports.file_error(fields["file"])} if "file" in fields \
            else {"mode": "Choisissez une façon d'importer."}
        return members_page("", errors, typed, status=422)
    # The report is the answer, shown at once rather than after a redirect: it is only
    # in this answer. Sent again, the file imports nothing twice (each organisation is
    # then refused as registered already).
    return members_page("", report=imports.report(outcome))


@web.get("/animation/adhesions/<uuid:membership_id>/paiement")
@signed_in(STAFF)
def payment(principal, membership_id):
    return payment_page(str(membership_id))


@web.post("/animation/adhesions/<uuid:membership_id>/paiement")
@signed_in(STAFF)
def record_payment(principal, membership_id):
    membership_id = str(membership_id)
    body = forms.payload(request.form, PAYMENT_FIELDS)
    membership = call("members", "get_membership", membership_id)
    try:
        call("members", "pay_dues", membership_id, body, forms.idempotency_key(request.form),
             principal.account_id)
    except DomainError as exc:
        errors, status = refusal(exc, PAYMENT_CONFLICTS, payment_messages(membership),
                                 {"amount_cents": "amount"})
        return payment_page(membership_id, errors, forms.values(request.form, PAYMENT_NAMES),
                            status)
    return done("web.members", annee=membership["year"], paye=membership_id)


def members_page(year_text, errors=None, typed=None, report=None, status=200, paid="",
                 form=None):
    """`form`: "structure" when the new organisation's form comes back with `errors`."""
    errors = dict(errors or {})
    year = year_of(year_text)
    if year is None:
        errors["annee"] = YEAR_MESSAGE
        year = formats.today().year
    rows = member_rows(every_item("members", "list_organisations", {}),
                       every_item("members", "list_memberships", {"year": str(year)}))
    paid_row = next((row for row in rows if row["membership"]
                     and row["membership"]["id"] == paid), None)
    return render("web/animation/members.html", "members", status, year=year,
                  year_text=year_text or str(year), rows=rows, errors=errors,
                  typed=typed or {}, report=report, modes=words.IMPORT_MODES.items(),
                  form=form,
                  legal_forms=labels.LEGAL_FORM_LABELS.items(),
                  territories=labels.TERRITORY_LABELS.items(),
                  action=url_for("web.register_organisation"),
                  done=paid_row and f"Le paiement de {paid_row['name']} est enregistré.")


def payment_page(membership_id, errors=None, typed=None, status=200):
    membership = call("members", "get_membership", membership_id)
    organisation = call("members", "get_organisation", membership["organisation_id"])
    return render("web/animation/payment.html", "members", status,
                  m=membership_view(membership), organisation=organisation["name"],
                  methods=words.PAYMENT_METHODS.items(), errors=errors or {},
                  typed=typed or {}, key=forms.new_key(), today=formats.today().isoformat(),
                  amount=euros_input(membership["dues_cents"] - membership["paid_cents"]))


def payment_messages(membership):
    left = formats.euros(membership["dues_cents"] - membership["paid_cents"])
    return {"amount": f"Un montant en euros, de 0,01 € au reste à payer ({left}).",
            **PAYMENT_MESSAGES}


# --- shaping the data for the pages (pure) --------------------------------------------

def year_of(text):
    """The year asked for: None when it is not one (the page says so); "" is this year's."""
    if not text:
        return formats.today().year
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else None


def euros_input(cents) -> str:
    """An amount as a person types it in a form: 150 or 150,50 (no thousands separator,
    which would only be in the way)."""
    if cents <= 0:
        return ""
    return f"{cents // 100}" if cents % 100 == 0 else f"{cents // 100},{cents % 100:02d}"


def membership_view(membership):
    left = max(membership["dues_cents"] - membership["paid_cents"], 0)
    return {"id": membership["id"], "year": membership["year"],
            "circle": labels.label(labels.CIRCLES, membership["circle"]),
            "status": labels.label(words.MEMBERSHIP_STATUSES, membership["status"]),
            "dues": formats.euros(membership["dues_cents"]),
            "paid": formats.euros(membership["paid_cents"]),
            "left": formats.euros(left), "settled": left == 0,
            "payable": membership["status"] in PAYABLE and left > 0,
            "since": long_day(formats.local_date(membership["activated_at"]))
            if membership.get("activated_at") else None}


def member_rows(organisations, memberships):
    """Each organisation, by name, with its membership of the year shown (or None)."""
    by_organisation = {m["organisation_id"]: m for m in memberships}
    return [{"id": o["id"], "name": o["name"], "commune": o["commune"],
             "legal_form": labels.label(labels.LEGAL_FORM_LABELS, o["legal_form"]),
             "membership": membership_view(by_organisation[o["id"]])
             if o["id"] in by_organisation else None}
            for o in sorted(organisations, key=lambda o: o["name"].lower())]
