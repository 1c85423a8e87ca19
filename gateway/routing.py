"""Each route of the API states, in one place, who may call it and what it takes and
gives. The same statement drives authorization, request handling, the OpenAPI document
and the role-matrix test."""
import functools
from dataclasses import dataclass, field

from flask import Blueprint, current_app, jsonify, request

from gateway.auth import authorize
from gateway.calls import file_body, idempotency_key, json_body

PUBLIC = None
AUTHENTICATED = "authenticated"

api = Blueprint("api", __name__, url_prefix="/api/v1")


@dataclass(frozen=True)
class Route:
    rule: str
    method: str
    endpoint: str
    summary: str
    roles: object                    # PUBLIC, AUTHENTICATED or a tuple of roles
    tag: str
    body: type | None = None         # marshmallow schema of the JSON body
    query: type | None = None        # marshmallow schema of the query string
    response: type | None = None     # marshmallow schema of the answer (None: no body)
    status: int = 200
    idempotent: bool = False         # moves money: requires an Idempotency-Key
    errors: tuple = field(default=())  # further statuses this route may answer (409, 429)
    # Anything but JSON: a file (raw, or a multipart form's `file`), base64 to the service
    body_media: tuple = ("application/json",)
    response_media: str = "application/json"  # text/csv: the handler returns the file's bytes
    raw_body: bool = False  # the body's exact bytes, base64, to the service (signed webhooks)
    reader: bool = False  # PUBLIC, but the answer depends on who reads: a token is optional
    # Request headers the route reads, for the document: (name, description, required)
    headers: tuple = field(default=())
    max_body: int | None = None  # bytes, when the route takes more (or less) than the app's

    @property
    def takes_json(self):
        return self.body_media == ("application/json",)

    @property
    def path(self):
        return api.url_prefix + self.rule


ROUTES: list[Route] = []


def route(rule, method, *, summary, roles, tag, **options):
    def decorate(handler):
        spec = Route(rule, method, handler.__name__, summary, roles, tag, **options)

        @functools.wraps(handler)
        def view(**path):
            path = {name: str(value) for name, value in path.items()}  # UUIDs cross RPC as text
            principal = authorize(spec.roles, path.get("organisation_id"))
            if spec.max_body is not None:
                request.max_content_length = spec.max_body
            arguments = dict(path)
            if spec.query is not None:
                arguments["query"] = request.args.to_dict()
            if spec.body is not None:
                arguments["body"] = (
                    json_body() if spec.takes_json and not spec.raw_body
                    else file_body(spec.body_media))
            if spec.idempotent:
                arguments["idempotency_key"] = idempotency_key()
            if spec.roles is not PUBLIC or spec.reader:
                arguments["principal"] = principal  # None: an anonymous reader
            result, headers = handler(**arguments), {}
            if isinstance(result, current_app.response_class):  # its own (a 304)
                return result
            if isinstance(result, tuple):  # (body, headers)
                result, headers = result
            if spec.response is None:
                response = current_app.response_class()
            elif spec.response_media == "application/json":
                response = jsonify(result)
            else:
                response = current_app.response_class(result, mimetype=spec.response_media)
            response.status_code = spec.status
            response.headers.update(headers)
            return response

        api.add_url_rule(rule, endpoint=spec.endpoint, view_func=view, methods=[method])
        ROUTES.append(spec)
        return view
    return decorate
