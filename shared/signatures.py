"""Signed webhooks: the payment provider signs each delivery, funding checks it.

The header is `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body>`. The timestamp is
signed with the body so an old delivery replayed later is refused; several `v1=` entries
are accepted so a provider can sign with the old and the new secret while they rotate.
"""
import hashlib
import hmac

from shared.errors import BAD_REQUEST, DomainError

SIGNATURE_HEADER = "Paysim-Signature"
DEFAULT_TOLERANCE_SECONDS = 300


def _digest(secret: str, body: bytes, timestamp: int) -> str:
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The header value that proves `body` was sent by the holder of `secret` at `timestamp`."""
    return f"t={timestamp},v1={_digest(secret, body, timestamp)}"


def _refuse(message: str) -> DomainError:
    return DomainError(BAD_REQUEST, "bad_signature", message)


def _parse(header: str) -> tuple[int, list[str]]:
    timestamp, signatures = None, []
    for part in header.split(","):
        name, separator, value = part.strip().partition("=")
        if not separator or not value:
            raise _refuse(f"The {SIGNATURE_HEADER} header is malformed.")
        if name == "t":
            if not (value.isascii() and value.isdigit()):
                raise _refuse(f"The {SIGNATURE_HEADER} timestamp is not a number.")
            timestamp = int(value)
        elif name == "v1":
            signatures.append(value)
        # Other schemes (v0, future ones) are ignored, as Stripe's clients do.
    if timestamp is None or not signatures:
        raise _refuse(f"The {SIGNATURE_HEADER} header needs a t= timestamp and a v1= signature.")
    return timestamp, signatures


def verify(secret: str, header: str | None, body: bytes, now: float,
           tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS) -> None:
    """Raise DomainError(bad_request, bad_signature) unless `header` signs `body` with
    `secret` at a time within `tolerance_seconds` of `now`."""
    if not header:
        raise _refuse(f"The {SIGNATURE_HEADER} header is missing.")
    timestamp, signatures = _parse(header)
    if abs(now - timestamp) > tolerance_seconds:
        raise _refuse(f"The {SIGNATURE_HEADER} timestamp is more than {tolerance_seconds} "
                      "seconds away from now: a late or replayed delivery.")
    expected = _digest(secret, body, timestamp)
    # Compare with every candidate, without stopping early, in constant time each.
    matches = [hmac.compare_digest(expected, candidate) for candidate in signatures]
    if not any(matches):
        raise _refuse(f"No {SIGNATURE_HEADER} signature matches the body and the secret.")
