"""Every error the gateway answers is `application/problem+json` (RFC 9457).

Each problem has a stable `code`, the HTTP `status`, a `title` for people, the
`correlation_id` to quote to an operator and, for invalid input, `errors` by field.
No stack trace, exception class or internal name is ever sent.
"""
import json
import logging

from flask import g, jsonify, request
from gunicorn import util as gunicorn_util
from nameko.exceptions import RemoteError, RpcTimeout, UnknownService
from werkzeug.exceptions import HTTPException

from gateway.rpc import BrokerUnavailable, GatewayBusy
from shared import errors
from shared.logs import new_correlation_id

log = logging.getLogger("gateway.errors")

STATUS_BY_KIND = {
    errors.INVALID: 422,
    errors.BAD_REQUEST: 400,
    errors.UNAUTHENTICATED: 401,
    errors.FORBIDDEN: 403,
    errors.NOT_FOUND: 404,
    errors.CONFLICT: 409,
    errors.TOO_MANY_REQUESTS: 429,
    errors.UNAVAILABLE: 503,
}

HTTP_CODES = {
    400: ("bad_request", "The request is malformed."),
    404: ("not_found", "There is nothing at this address."),
    405: ("method_not_allowed", "This method is not allowed here."),
    413: ("payload_too_large", "The request body is too large."),
    414: ("uri_too_long", "The request line is too long."),
    415: ("unsupported_media_type", "This route does not take a body of this media type."),
    431: ("request_header_fields_too_large",
          "A request header, or all of them together, is too large."),
}


def problem_body(status, code, title, correlation_id, **fields):
    return {"type": f"urn:dombinnov:problem:{code}", "title": title, "status": status,
            "code": code, **fields, "correlation_id": correlation_id}


def problem(status, code, title, detail=None, **extra):
    body = problem_body(status, code, title, g.get("correlation_id"), instance=request.path)
    if detail:
        body["detail"] = detail
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def _domain_error(exc: errors.DomainError):
    extra = {}
    fields = exc.details.get("fields") if isinstance(exc.details, dict) else None
    if fields:
        extra["errors"] = [{"field": name, "messages": messages}
                           for name, messages in sorted(fields.items())]
    if exc.code == "version_conflict":
        extra["current_version"] = exc.details.get("current_version")  # what to reload
    if exc.kind == errors.TOO_MANY_REQUESTS:
        # Said in the body too, for clients that do not read headers; `retry_at` when the
        # refusal has a fixed end (the knowledge test's window).
        extra["retry_after"] = int(exc.details.get("retry_after", 60))
        if exc.details.get("retry_at"):
            extra["retry_at"] = exc.details["retry_at"]
    response = problem(STATUS_BY_KIND[exc.kind], exc.code, exc.message, **extra)
    if exc.kind == errors.UNAUTHENTICATED:
        response.headers["WWW-Authenticate"] = 'Bearer realm="dombinnov"'
    if exc.kind == errors.TOO_MANY_REQUESTS:
        response.headers["Retry-After"] = str(extra["retry_after"])
    return response


# An unread body would be parsed as the next request on the kept-alive connection, which
# gunicorn then closes under the client's feet. Up to this much, read and drop it.
DRAIN_LIMIT_BYTES = 16 * 1024 * 1024


def _drain_body():
    stream = request.environ.get("wsgi.input")
    remaining = min(request.content_length or 0, DRAIN_LIMIT_BYTES)
    while stream is not None and remaining > 0:
        chunk = stream.read(min(remaining, 65536))
        if not chunk:
            break
        remaining -= len(chunk)


def http_error(exc: HTTPException):
    if exc.code == 413:
        _drain_body()
    code, title = HTTP_CODES.get(exc.code, (f"http_{exc.code}", exc.name))
    # A 415's description is the gateway's own: the media types the route takes.
    response = problem(exc.code, code, title, exc.description if exc.code == 415 else None)
    if exc.code == 405 and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


def _unavailable(exc):
    if isinstance(exc, RpcTimeout):
        return problem(503, "service_timeout", "A service did not answer in time; try again.")
    if isinstance(exc, UnknownService):
        return problem(503, "service_unavailable", "A service is not running; try again later.")
    if isinstance(exc, GatewayBusy):
        return problem(503, "gateway_busy", "The gateway is busy; try again.")
    log.warning("broker unreachable", extra={"error": str(exc)})
    return problem(503, "broker_unavailable", "The platform's message broker is unreachable.")


def _unexpected(exc):
    if isinstance(exc, RemoteError):
        log.error("service failed", extra={"remote_type": exc.exc_type, "remote": exc.value})
    else:
        log.exception("gateway failed")
    return problem(500, "internal_error",
                   "Something went wrong on our side; quote the correlation id to an operator.")


def register(app):
    app.register_error_handler(errors.DomainError, _domain_error)
    app.register_error_handler(HTTPException, http_error)
    for unavailable in (RpcTimeout, UnknownService, GatewayBusy, BrokerUnavailable):
        app.register_error_handler(unavailable, _unavailable)
    app.register_error_handler(Exception, _unexpected)


def write_server_problem(sock, status, reason, message):
    """What gunicorn answers itself, before any application sees the request (a request
    line or headers over its limits, a malformed request): the same problem+json as the
    gateway's own errors, in place of its HTML page. gunicorn_conf.py puts it where
    gunicorn writes those answers (`gunicorn.util.write_error`, same arguments)."""
    code, title = HTTP_CODES.get(status, (f"http_{status}", reason))
    correlation_id = new_correlation_id()
    log.warning("refused by the HTTP server", extra={
        "status": status, "code": code, "reason": message[:200],
        "correlation_id": correlation_id})
    body = json.dumps(problem_body(status, code, title, correlation_id)).encode()
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
            f"Content-Type: application/problem+json\r\nContent-Length: {len(body)}\r\n"
            f"X-Correlation-ID: {correlation_id}\r\n\r\n").encode("latin-1")
    gunicorn_util.write_nonblock(sock, head + body)
