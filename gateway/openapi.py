"""The OpenAPI 3.1 document, generated from the route statements of gateway/routing.py
and the marshmallow schemas the services validate with; and a docs page made from it."""
import re
from functools import lru_cache
from http import HTTPStatus

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, jsonify, render_template

from gateway.calls import FILE_FIELD, MULTIPART
from gateway.routing import PUBLIC, ROUTES, api
from gateway.schemas import Problem

DESCRIPTION = """The API of Domb'Innov, the territorial economic cooperation cluster of the
Dombes, Val de Saône and Côtière de l'Ain.

Sign in with `POST /api/v1/auth/login` and send the access token as
`Authorization: Bearer <token>`. Errors are `application/problem+json` (RFC 9457) with a
stable `code`. Every POST that moves money takes an `Idempotency-Key`: the same key and
body replay the first answer, the same key with another body is refused (422). Lists are
paginated by cursor: pass `next_cursor` back as `cursor`. Send `X-Correlation-ID` to follow
a request through the platform; every answer carries one."""

ERROR_TITLES = {
    400: "Malformed request (bad JSON, missing Idempotency-Key)",
    401: "Not signed in, or the token is invalid, expired or revoked",
    403: "Signed in, but not allowed",
    404: "No such resource",
    409: "The state of the resource forbids it",
    413: "Body too large",
    414: "Request line over 8190 bytes (answered by the HTTP server)",
    415: "Body of a media type this route does not take",
    422: "Invalid fields, or an Idempotency-Key reused with another body",
    429: "Too many attempts; see Retry-After",
    431: "A header over 8190 bytes, or over 100 headers (answered by the HTTP server)",
    503: "A service or the broker did not answer in time",
}

# Answered by the HTTP server itself, before the application, as problem+json too
# (gateway/gunicorn_conf.py), on every operation.
SERVER_REFUSALS = (414, 431)

# Routes outside /api/v1 and the document's own, described by hand.
OPERATIONAL = {
    "/healthz": ("The gateway process answers", "application/json"),
    "/readyz": ("The broker, every service and each one's database answer; the 503 "
                "names what is down", "application/json"),
    "/metrics": ("Prometheus metrics", "text/plain"),
    "/api/v1/openapi.json": ("This document", "application/json"),
    "/api/v1/docs": ("This document, as a page", "text/html"),
}

documentation = Blueprint("documentation", __name__)


def openapi_path(flask_rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", flask_rule)


def _error(status):
    return {"description": ERROR_TITLES[status],
            "content": {"application/problem+json": {"schema": "Problem"}}}


def _operation(route):
    parameters = ["CorrelationId"]
    for converter, name in re.findall(r"<(?:([a-z]+):)?([a-z_]+)>", route.rule):
        parameters.append({"in": "path", "name": name, "required": True,
                           "schema": {"type": "string", "format": "uuid"}
                           if converter == "uuid" else {"type": "string"}})
    if route.query is not None:
        parameters.append({"in": "query", "schema": route.query})
    if route.idempotent:
        parameters.append({"in": "header", "name": "Idempotency-Key", "required": True,
                           "schema": {"type": "string", "pattern": "^[\\x21-\\x7e]{1,255}$"}})
    for name, description, required in route.headers:
        parameters.append({"in": "header", "name": name, "required": required,
                           "description": description, "schema": {"type": "string"}})
    success = {"description": HTTPStatus(route.status).phrase}
    if route.response is not None:
        success["content"] = {route.response_media: {
            "schema": route.response if route.response_media == "application/json"
            else {"type": "string"}}}
    if route.status == 201:
        success["headers"] = {"Location": {"schema": {"type": "string"}}}
    statuses = {503, *SERVER_REFUSALS, *route.errors}
    if route.roles is not PUBLIC:
        statuses |= {401, 403}
    if route.reader:
        statuses.add(401)  # a token sent must be valid
    if "<" in route.rule:
        statuses.add(404)
    if route.body is not None:
        statuses |= {400, 413, 415, 422}
    if route.query is not None:
        statuses.add(422)
    if route.idempotent:
        statuses |= {400, 422}
    operation = {
        "operationId": route.endpoint, "summary": route.summary, "tags": [route.tag],
        "parameters": parameters,
        "responses": {str(route.status): success,
                      **{str(status): _error(status) for status in sorted(statuses)}},
        "x-roles": "anyone" if route.roles is PUBLIC else (
            "any signed-in account" if isinstance(route.roles, str) else list(route.roles)),
    }
    if route.reader:
        operation["security"] = [{}, {"bearer": []}]
        operation["description"] = ("Anyone. A signed-in reader also gets what their roles "
                                    "let them see (unpublished campaigns: staff, and the "
                                    "member admins of the carrying organisation).")
    if route.roles is not PUBLIC:
        operation["security"] = [{"bearer": []}]
        who = operation["x-roles"]
        operation["description"] = f"Roles: {who if isinstance(who, str) else ', '.join(who)}."
    if route.body is not None:
        operation["requestBody"] = {"required": True, "content": {
            media_type: {"schema": _body_schema(route, media_type)}
            for media_type in route.body_media}}
    return operation


def _body_schema(route, media_type):
    """The JSON schema of a route's body; a file is binary, alone or as a form's field,
    so that a generated client sends bytes as they are."""
    if route.takes_json:
        return route.body
    binary = {"type": "string", "format": "binary"}
    if media_type == MULTIPART:
        return {"type": "object", "properties": {FILE_FIELD: binary}, "required": [FILE_FIELD]}
    return binary


@lru_cache(maxsize=1)
def document() -> dict:
    spec = APISpec(title="Domb'Innov API", version="1.0.0", openapi_version="3.1.0",
                   plugins=[MarshmallowPlugin()], info={"description": DESCRIPTION})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer",
                                               "bearerFormat": "JWT"})
    spec.components.schema("Problem", schema=Problem)
    spec.components.parameter("CorrelationId", "header", {
        "name": "X-Correlation-ID", "required": False,
        "description": "Follows the request through the platform. 1 to 64 of A-Z, a-z, "
                       "0-9, `.`, `_`, `-`; any other value is replaced by a new id rather "
                       "than refused (tracing never fails a request).",
        "schema": {"type": "string"}})
    by_path = {}
    for route in ROUTES:
        by_path.setdefault(openapi_path(route.path), {})[route.method.lower()] = _operation(route)
    for path, operations in by_path.items():
        spec.path(path=path, operations=operations)
    for path, (summary, content_type) in OPERATIONAL.items():
        spec.path(path=path, operations={"get": {
            "operationId": path.strip("/").replace("/", "_").replace(".", "_"),
            "summary": summary, "tags": ["operations"],
            "responses": {"200": {"description": "OK", "content": {content_type: {}}},
                          **({"503": {"description": "Not ready",
                                      "content": {"application/json": {}}}}
                             if path == "/readyz" else {})}}})
    return spec.to_dict()


@documentation.get(api.url_prefix + "/openapi.json")
def openapi_json():
    return jsonify(document())


def _body_name(operation):
    """The schema of a JSON body, or None for a file."""
    content = operation["requestBody"]["content"]
    if "application/json" not in content:
        return None
    return content["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]


def _who(operation):
    roles = operation.get("x-roles", "anyone")
    return roles if isinstance(roles, str) else ", ".join(roles)


@documentation.get(api.url_prefix + "/docs")
def docs_page():
    return render_template("docs.html", doc=document(), body_name=_body_name, who=_who)
