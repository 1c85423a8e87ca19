"""The one error type a service raises on purpose.

A DomainError crosses RPC as itself (shared.rpc registers it with nameko), carrying a
stable `code` for clients, a `kind` the gateway maps to an HTTP status, a message for
people and, for invalid input, the errors by field. Pure Python: domain modules use it.
"""
import json

INVALID = "invalid"                # 422: the input breaks a schema or a rule on a field
BAD_REQUEST = "bad_request"        # 400: the request itself is malformed
UNAUTHENTICATED = "unauthenticated"  # 401: who is asking is unknown or not proven
FORBIDDEN = "forbidden"            # 403: known, and not allowed
NOT_FOUND = "not_found"            # 404
CONFLICT = "conflict"              # 409: the state of things forbids it now
TOO_MANY_REQUESTS = "too_many_requests"  # 429: details carry `retry_after` seconds
UNAVAILABLE = "unavailable"        # 503: a service this one depends on did not answer

KINDS = (INVALID, BAD_REQUEST, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT,
         TOO_MANY_REQUESTS, UNAVAILABLE)


class DomainError(Exception):
    def __init__(self, kind, code, message, details=None):
        if kind not in KINDS:
            raise ValueError(f"unknown error kind {kind!r}")
        # args are what nameko serialises, and it turns every number, boolean and None
        # into text; the details travel as one JSON text so they arrive as they left.
        if not isinstance(details, str):
            details = json.dumps(details or {}, default=str, separators=(",", ":"))
        super().__init__(kind, code, message, details)

    @property
    def kind(self):
        return self.args[0]

    @property
    def code(self):
        return self.args[1]

    @property
    def message(self):
        return self.args[2]

    @property
    def details(self) -> dict:
        return json.loads(self.args[3])

    def __str__(self):
        return f"{self.code}: {self.message}"


def invalid(field_errors, message="The request has invalid fields."):
    """`field_errors` maps each field (dotted for nested ones) to a list of messages."""
    return DomainError(INVALID, "validation_failed", message, {"fields": field_errors})


def check_done_by(field: str, day, today) -> None:
    """A fact done (support given, dues paid, volunteering, a milestone reached...)
    happened on a day that has come: `today` is the cluster's day (Europe/Paris)."""
    if day > today:
        raise invalid({field: [f"A fact done can't be dated in the future (after {today})."]})


def not_found(entity, entity_id):
    return DomainError(
        NOT_FOUND, f"{entity}_not_found", f"No {entity} with id {entity_id}.",
        {"entity": entity, "id": str(entity_id)},
    )


def conflict(code, message, **details):
    return DomainError(CONFLICT, code, message, details)


def version_conflict(entity, entity_id, current_version):
    """An edit made against a version someone else has changed since: the client reloads
    `current_version` and decides, rather than overwriting what it never saw."""
    return DomainError(
        CONFLICT, "version_conflict",
        f"This {entity} was changed by someone else since the version you edited; reload it.",
        {"entity": entity, "id": str(entity_id), "current_version": current_version},
    )
