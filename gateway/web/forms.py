"""What the pages' forms share: reading what people type (French numbers and amounts,
ticked boxes, the form's own Idempotency-Key) and saying, in French and next to the
field, what the services refused.

The services answer in English for developers (`DomainError.details["fields"]`); a page
names, per field, the French sentence to show instead. Pure functions: no request."""
import re
import uuid
from decimal import Decimal, InvalidOperation

from gateway.calls import IDEMPOTENCY_KEY
from shared.errors import INVALID, DomainError

FORM = "form"  # the errors said above the form, not next to one field
FALLBACK = "Ces informations ne sont pas valides : vérifiez le formulaire."
MAX_EUROS = Decimal("10000000")  # ten million euros: beyond, a typing mistake
_SPACES = re.compile(r"[ \u00a0\u202f]")
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")
_EUROS = re.compile(r"^\d+(?:[.,]\d{1,2})?$")


class FormError(Exception):
    """A form to show again with these French messages, by field (FORM: above it)."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


def text(form, name: str) -> str:
    return (form.get(name) or "").strip()


def values(form, names) -> dict:
    """What was typed, to show the form again as it was sent."""
    return {name: form.get(name, "") for name in names}


def ticked(form, name: str) -> bool:
    return form.get(name) in ("on", "oui", "true", "1")


def _digits(typed: str) -> str:
    return _SPACES.sub("", (typed or "").strip().removesuffix("€").strip())


def number(typed: str):
    """'12,5' as 12.5, '3' as 3; anything else is left as typed, for the service to
    refuse in its own words (the page then says it in French)."""
    digits = _digits(typed)
    if not _NUMBER.match(digits):
        return typed
    value = Decimal(digits.replace(",", "."))
    return int(value) if value == value.to_integral_value() else float(value)


def integer(typed: str):
    digits = _digits(typed)
    return int(digits) if digits.isdigit() else typed


def cents(typed: str):
    """'2 500,50' or '1 234,5 €' as integer cents; anything else left as typed."""
    digits = _digits(typed)
    if not _EUROS.match(digits):
        return typed
    return int(Decimal(digits.replace(",", ".")) * 100)


def euros_to_cents(typed: str) -> int:
    """An amount people must give right ('25', '25,50', '1 200 €') as cents, or a
    ValueError that says in French what is wrong: never fractions of a cent."""
    digits = _digits(typed)
    if not digits:
        raise ValueError("Indiquez un montant en euros.")
    if not _EUROS.match(digits) or not re.match(r"^[\d \u00a0\u202f.,€]+$", typed.strip()) \
            or re.search(r"\d[ \u00a0\u202f]\d{1,2}(?!\d)", typed):
        raise ValueError("Écrivez le montant en chiffres, par exemple 25 ou 25,50.")
    try:
        amount = Decimal(digits.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern already refused it
        raise ValueError("Écrivez le montant en chiffres, par exemple 25 ou 25,50.") from None
    if amount <= 0:
        raise ValueError("Le montant doit être supérieur à zéro.")
    if amount > MAX_EUROS:
        raise ValueError("Ce montant est trop élevé : vérifiez-le.")
    return int(amount * 100)


def cents_to_typed(amount_cents: int | None) -> str:
    """An amount as one would type it back in the field: '25' or '25,50'."""
    if amount_cents is None:
        return ""
    whole, part = divmod(amount_cents, 100)
    return f"{whole},{part:02d}" if part else str(whole)


def payload(form, fields: dict) -> dict:
    """A service's body from a form: `fields` maps the service's names to (the form's
    name, a converter or None); empty fields are left out."""
    body = {}
    for name, (typed_name, convert) in fields.items():
        typed = text(form, typed_name)
        if typed:
            body[name] = convert(typed) if convert else typed
    return body


def new_key() -> str:
    return str(uuid.uuid4())


def idempotency_key(form) -> str:
    """The key the page put in the form when it drew it (field "cle"): a second click
    finds the same result. A key that is not one is replaced by a new one."""
    key = form.get("cle") or ""
    return key if IDEMPOTENCY_KEY.match(key) else new_key()


def french_errors(exc: DomainError, messages: dict, aliases: dict | None = None,
                  fallback: str = FALLBACK) -> dict:
    """The French messages of a refused form. `aliases` maps a service's field names to
    the form's; `messages` maps the form's field names to their sentence, or to (field
    shown, sentence). A field not named gets `fallback`, shown above the form. Anything
    else than a refusal of the input is raised again."""
    if exc.kind != INVALID:
        raise exc
    aliases, errors = aliases or {}, {}
    for name in exc.details.get("fields", {}):
        shown = aliases.get(name, name)
        known = messages.get(shown)
        if known is None:
            errors.setdefault(FORM, fallback)
        elif isinstance(known, tuple):
            errors[known[0]] = known[1]
        else:
            errors[shown] = known
    return errors or {FORM: fallback}
