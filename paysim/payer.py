"""The hosted payer page: where the payer confirms or refuses, then goes back to the
merchant's return_url. Knowing the payment id is what lets one see and answer it, as on
a real provider's hosted page; no JavaScript is needed."""
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Blueprint, redirect, render_template, request

from paysim.french import STATUS_LABELS, format_euros
from paysim.ledger import UnknownPayment
from paysim.simulator import current

payer = Blueprint("payer", __name__, url_prefix="/pay")
DECISIONS = {"confirm": True, "fail": False}


def page(template: str, status: int = 200, **context):
    return render_template(template, format_euros=format_euros, labels=STATUS_LABELS,
                           **context), status, {"Content-Type": "text/html; charset=utf-8"}


@payer.errorhandler(UnknownPayment)
def unknown_payment(_):
    return page("not_found.html", 404)


@payer.get("/<payment_id>")
def show(payment_id):
    return page("payment.html", payment=current().ledger.get(payment_id))


@payer.post("/<payment_id>")
def decide(payment_id):
    decision = request.form.get("decision")
    if decision not in DECISIONS:
        payment = current().ledger.get(payment_id)
        return page("payment.html", 400, payment=payment,
                    problem="Choisissez « Payer » ou « Refuser le paiement ».")
    payment = current().ledger.decide(payment_id, confirmed=DECISIONS[decision])
    if payment["return_url"]:
        return redirect(with_payment_id(payment["return_url"], payment_id), 303)
    return page("payment.html", payment=payment, decided=True)


def with_payment_id(url: str, payment_id: str) -> str:
    parts = urlsplit(url)
    query = [(name, value) for name, value in parse_qsl(parts.query, keep_blank_values=True)
             if name != "payment_id"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("payment_id", payment_id)])))
