"""What paysim accepts in a request body; each function answers (value, field errors)."""
from urllib.parse import urlsplit

NEW_PAYMENT_FIELDS = ("amount_cents", "currency", "reference", "description", "capture",
                      "return_url")
MAX_TEXT = 500


def _is_count(value) -> bool:
    # JSON true is a Python int; it is not an amount.
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _text_error(value, required=True):
    if not isinstance(value, str) or (required and not value.strip()):
        return "Must be a non-empty string."
    if len(value) > MAX_TEXT:
        return f"Must be at most {MAX_TEXT} characters."
    return None


def _url_error(value):
    if value is None:
        return None
    if not isinstance(value, str):
        return "Must be an absolute http(s) URL, or null."
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "Must be an absolute http(s) URL, or null."
    return None


def new_payment(body: dict) -> tuple[dict, dict]:
    errors = {}
    for unknown in sorted(set(body) - set(NEW_PAYMENT_FIELDS)):
        errors[unknown] = ["Unknown field."]
    if not _is_count(body.get("amount_cents")):
        errors["amount_cents"] = ["Must be a whole number of cents, above 0."]
    if body.get("currency") != "EUR":
        errors["currency"] = ['Must be "EUR", the only currency paysim knows.']
    for name in ("reference", "description"):
        message = _text_error(body.get(name))
        if message:
            errors[name] = [message]
    if body.get("capture") not in ("manual", "automatic"):
        errors["capture"] = ['Must be "manual" or "automatic".']
    message = _url_error(body.get("return_url"))
    if message:
        errors["return_url"] = [message]
    request = {name: body.get(name) for name in NEW_PAYMENT_FIELDS}
    return request, errors


def refund(body: dict) -> tuple[int | None, dict]:
    errors = {name: ["Unknown field."] for name in sorted(set(body) - {"amount_cents"})}
    amount = body.get("amount_cents")
    if amount is not None and not _is_count(amount):
        errors["amount_cents"] = ["Must be a whole number of cents, above 0, or absent."]
    return amount, errors
