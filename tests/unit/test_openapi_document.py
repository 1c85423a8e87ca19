"""The OpenAPI document describes every route the gateway serves, and nothing else."""
import re

import pytest
from openapi_spec_validator import validate

from gateway.app import create_app
from gateway.openapi import document, openapi_path
from gateway.routing import ROUTES
from shared.config import Settings


@pytest.fixture(scope="module")
def app():
    return create_app(Settings(jwt_secret="s" * 40, amqp_uri="amqp://nowhere:1//"))


def served(app):
    """The routes of the API and of operations; the web pages (gateway/web) are for
    people and not part of the document."""
    return {(openapi_path(rule.rule), method.lower())
            for rule in app.url_map.iter_rules()
            if rule.endpoint != "static" and not rule.endpoint.startswith("web.")
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def described(doc):
    return {(path, method) for path, operations in doc["paths"].items() for method in operations}


def test_every_route_is_described_and_every_description_is_a_route(app):
    with app.test_client() as client:
        doc = client.get("/api/v1/openapi.json").get_json()
    assert served(app) == described(doc)


def test_the_document_is_valid_openapi_3_1():
    validate(document())


def test_each_operation_says_who_may_call_it_and_how_it_fails():
    doc = document()
    for route in ROUTES:
        operation = doc["paths"][openapi_path(route.path)][route.method.lower()]
        assert "x-roles" in operation
        assert ("security" in operation) == (route.roles is not None or route.reader)
        assert "503" in operation["responses"]
        if route.body is not None:
            assert {"400", "413", "415", "422"} <= set(operation["responses"])
        if route.idempotent:
            assert any(p.get("name") == "Idempotency-Key" and p["required"]
                       for p in operation["parameters"])


def test_request_bodies_are_the_services_own_schemas():
    doc = document()
    contribute = doc["paths"]["/api/v1/campaigns/{campaign_id}/contributions"]["post"]
    ref = contribute["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert schema["properties"]["amount_cents"]["type"] == "integer"
    assert schema["required"] == ["amount_cents"]
    assert schema["additionalProperties"] is False


def test_the_docs_page_lists_every_operation(app):
    with app.test_client() as client:
        page = client.get("/api/v1/docs").get_data(as_text=True)
    for route in ROUTES:
        assert re.search(rf'id="{route.endpoint}"', page), route.endpoint


def test_the_import_declares_every_media_type_it_takes_so_a_generated_client_can_call_it():
    operation = document()["paths"]["/api/v1/organisations/import"]["post"]
    content = operation["requestBody"]["content"]
    assert set(content) == {"text/csv", "text/plain", "application/vnd.ms-excel",
                            "application/octet-stream", "multipart/form-data"}
    for media_type in ("text/csv", "text/plain", "application/vnd.ms-excel",
                       "application/octet-stream"):
        assert content[media_type]["schema"] == {"type": "string", "format": "binary"}
    form = content["multipart/form-data"]["schema"]
    assert form["required"] == ["file"]
    assert form["properties"]["file"] == {"type": "string", "format": "binary"}
    assert "415" in operation["responses"]


def test_a_body_of_another_media_type_is_refused_saying_what_is_taken(app):
    with app.test_client() as client:
        answer = client.post("/api/v1/auth/login", data="a", content_type="text/plain")
    assert answer.status_code == 415
    assert answer.get_json()["detail"] == "Send the body as application/json."


def test_the_webhook_declares_its_signature_header():
    webhook = document()["paths"]["/api/v1/payments/webhook"]["post"]
    [signature] = [p for p in webhook["parameters"] if p.get("name") == "Paysim-Signature"]
    assert signature["in"] == "header" and signature["required"] is True
    assert signature["schema"]["type"] == "string" and "v1=" in signature["description"]
    validate(document())


def test_what_the_http_server_refuses_itself_is_declared_as_a_problem_everywhere():
    doc = document()
    for route in ROUTES:
        responses = doc["paths"][openapi_path(route.path)][route.method.lower()]["responses"]
        for status in ("414", "431"):
            assert responses[status]["content"] == {"application/problem+json": {
                "schema": {"$ref": "#/components/schemas/Problem"}}}, (route.endpoint, status)
