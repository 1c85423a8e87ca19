"""The merchant's API under /v1: JSON in and out, a bearer API key on every call."""
import hmac

from flask import Blueprint, jsonify, request

from paysim import validation
from paysim.ledger import IdempotencyKeyReused, InvalidTransition, RefundTooLarge, UnknownPayment
from paysim.simulator import current

api = Blueprint("api", __name__, url_prefix="/v1")


def error(http_status: int, code: str, message: str, **details):
    response = jsonify({"error": {"code": code, "message": message, **details}})
    response.status_code = http_status
    return response


@api.before_request
def require_api_key():
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    expected = current().settings.api_key
    if scheme != "Bearer" or not hmac.compare_digest(key.encode(), expected.encode()):
        response = error(401, "unauthenticated",
                         "Send the API key as `Authorization: Bearer <key>`.")
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
    return None


class BadBody(Exception):
    pass


def json_object(optional=False) -> dict:
    if optional and not request.get_data():
        return {}
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadBody()
    return body


@api.errorhandler(BadBody)
def bad_body(_):
    return error(400, "invalid_json", "The body must be a JSON object.")


@api.errorhandler(UnknownPayment)
def unknown_payment(exc):
    return error(404, "payment_not_found", f"No payment with id {exc.args[0]}.")


@api.errorhandler(InvalidTransition)
def invalid_transition(exc):
    return error(409, "invalid_transition", str(exc), status=exc.status)


def invalid(fields: dict):
    return error(422, "validation_failed", "The request has invalid fields.", fields=fields)


@api.post("/payments")
def create_payment():
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return error(400, "idempotency_key_required",
                     "Creating a payment needs an Idempotency-Key header.")
    payment_request, fields = validation.new_payment(json_object())
    if fields:
        return invalid(fields)
    try:
        payment, replayed = current().ledger.create(payment_request, key)
    except IdempotencyKeyReused:
        return error(422, "idempotency_key_reused",
                     "This Idempotency-Key was used with another request body.")
    if replayed:
        return jsonify(payment), 200, {"Idempotent-Replayed": "true"}
    return jsonify(payment), 201


@api.get("/payments/<payment_id>")
def get_payment(payment_id):
    return current().ledger.get(payment_id)


@api.post("/payments/<payment_id>/capture")
def capture(payment_id):
    return current().ledger.capture(payment_id)


@api.post("/payments/<payment_id>/cancel")
def cancel(payment_id):
    return current().ledger.cancel(payment_id)


@api.post("/payments/<payment_id>/refunds")
def refund(payment_id):
    amount, fields = validation.refund(json_object(optional=True))
    if fields:
        return invalid(fields)
    try:
        return current().ledger.refund(payment_id, amount)
    except RefundTooLarge as exc:
        return invalid({"amount_cents": [str(exc)]})


@api.get("/events")
def events():
    """Every event and how its delivery went, oldest first: for operators and tests."""
    return {"data": current().webhooks.events(request.args.get("payment_id"))}
