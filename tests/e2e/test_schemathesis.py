"""Property-based testing of the whole API against its OpenAPI document, with the real
services behind: no 500, no answer the document does not describe. A bounded budget
here, so that the suite stays quick; `make fuzz` runs this module alone with a larger
one (FUZZ_EXAMPLES examples per operation)."""
import os
import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

import gateway.api  # noqa: F401  (declares the routes)
import gateway.funding_routes  # noqa: F401
import gateway.report_routes  # noqa: F401
from gateway.openapi import document
from tests.support.running_platform import PASSWORD

EXAMPLES_PER_OPERATION = int(os.environ.get("FUZZ_EXAMPLES", "12"))


@pytest.fixture(scope="module")
def all_roles(platform):
    """An account with every role (and its organisation's admin), so that generated
    requests get past authorization to the services."""
    organisation = platform.post("/organisations", {
        "name": "Fuzz SCIC", "legal_form": "scic", "postal_code": "01000", "commune": "Bourg"})
    email = f"fuzz-{uuid.uuid4().hex[:8]}@example.org"
    created = platform.post("/accounts", {
        "email": email, "password": PASSWORD, "display_name": "Fuzz",
        "roles": ["citizen", "member_admin", "animator", "funder", "operator"],
        "organisation_id": organisation.json()["id"]})
    assert created.status_code == 201, created.text
    return {"Authorization": f"Bearer {platform.login(email)['access_token']}"}


# Excel's label for a CSV file (the import takes it) is bytes on the wire, as
# application/octet-stream is; schemathesis has no serializer of its own for it.
schemathesis.serializer.alias("application/vnd.ms-excel", "application/octet-stream")
# A campaign's picture is bytes too (image/jpeg, image/png, image/webp).
schemathesis.serializer.alias(["image/jpeg", "image/png", "image/webp"],
                              "application/octet-stream")

# The very document the gateway serves at /api/v1/openapi.json (a test checks they are
# one), built in-process so that tests can be generated before the platform starts.
schema = schemathesis.openapi.from_dict(document())


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_document(case, platform, all_roles):
    if case.path == "/api/v1/openapi.json":
        assert platform.http.get(platform.base_url + case.path).json() == document()
    # Schema-valid data may still break a rule no schema can say (a deadline in the past,
    # a project that does not exist): a documented 422, not a failure.
    response = case.call(base_url=platform.base_url, headers=all_roles, timeout=20)
    if response.status_code == 414:
        # A request line over 8190 bytes (negative data, e.g. a huge query value) is
        # refused by gunicorn before the app, as the document says: a rejection too.
        return
    case.validate_response(response, excluded_checks=[positive_data_acceptance])
