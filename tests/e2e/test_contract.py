"""The gateway's contract, with the real services behind: who may call what, tokens,
passwords, login limits, errors, lists and metrics."""
import base64
import json
import uuid
from datetime import datetime, timedelta, timezone

import jwt
import pytest
import sqlalchemy as sa

import gateway.app  # noqa: F401  (declares the routes)
from gateway.routing import ROUTES
from shared.database import create_engine
from tests.support.funding import PROJECT
from tests.support.accounts import sign_up
from tests.support.platform import free_port, wait_ready
from tests.support.running_platform import PASSWORD
from tests.support.waiting import wait_until

ANYONE, SIGNED_IN = "anyone", "any signed-in account"
STAFF = {"animator", "operator"}

# The written matrix: who may call each route. The test below fails if a route is
# missing from it, or if the gateway disagrees with it.
MATRIX = {
    ("POST", "/auth/signup"): ANYONE,
    ("POST", "/auth/login"): ANYONE,
    ("POST", "/auth/refresh"): ANYONE,
    ("POST", "/auth/logout"): SIGNED_IN,
    ("POST", "/auth/password"): SIGNED_IN,
    ("POST", "/auth/password-reset"): ANYONE,
    ("POST", "/auth/password-reset/confirm"): ANYONE,
    ("POST", "/auth/email-verification"): SIGNED_IN,
    ("POST", "/auth/email-verification/confirm"): ANYONE,
    ("POST", "/auth/email-change"): SIGNED_IN,
    ("GET", "/me"): SIGNED_IN,
    ("POST", "/accounts"): STAFF,
    ("POST", "/organisations"): STAFF,
    ("GET", "/organisations"): STAFF,
    ("GET", "/organisations/<uuid:organisation_id>"): STAFF | {"member_admin"},
    ("PATCH", "/organisations/<uuid:organisation_id>"): STAFF | {"member_admin"},
    ("POST", "/organisations/import"): STAFF,
    ("GET", "/organisations/export"): STAFF,
    ("POST", "/organisations/<uuid:organisation_id>/contacts"): STAFF | {"member_admin"},
    ("GET", "/organisations/<uuid:organisation_id>/contacts"): STAFF | {"member_admin"},
    ("POST", "/organisations/<uuid:organisation_id>/memberships"): STAFF | {"member_admin"},
    ("GET", "/organisations/<uuid:organisation_id>/memberships"): STAFF | {"member_admin"},
    ("GET", "/organisations/<uuid:organisation_id>/dues-payments"): STAFF | {"member_admin"},
    ("GET", "/organisations/<uuid:organisation_id>/subscriptions"): STAFF | {"member_admin"},
    ("GET", "/memberships"): STAFF | {"funder"},
    ("GET", "/memberships/<uuid:membership_id>"): STAFF,
    ("POST", "/memberships/<uuid:membership_id>/status"): STAFF,
    ("POST", "/memberships/<uuid:membership_id>/payments"): STAFF,
    ("POST", "/memberships/renewals"): STAFF,
    ("GET", "/mutualised-services"): ANYONE,
    ("POST", "/mutualised-services"): STAFF,
    ("POST", "/organisations/<uuid:organisation_id>/subscriptions"): STAFF,
    ("POST", "/subscriptions/<uuid:subscription_id>/end"): STAFF,
    ("POST", "/mutualisation/invoices"): STAFF,
    ("GET", "/mutualisation/invoices"): STAFF | {"member_admin"},
    ("POST", "/mutualisation/invoices/<uuid:invoice_id>/payments"): STAFF,
    ("GET", "/mutualisation/summary"): STAFF | {"funder"},
    ("GET", "/privacy/personal-data"): {"operator"},
    ("POST", "/privacy/erasures"): {"operator"},
    ("POST", "/projects"): STAFF | {"member_admin"},
    ("GET", "/projects"): ANYONE,
    ("GET", "/projects/<uuid:project_id>"): ANYONE,
    ("GET", "/projects/board"): STAFF,
    ("GET", "/projects/<uuid:project_id>/file"): STAFF | {"member_admin"},
    ("POST", "/projects/<uuid:project_id>/stage"): STAFF,
    ("POST", "/projects/<uuid:project_id>/partners"): STAFF | {"member_admin"},
    ("POST", "/projects/<uuid:project_id>/support"): STAFF,
    ("POST", "/projects/<uuid:project_id>/milestones"): STAFF | {"member_admin"},
    ("POST", "/projects/<uuid:project_id>/milestones/<uuid:milestone_id>/complete"):
        STAFF | {"member_admin"},
    ("POST", "/projects/<uuid:project_id>/job-reports"): STAFF | {"member_admin"},
    ("POST", "/projects/<uuid:project_id>/enterprise"): STAFF,
    ("POST", "/projects/<uuid:project_id>/news"): STAFF | {"member_admin"},
    ("PATCH", "/projects/<uuid:project_id>"): STAFF | {"member_admin"},
    ("PATCH", "/projects/<uuid:project_id>/partners/<uuid:record_id>"): STAFF | {"member_admin"},
    ("PATCH", "/projects/<uuid:project_id>/milestones/<uuid:record_id>"):
        STAFF | {"member_admin"},
    ("PATCH", "/projects/<uuid:project_id>/support/<uuid:record_id>"): STAFF,
    ("PATCH", "/projects/<uuid:project_id>/job-reports/<uuid:record_id>"): STAFF,
    ("POST", "/campaigns"): STAFF | {"member_admin"},
    ("PATCH", "/campaigns/<uuid:campaign_id>"): STAFF | {"member_admin"},
    ("PUT", "/campaigns/<uuid:campaign_id>/cover-image"): STAFF | {"member_admin"},
    ("GET", "/campaign-images/<string:image_id>"): ANYONE,
    ("GET", "/campaigns"): ANYONE,
    ("GET", "/campaigns/places"): ANYONE,
    ("GET", "/campaigns/<uuid:campaign_id>"): ANYONE,
    ("POST", "/campaigns/<uuid:campaign_id>/submit"): STAFF | {"member_admin"},
    ("POST", "/campaigns/<uuid:campaign_id>/send-back"): STAFF,
    ("POST", "/campaigns/<uuid:campaign_id>/approve"): STAFF,
    ("GET", "/campaigns/<uuid:campaign_id>/key-information"): ANYONE,
    ("GET", "/campaigns/<uuid:campaign_id>/contributors"): ANYONE,
    ("GET", "/campaigns/<uuid:campaign_id>/contributions"): STAFF,
    ("GET", "/campaigns/<uuid:campaign_id>/questions"): ANYONE,
    ("POST", "/campaigns/<uuid:campaign_id>/questions"): SIGNED_IN,
    ("POST", "/questions/<uuid:question_id>/answer"): STAFF | {"member_admin"},
    ("POST", "/campaigns/<uuid:campaign_id>/contributions"): {"citizen"},
    ("POST", "/campaigns/<uuid:campaign_id>/offline-contributions"): STAFF,
    ("POST", "/campaigns/<uuid:campaign_id>/transfers"): STAFF,
    ("GET", "/contributions/<uuid:contribution_id>"): SIGNED_IN,
    ("GET", "/me/contributions"): SIGNED_IN,
    ("POST", "/contributions/<uuid:contribution_id>/withdraw"): {"citizen"},
    ("POST", "/contributions/<uuid:contribution_id>/board-decision"): STAFF,
    ("GET", "/contributions/<uuid:contribution_id>/receipt"): SIGNED_IN,
    ("POST", "/payments/webhook"): ANYONE,
    ("GET", "/payments/discrepancies"): STAFF,
    ("GET", "/investor/knowledge-test"): SIGNED_IN,
    ("POST", "/investor/knowledge-test"): SIGNED_IN,
    ("POST", "/investor/loss-simulation"): SIGNED_IN,
    ("GET", "/investor/profile"): SIGNED_IN,
    ("PUT", "/organisations/<uuid:organisation_id>/beneficiary"): STAFF,
    ("GET", "/organisations/<uuid:organisation_id>/beneficiary"): STAFF | {"member_admin"},
    ("POST", "/resources"): STAFF,
    ("GET", "/resources"): STAFF,
    ("POST", "/volunteering"): STAFF,
    ("GET", "/volunteering"): STAFF,
    ("GET", "/reports/summary"): ANYONE,
    ("GET", "/reports/events"): STAFF,
    ("GET", "/reports/dashboard"): STAFF | {"funder"},
    **{("GET", f"/reports/{table}{suffix}"): STAFF | {"funder"}
       for table in ("members", "members/breakdown", "incubation", "incubation/stages",
                     "funding", "funding/by-kind", "resources")
       for suffix in ("", ".csv")},
}
CALLERS = (None, "citizen", "member_admin", "animator", "funder", "operator")


def organisation(platform, name):
    answer = platform.post("/organisations", {"name": name, "legal_form": "scic",
                                              "postal_code": "01000", "commune": "Bourg"})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


@pytest.fixture(scope="module")
def org_a(platform):
    return organisation(platform, "Coopérative A")


def caller_headers(platform, caller, org_a):
    if caller is None:
        return {}
    return platform.headers(("member_admin", org_a) if caller == "member_admin" else caller)


def test_the_written_matrix_covers_every_route():
    assert set(MATRIX) == {(route.method, route.rule) for route in ROUTES}


@pytest.mark.parametrize("caller", CALLERS, ids=lambda c: c or "anonymous")
@pytest.mark.parametrize("method, rule", sorted(MATRIX))
def test_each_route_admits_exactly_the_roles_the_matrix_says(platform, org_a, method, rule,
                                                             caller):
    path = rule.replace("<uuid:organisation_id>", org_a)
    for name in ("project_id", "campaign_id", "membership_id", "subscription_id",
                 "milestone_id", "contribution_id", "record_id", "question_id", "invoice_id"):
        path = path.replace(f"<uuid:{name}>", str(uuid.uuid4()))
    path = path.replace("<string:image_id>", "0" * 64)
    headers = {**caller_headers(platform, caller, org_a), "Idempotency-Key": uuid.uuid4().hex}
    answer = platform.request(method, path, {} if method in ("POST", "PUT", "PATCH") else None,
                              headers=headers)

    allowed = MATRIX[(method, rule)]
    if allowed == ANYONE or (caller and (allowed == SIGNED_IN or caller in allowed)):
        assert answer.status_code not in (401, 403), answer.text
    else:
        assert answer.status_code == (401 if caller is None else 403), answer.text
        assert answer.headers["Content-Type"] == "application/problem+json"


def test_a_member_admin_acts_for_its_own_organisation_only(platform, org_a):
    org_b = organisation(platform, "Association B")
    admin_of_a = ("member_admin", org_a)
    assert platform.get(f"/organisations/{org_a}", as_=admin_of_a).status_code == 200
    other = platform.get(f"/organisations/{org_b}", as_=admin_of_a)
    assert (other.status_code, other.json()["code"]) == (403, "other_organisation")


def test_a_funder_account_reads_its_own_funder_view_only(platform):
    """A funder account that names its funder reads that funder's view of the projects'
    reports (its filter set for it); another funder's view is a 403 problem; staff and
    the members' tables are as before."""
    project_of = {}
    for funder in ("Fondation Alpha", "Fondation Beta"):
        project = platform.post("/projects", {**PROJECT, "title": f"Projet {funder}"})
        assert project.status_code == 201, project.text
        project_of[funder] = project.json()["id"]
        grant = platform.post("/resources", {
            "kind": "grant", "amount_cents": 100_000 if "Alpha" in funder else 250_000,
            "year": 2025, "project_id": project_of[funder], "funder": funder,
            "funder_type": "foundation"})
        assert grant.status_code == 201, grant.text
    wait_until(lambda: all(platform.request("GET", "/reports/resources", as_="staff",
                                            params={"funder": funder}).status_code == 200
                           for funder in project_of), timeout=20, interval=0.2,
               message="reporting to know both funders")

    misnamed = platform.post("/accounts", {"email": f"a-{uuid.uuid4().hex[:8]}@example.org",
                                           "password": PASSWORD, "display_name": "Animatrice",
                                           "roles": ["animator"], "funder": "Fondation Alpha"})
    assert (misnamed.status_code, [e["field"] for e in misnamed.json()["errors"]]) == (
        422, ["funder"]), misnamed.text
    email = f"alpha-{uuid.uuid4().hex[:8]}@example.org"
    account = platform.post("/accounts", {"email": email, "password": PASSWORD,
                                          "display_name": "Fondation Alpha",
                                          "roles": ["funder"], "funder": "Fondation  Alpha"})
    assert (account.status_code, account.json()["funder"]) == (201, "Fondation Alpha"), \
        account.text
    token = platform.login(email)["access_token"]
    assert jwt.decode(token, options={"verify_signature": False})["fdr"] == "Fondation Alpha"
    alpha = {"Authorization": f"Bearer {token}"}

    def read(path, who, **params):
        headers = alpha if who == "alpha" else {}
        return platform.request("GET", path, as_=None if who == "alpha" else who,
                                headers=headers, params=params)

    own = read("/reports/resources", "alpha").json()
    assert own == read("/reports/resources", "staff", funder="Fondation Alpha").json()
    assert own["totals"]["foundations_cents"] == 100_000
    assert read("/reports/resources", "alpha", funder="fondation alpha").status_code == 200
    for path in ("/reports/resources", "/reports/resources.csv", "/reports/dashboard",
                 "/reports/incubation"):
        other = read(path, "alpha", funder="Fondation Beta")
        assert (other.status_code, other.headers["Content-Type"]) == (
            403, "application/problem+json"), path
        assert other.json()["code"] == "other_funder_view"
    dashboard = read("/reports/dashboard", "alpha").json()
    assert dashboard["resources"]["totals"]["foundations_cents"] == 100_000
    assert read("/reports/members", "alpha").status_code == 200  # the whole cluster's
    beta = read("/reports/resources", "staff", funder="Fondation Beta").json()
    assert beta["totals"]["foundations_cents"] == 250_000
    assert read("/reports/resources", "funder").status_code == 200  # a funder named none


def test_the_openapi_document_says_a_funder_account_names_its_funder(platform):
    doc = platform.get("/openapi.json").json()
    create = doc["paths"]["/api/v1/accounts"]["post"]
    ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert "funder" in doc["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]
    resources = doc["paths"]["/api/v1/reports/resources"]["get"]["responses"]
    assert "403" in resources


def a_citizen(platform):
    session = sign_up(platform)
    return session["email"], session["account"]


def me_with(platform, token):
    return platform.get("/me", Authorization=f"Bearer {token}")


def test_bad_tokens_are_refused_with_401(platform):
    email, account = a_citizen(platform)
    good = platform.login(email)["access_token"]
    assert me_with(platform, good).json()["id"] == account["id"]
    secret = platform.processes.env["JWT_SECRET"]
    claims = jwt.decode(good, secret, algorithms=["HS256"], audience="dombinnov-api")

    expired = jwt.encode({**claims, "exp": datetime.now(timezone.utc) - timedelta(seconds=5)},
                         secret, algorithm="HS256")
    header, payload, signature = good.split(".")
    promoted = base64.urlsafe_b64encode(json.dumps(
        {**claims, "roles": ["operator"]}).encode()).decode().rstrip("=")
    tampered = f"{header}.{promoted}.{signature}"
    other_algorithm = jwt.encode(claims, secret, algorithm="HS512")
    unsigned = jwt.encode(claims, None, algorithm="none")
    forged = jwt.encode(claims, "another secret of thirty-two characters", algorithm="HS256")

    for token, code in ((expired, "token_expired"), (tampered, "invalid_token"),
                        (other_algorithm, "invalid_token"), (unsigned, "invalid_token"),
                        (forged, "invalid_token"), ("not.a.token", "invalid_token")):
        answer = me_with(platform, token)
        assert (answer.status_code, answer.json()["code"]) == (401, code)
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def refresh(platform, token):
    return platform.post("/auth/refresh", {"refresh_token": token}, as_=None)


def test_refresh_tokens_rotate_and_die_when_revoked_reused_or_the_password_changes(platform):
    email, _ = a_citizen(platform)
    first = platform.login(email)
    second = refresh(platform, first["refresh_token"])
    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    # Reusing a rotated token means it leaked: the whole session dies.
    assert refresh(platform, first["refresh_token"]).status_code == 401
    assert refresh(platform, second.json()["refresh_token"]).status_code == 401

    session = platform.login(email)
    bearer = {"Authorization": f"Bearer {session['access_token']}"}
    logout = platform.request("POST", "/auth/logout", {"refresh_token": session["refresh_token"]},
                              headers=bearer)
    assert logout.status_code == 204
    revoked = refresh(platform, session["refresh_token"])
    assert (revoked.status_code, revoked.json()["code"]) == (401, "invalid_refresh_token")

    session = platform.login(email)
    new_password = "another long passphrase"
    changed = platform.request("POST", "/auth/password", {
        "current_password": PASSWORD, "new_password": new_password},
        headers={"Authorization": f"Bearer {session['access_token']}"})
    assert changed.status_code == 200, changed.text
    assert refresh(platform, session["refresh_token"]).status_code == 401
    assert platform.post("/auth/login", {"email": email, "password": PASSWORD},
                         as_=None).status_code == 401
    assert platform.login(email, new_password)["account"]["email"] == email


def test_passwords_are_never_stored_logged_or_returned_in_clear(platform):
    password = f"secret-{uuid.uuid4().hex}"
    email = f"careful-{uuid.uuid4().hex[:8]}@example.org"
    signup = platform.post("/auth/signup", {"email": email, "password": password,
                                            "display_name": "Dominique"}, as_=None)
    login = platform.post("/auth/login", {"email": email, "password": password}, as_=None)
    wrong = platform.post("/auth/login", {"email": email, "password": password + "x"}, as_=None)
    for answer in (signup, login, wrong):
        assert password not in answer.text and "password" not in answer.json()
    engine = create_engine(platform.database_urls["members"])
    with engine.connect() as connection:
        stored = connection.execute(sa.text("SELECT password_hash FROM accounts WHERE email = :e"),
                                    {"e": email}).scalar_one()
    engine.dispose()
    assert stored.startswith("$argon2id$") and password not in stored
    for name in platform.processes.children:
        assert password not in platform.processes.log(name)


def test_failed_logins_are_limited_across_gateway_restarts_and_replicas(platform):
    email, _ = a_citizen(platform)
    for _ in range(5):
        failed = platform.post("/auth/login", {"email": email, "password": "wrong guess"},
                               as_=None)
        assert failed.status_code == 401
    limited = platform.post("/auth/login", {"email": email, "password": PASSWORD}, as_=None)
    assert (limited.status_code, limited.json()["code"]) == (429, "too_many_login_attempts")
    assert 0 < int(limited.headers["Retry-After"]) <= 15 * 60

    platform.processes.stop("gateway")
    platform.processes.start("gateway")
    wait_ready(platform.base_url)
    assert platform.post("/auth/login", {"email": email, "password": PASSWORD},
                         as_=None).status_code == 429

    port = free_port()
    platform.processes.start("gateway#2", GATEWAY_BIND=f"127.0.0.1:{port}")
    try:
        wait_ready(f"http://127.0.0.1:{port}")
        replica = platform.http.post(f"http://127.0.0.1:{port}/api/v1/auth/login",
                                     json={"email": email, "password": PASSWORD}, timeout=15)
        assert replica.status_code == 429
    finally:
        platform.processes.stop("gateway#2")


def test_oversized_and_mistyped_bodies_are_problems_without_internals(platform):
    big = platform.post("/organisations", {"name": "x" * (1024 * 1024 + 1)})
    assert (big.status_code, big.json()["code"]) == (413, "payload_too_large")
    typed = platform.request("POST", "/auth/login", headers={"Content-Type": "text/plain"},
                             data="email=a")
    assert (typed.status_code, typed.json()["code"]) == (415, "unsupported_media_type")
    for answer in (big, typed):
        assert set(answer.json()) <= {"type", "title", "status", "code", "instance",
                                      "correlation_id", "detail", "errors"}
        assert "Traceback" not in answer.text and "gateway." not in answer.text


def test_lists_page_by_cursor_in_a_stable_order_with_filters(platform):
    commune = f"Commune-{uuid.uuid4().hex[:6]}"
    created = []
    for index in range(5):
        answer = platform.post("/projects", {"title": f"Projet {index}", "summary": "…",
                                             "field": "citizen_economy", "commune": commune,
                                             "founders": "Collectif"})
        created.append(answer.json()["id"])
    platform.post("/projects", {"title": "Ailleurs", "summary": "…",
                                "field": "citizen_economy", "commune": commune + "-x",
                                "founders": "Collectif"})
    seen, cursor, pages = [], None, 0
    while True:
        query = f"/projects?commune={commune}&limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = platform.get(query).json()
        seen += [project["id"] for project in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert (seen, pages) == (created, 3)
    for query, field in (("?cursor=garbage", "cursor"), ("?limit=0", "limit"),
                         ("?limit=101", "limit"), ("?field=moon", "field")):
        answer = platform.get("/projects" + query)
        assert answer.status_code == 422
        assert [error["field"] for error in answer.json()["errors"]] == [field]


def test_metrics_count_requests_by_route_and_time_rpc_calls(platform):
    campaign = str(uuid.uuid4())
    for _ in range(3):
        platform.get(f"/campaigns/{campaign}")
    text = platform.http.get(platform.base_url + "/metrics").text
    line = next(line for line in text.splitlines() if line.startswith(
        'gateway_http_requests_total{method="GET",route="/api/v1/campaigns/<uuid:campaign_id>",'
        'status="404"}'))
    assert float(line.split()[-1]) >= 3
    assert 'gateway_http_request_duration_seconds_bucket{le="0.005",method="GET"' in text
    assert 'gateway_rpc_duration_seconds_count{method="get_campaign",outcome="refused",' \
           'service="funding"}' in text
