"""A member organisation's own page (/mon-organisation), for its admins (member_admin
accounts, tied to their organisation in the access token, as the API's ORGANISATION
routes): who the cluster knows it as, its membership year by year with the dues paid
and left to pay, each payment, its subscriptions to mutualised services, the projects it
carries, its invoices of mutualisation fees (newest first, a page at a time, each
with what is paid and left), and the
catalogue of services it may use. As the API's
`GET /organisations/<id>/{memberships,dues-payments,subscriptions}`,
`GET /mutualisation/invoices` and `GET /projects?carrier_organisation_id=<id>`; its card
to edit (as `PATCH /organisations/<id>`, see gateway/web/edits.py), and the card of each
project it carries (/mon-organisation/projets/<id>, as `PATCH /projects/<id>`, which the
services allow its admins for the projects their organisation carries)."""
from flask import redirect, render_template, request, url_for

from gateway.api import actor
from gateway.calls import call
from gateway.web import edits, formats, labels
from gateway.web.animation_labels import INVOICE_STATUSES, PAYMENT_METHODS, PRICINGS
from gateway.web.animation_members import euros_input, membership_view
from gateway.web.blueprint import web
from gateway.web.security import signed_in
from shared.cluster import STAGE_LABELS
from shared.errors import INVALID, DomainError

ROLES = ("member_admin",)
INVOICES_PER_PAGE = 12
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre")


@web.get("/mon-organisation")
@signed_in(ROLES)
def my_organisation(principal):
    done = "La fiche de votre structure est enregistrée." \
        if request.args.get("fait") == "fiche" else None
    return my_organisation_page(principal, done=done)


@web.post("/mon-organisation/fiche")
@signed_in(ROLES)
def my_organisation_card(principal):
    if not principal.organisation_id:
        return my_organisation_page(principal)
    refused = edits.save_organisation(principal.organisation_id, request.form)
    if refused:
        fiche, status = refused
        return my_organisation_page(principal, fiche), status
    return redirect(url_for("web.my_organisation", fait="fiche", _anchor="fiche"), code=303)


@web.get("/mon-organisation/projets/<uuid:project_id>")
@signed_in(ROLES)
def my_project(principal, project_id):
    done = "La fiche du projet est enregistrée." if request.args.get("fait") == "fiche" \
        else None
    return my_project_page(principal, str(project_id), done=done)


@web.post("/mon-organisation/projets/<uuid:project_id>/fiche")
@signed_in(ROLES)
def my_project_card(principal, project_id):
    project_id = str(project_id)
    refused = edits.save_project(project_id, request.form, actor(principal))
    if refused:
        fiche, status = refused
        return my_project_page(principal, project_id, fiche), status
    return redirect(url_for("web.my_project", project_id=project_id, fait="fiche",
                            _anchor="fiche"), code=303)


def my_project_page(principal, project_id, fiche=None, done=None):
    """A project the organisation carries, and its card: the service refuses another's."""
    record = call("projects", "project_file", project_id, actor(principal))
    return render_template("web/my_project.html", active="organisation", done=done,
                           project=project_view(record), form="fiche",
                           errors=fiche["errors"] if fiche else {},
                           **edits.project_card(record, fiche, url_for(
                               "web.my_project_card", project_id=project_id)))


def my_organisation_page(principal, fiche=None, done=None):
    organisation_id = principal.organisation_id
    if not organisation_id:
        return render_template("web/organisation.html", active="organisation",
                               organisation=None)
    organisation = call("members", "get_organisation", organisation_id)
    memberships = call("members", "organisation_memberships", organisation_id)["items"]
    services = call("members", "list_mutualised_services")["items"]
    payments = call("members", "organisation_dues_payments", organisation_id)["items"]
    subscriptions = call("members", "organisation_subscriptions", organisation_id)["items"]
    projects = call("projects", "list_projects", {"carrier_organisation_id": organisation_id,
                                                  "limit": "100"})["items"]
    return render_template("web/organisation.html", active="organisation",
                           organisation=organisation_view(organisation),
                           **memberships_view(memberships, formats.today().year),
                           payments=[payment_view(payment) for payment in payments],
                           subscriptions=[subscription_view(row) for row in subscriptions],
                           projects=[project_view(project) for project in projects],
                           invoice_list=invoice_page(organisation_id,
                                                 request.args.get("factures")),
                           services=[service_view(service) for service in services],
                           done=done, form="fiche", errors=fiche["errors"] if fiche else {},
                           **edits.organisation_card(
                               organisation, fiche, url_for("web.my_organisation_card")))


def invoice_page(organisation_id, cursor=None):
    """A page of the organisation's invoices, newest first (`cursor`: the page's
    `factures` parameter; one the list no longer knows starts it again, said so)."""
    query = {"organisation_id": organisation_id, "limit": str(INVOICES_PER_PAGE)}
    try:
        page = call("members", "list_invoices", {**query, **({"cursor": cursor} if cursor
                                                              else {})})
    except DomainError as exc:
        if exc.kind != INVALID or not cursor:
            raise
        return {**invoice_page(organisation_id), "restarted": True}
    return {"rows": [invoice_view(invoice) for invoice in page["items"]],
            "next_cursor": page["next_cursor"], "later": bool(cursor), "restarted": False}


# --- shaping the data for the page (pure) ---------------------------------------------

def invoice_view(invoice):
    """An invoice as the pages show it: its month in words, its lines, its total, what
    has been paid and what is left (`amount`: the rest, as a payment's form offers it)."""
    return {"id": invoice["id"], "period": f"{MONTHS[invoice['month'] - 1]} {invoice['year']}",
            "total": formats.euros(invoice["total_cents"]),
            "paid": formats.euros(invoice["paid_cents"]),
            "left": formats.euros(invoice["left_cents"]),
            "status": labels.label(INVOICE_STATUSES, invoice["status"]),
            "payable": invoice["left_cents"] > 0, "amount": euros_input(invoice["left_cents"]),
            "issued": formats.long_date(invoice["issued_at"]),
            "lines": [{"service": line["service"],
                       "hours": f"{formats.number(line['hours_per_month'])} h"
                       if line.get("hours_per_month") else "",
                       "amount": formats.euros(line["amount_cents"])}
                      for line in invoice["lines"]]}


def organisation_view(organisation):
    return {"name": organisation["name"],
            "legal_form": labels.label(labels.LEGAL_FORM_LABELS, organisation["legal_form"]),
            "place": f"{organisation['postal_code']} {organisation['commune']} · "
                     f"{labels.label(labels.TERRITORY_LABELS, organisation['territory'])}",
            "siret": organisation.get("siret") or "—",
            "headcount": f"{formats.number(organisation['headcount_fte'])} ETP"}


def memberships_view(memberships, this_year):
    """The membership of this year (or the latest one) first, then the others, newest
    first; and what is left to pay over all of them."""
    ordered = sorted(memberships, key=lambda m: m["year"], reverse=True)
    current = next((m for m in ordered if m["year"] == this_year), ordered[0] if ordered
                   else None)
    left = sum(max(m["dues_cents"] - m["paid_cents"], 0) for m in ordered
               if m["status"] in ("active", "lapsed"))
    return {"current": current and membership_view(current),
            "memberships": [membership_view(m) for m in ordered],
            "left_to_pay": formats.euros(left) if left else None}


def service_view(service):
    return {"name": service["name"], "description": service.get("description") or "",
            "price": f"{formats.euros(service['price_cents'])} "
                     f"{labels.label(PRICINGS, service['pricing'])}",
            "fte": f"{formats.number(service['fte_carried'])} ETP"}


def payment_view(payment):
    return {"on": formats.long_date(payment["paid_on"]), "year": payment["year"],
            "amount": formats.euros(payment["amount_cents"]),
            "method": labels.label(PAYMENT_METHODS, payment["method"]),
            "reference": payment.get("reference") or ""}


def subscription_view(subscription):
    hours = subscription.get("hours_per_month")
    ends_on = subscription.get("ends_on")
    return {"name": subscription["service_name"],
            "price": f"{formats.euros(subscription['price_cents'])} "
                     f"{labels.label(PRICINGS, subscription['pricing'])}",
            "hours": f"{formats.number(hours)} h par mois" if hours else "",
            "period": f"depuis le {formats.long_date(subscription['starts_on'])}"
            + (f", jusqu'au {formats.long_date(ends_on)}" if ends_on else ""),
            "ended": bool(ends_on and ends_on < formats.today().isoformat())}


def project_view(project):
    return {"id": project["id"], "title": project["title"], "commune": project["commune"],
            "stage": labels.label(STAGE_LABELS, project["stage"])}
