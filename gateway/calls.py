"""Request helpers: the JSON body, the Idempotency-Key, and calls to services with this
request's correlation id."""
import base64
import re
import time

from flask import current_app, g, request
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from gateway.metrics import RPC_SECONDS
from shared.errors import BAD_REQUEST, DomainError, invalid

IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
MULTIPART = "multipart/form-data"
FILE_FIELD = "file"  # a multipart form's field that holds the file


def call(service: str, method: str, *args):
    """Call `service.method(*args)` through the pool, forwarding the correlation id."""
    started, outcome = time.perf_counter(), "error"
    try:
        pool = current_app.extensions["rpc_pool"]
        with pool.cluster({"correlation_id": g.correlation_id}) as rpc:
            result = getattr(getattr(rpc, service), method)(*args)
        outcome = "ok"
        return result
    except DomainError:
        outcome = "refused"
        raise
    finally:
        RPC_SECONDS.labels(service, method, outcome).observe(time.perf_counter() - started)


def json_body():
    """The request's JSON body: 415 if it is not JSON, 400 if it does not parse."""
    if request.mimetype != "application/json":
        raise UnsupportedMediaType("Send the body as application/json.")
    try:
        return request.get_json()
    except BadRequest:
        raise DomainError(BAD_REQUEST, "malformed_json", "The body is not valid JSON.") from None


def file_body(media_types: tuple) -> str:
    """A file sent as the body, or as the field `file` of a multipart form, base64-encoded
    so that it crosses RPC intact. Browsers and spreadsheets label the same CSV many ways
    (text/plain, application/vnd.ms-excel...): the route says which it takes."""
    if request.mimetype not in media_types:
        form = f" (the file in the field `{FILE_FIELD}`)" if MULTIPART in media_types else ""
        raise UnsupportedMediaType(f"Send the body as {', '.join(media_types)}{form}.")
    if request.mimetype == MULTIPART:
        upload = request.files.get(FILE_FIELD)
        if upload is None:
            raise invalid({FILE_FIELD: [f"Send the file in the form's field `{FILE_FIELD}`."]})
        return base64.b64encode(upload.read()).decode()
    return base64.b64encode(request.get_data()).decode()


def idempotency_key():
    """The Idempotency-Key header every POST that moves money must carry."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        raise DomainError(BAD_REQUEST, "idempotency_key_required",
                          "This request moves money: send an Idempotency-Key header "
                          "(a unique value per operation, reused on retries).")
    if not IDEMPOTENCY_KEY.match(key):
        raise DomainError(BAD_REQUEST, "idempotency_key_invalid",
                          "An Idempotency-Key is 1 to 255 printable ASCII characters.")
    return key
