"""One contribution end to end, through HTTP, RPC, the outbox, RabbitMQ and reporting.

Tests in this module share one running platform and run in file order: the first one
sees it empty.
"""
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
import yaml

from shared.config import REPO_ROOT, SERVICE_NAMES
from shared.database import create_engine
from tests.support.funding import PROJECT, given, live_campaign, pay, wait_for_status
from tests.support.platform import executable
from tests.support.waiting import wait_until

ORGANISATION = {"name": "Recyclerie de la Dombes", "legal_form": "association",
                "siret": "73282932000074", "postal_code": "01400",
                "commune": "Châtillon-sur-Chalaronne"}


def count(platform, service, table):
    return platform.query(service, f"SELECT count(*) FROM {table}")[0][0]



def test_a_contribution_reaches_the_funders_summary(platform):
    organisation = platform.post("/organisations", ORGANISATION)
    assert organisation.status_code == 201, organisation.text
    assert organisation.headers["Location"] == f"/api/v1/organisations/{organisation.json()['id']}"

    campaign = live_campaign(platform)
    assert campaign["status"] == "live"
    for amount in (2500, 1234):
        paid = given(platform, campaign["id"], amount)  # through the payment provider
        assert (paid["amount_cents"], paid["status"], paid["counted"]) == (amount, "captured",
                                                                           True)

    expected = {"organisations": 1, "projects": 1, "campaigns": 1, "contributions": 2,
                "amount_raised_cents": 3734}
    wait_until(lambda: platform.get("/reports/summary").json() == expected, timeout=15,
               message=f"the summary to read {expected}")
    assert platform.get(f"/campaigns/{campaign['id']}").json()["raised_cents"] == 3734


@pytest.mark.parametrize("path, body, field", [
    ("/organisations", {**ORGANISATION, "commune": None}, "commune"),
    ("/organisations", {k: v for k, v in ORGANISATION.items() if k != "legal_form"}, "legal_form"),
    ("/organisations", {**ORGANISATION, "postal_code": 1400}, "postal_code"),
    ("/organisations", {**ORGANISATION, "siret": "73282932000075"}, "siret"),
    ("/organisations", {**ORGANISATION, "nickname": "x"}, "nickname"),
    ("/projects", {**PROJECT, "field": "space_economy"}, "field"),
    ("/projects", {k: v for k, v in PROJECT.items() if k != "title"}, "title"),
    ("/campaigns", {"project_id": str(uuid.uuid4()), "title": "Ghost", "goal_cents": 100,
                    "deadline": "2099-01-01T00:00:00+00:00"}, "project_id"),
    ("/campaigns", {"project_id": "not-a-uuid", "title": "Ghost", "goal_cents": 100,
                    "deadline": "2099-01-01T00:00:00+00:00"}, "project_id"),
    ("/campaigns", {"project_id": str(uuid.uuid4()), "title": "Ghost", "goal_cents": "100",
                    "deadline": "2099-01-01T00:00:00+00:00"}, "goal_cents"),
])
def test_invalid_input_is_a_422_naming_the_field_and_writes_nothing(platform, path, body, field):
    tables = [("members", "organisations"), ("projects", "projects"), ("funding", "campaigns"),
              ("members", "outbox"), ("projects", "outbox"), ("funding", "outbox")]
    before = [count(platform, *table) for table in tables]
    answer = platform.post(path, body)
    assert answer.status_code == 422, answer.text
    assert answer.headers["Content-Type"] == "application/problem+json"
    problem = answer.json()
    assert problem["code"] == "validation_failed" and problem["status"] == 422
    assert field in [error["field"] for error in problem["errors"]]
    assert [count(platform, *table) for table in tables] == before


def test_unknown_ids_are_404_and_the_contribution_route_guards_its_input(platform):
    ghost = str(uuid.uuid4())
    for entity in ("organisation", "project", "campaign"):
        answer = platform.get(f"/{entity}s/{ghost}", as_="staff")
        assert (answer.status_code, answer.json()["code"]) == (404, f"{entity}_not_found")
    assert platform.post(f"/campaigns/{ghost}/approve").status_code == 404
    assert platform.post(f"/campaigns/{ghost}/contributions", {"amount_cents": 500},
                         as_="citizen", **{"Idempotency-Key": "ghost"}).status_code == 404

    campaign = live_campaign(platform)
    route = f"/campaigns/{campaign['id']}/contributions"
    before = count(platform, "funding", "contributions")
    no_key = platform.post(route, {"amount_cents": 500}, as_="citizen")
    assert (no_key.status_code, no_key.json()["code"]) == (400, "idempotency_key_required")
    for body, field in (({"amount_cents": 10.5}, "amount_cents"), ({}, "amount_cents"),
                        ({"amount_cents": 50}, "amount_cents")):
        answer = platform.post(route, body, as_="citizen",
                               **{"Idempotency-Key": str(uuid.uuid4())})
        assert answer.status_code == 422, answer.text
        assert [error["field"] for error in answer.json()["errors"]] == [field]
    citizen = platform.headers("citizen")
    malformed = platform.http.post(platform.api + route, data="{oops",
                                   headers={**citizen, "Content-Type": "application/json",
                                            "Idempotency-Key": "malformed"})
    assert (malformed.status_code, malformed.json()["code"]) == (400, "malformed_json")
    not_json = platform.http.post(platform.api + route, data="amount=5",
                                  headers={**citizen, "Idempotency-Key": "form"})
    assert not_json.status_code == 415
    assert count(platform, "funding", "contributions") == before

    unknown = platform.get("/nowhere")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")
    wrong_method = platform.http.delete(platform.api + route)
    assert (wrong_method.status_code, wrong_method.json()["code"]) == (405, "method_not_allowed")


def test_a_retried_contribution_is_taken_once(platform):
    campaign = live_campaign(platform)
    route = f"/campaigns/{campaign['id']}/contributions"
    key = {"Idempotency-Key": f"retry-{uuid.uuid4()}"}
    first = platform.post(route, {"amount_cents": 5000}, as_="citizen", **key)
    again = platform.post(route, {"amount_cents": 5000}, as_="citizen", **key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    other = platform.post(route, {"amount_cents": 6000}, as_="citizen", **key)
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")

    racing = {"Idempotency-Key": f"race-{uuid.uuid4()}"}
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(
            lambda _: platform.post(route, {"amount_cents": 700}, as_="citizen", **racing),
            range(8)))
    assert {answer.status_code for answer in answers} == {201}
    assert len({answer.json()["id"] for answer in answers}) == 1
    # Nothing counts before the payer confirms; then each contribution counts once.
    assert platform.get(f"/campaigns/{campaign['id']}").json()["raised_cents"] == 0
    for contribution in (first.json(), answers[0].json()):
        pay(platform, contribution)
        wait_for_status(platform, contribution["id"], "captured")
    assert platform.get(f"/campaigns/{campaign['id']}").json()["raised_cents"] == 5700


def test_the_correlation_id_travels_from_http_through_rpc_and_events(platform):
    campaign = live_campaign(platform)
    correlation_id = f"e2e-{uuid.uuid4().hex[:12]}"
    answer = platform.post(f"/campaigns/{campaign['id']}/contributions", {"amount_cents": 4200},
                           as_="citizen", **{"Idempotency-Key": correlation_id,
                                             "X-Correlation-ID": correlation_id})
    assert answer.headers["X-Correlation-ID"] == correlation_id
    # The payment's webhook comes later, with no correlation id: the pledge carries it.

    def archived():
        engine = create_engine(platform.database_urls["reporting"])
        try:
            with engine.connect() as connection:
                return connection.execute(sa.text(
                    "SELECT type, correlation_id FROM event_archive WHERE correlation_id = :c"),
                    {"c": correlation_id}).all()
        finally:
            engine.dispose()
    assert wait_until(archived, message="the archived event") == [
        ("funding.contribution_pledged", correlation_id)]
    for component in ("gateway", "funding", "reporting"):
        assert f'"correlation_id": "{correlation_id}"' in platform.processes.log(component)



def test_a_funder_reads_the_figures_of_the_projects_it_funded_as_json_and_csv(platform):
    funder, year = f"Fondation Dombes {uuid.uuid4().hex[:6]}", datetime.now(timezone.utc).year
    project = platform.post("/projects", {**PROJECT, "territory": "val_de_saone"}).json()
    for path, body in (
            ("/resources", {"kind": "grant", "amount_cents": 1_200_000, "year": year,
                            "project_id": project["id"], "funder": funder,
                            "funder_type": "private"}),
            ("/volunteering", {"hours": 10.5, "done_on": f"{year}-01-01",  # not ahead
                               "activity": "Chantier participatif", "project_id": project["id"]}),
            (f"/projects/{project['id']}/job-reports", {"reported_on": f"{year}-01-01",
                                                         "created_fte": 2,
                                                         "consolidated_fte": 1.5})):
        answer = platform.post(path, body)
        assert answer.status_code == 201, answer.text
    campaign = live_campaign(platform, project["id"])
    given(platform, campaign["id"], 2500)

    query = f"?funder={funder.upper()}&from_year={year}&to_year={year}"
    funding = wait_until(lambda: (answer := platform.get("/reports/funding" + query,
                                                         as_="funder").json())["items"]
                         and answer["totals"]["raised_cents"] == 2500 and answer,
                         timeout=15, message="the contribution in the funder's report")
    assert [(item["year"], item["contributions"], item["contributors"])
            for item in funding["items"]] == [(year, 1, 1)]
    resources = platform.get("/reports/resources" + query, as_="funder").json()["totals"]
    assert (resources["private_grants_cents"], resources["crowdfunding_cents"],
            resources["volunteering_hours"], resources["volunteering_cents"],
            resources["monetary_total_cents"]) == (1_200_000, 2500, 10.5, 12621, 1_202_500)
    incubation = platform.get("/reports/incubation" + query, as_="funder").json()["totals"]
    assert (incubation["projects_submitted"], incubation["jobs_created_fte_total"],
            incubation["jobs_consolidated_fte_total"]) == (1, 2.0, 1.5)
    in_territory = platform.get(f"/reports/resources?funder={funder}&territory=cotiere",
                                as_="funder").json()
    assert in_territory["items"] == [] and in_territory["totals"]["private_grants_cents"] == 0

    # The dashboard's one answer is its five tables, each as its own route gives it; the
    # funder filters the projects' tables, not the cluster's members.
    dashboard = platform.get("/reports/dashboard" + query, as_="funder").json()
    member_query = f"?from_year={year}&to_year={year}"
    assert dashboard == {
        "members": platform.get("/reports/members" + member_query, as_="funder").json(),
        "members_breakdown": platform.get("/reports/members/breakdown" + member_query,
                                          as_="funder").json(),
        "incubation": platform.get("/reports/incubation" + query, as_="funder").json(),
        "funding": funding,
        "resources": platform.get("/reports/resources" + query, as_="funder").json()}
    assert dashboard["resources"]["totals"]["private_grants_cents"] == 1_200_000

    export = platform.get("/reports/resources.csv" + query, as_="funder")
    assert export.status_code == 200, export.text
    assert export.headers["Content-Type"].startswith("text/csv")
    assert 'filename="ressources.csv"' in export.headers["Content-Disposition"]
    assert export.content.startswith(b"\xef\xbb\xbf")
    header, row = export.content.decode("utf-8-sig").splitlines()
    values = dict(zip(header.split(";"), row.split(";"), strict=True))
    # A grant of "private" money, not said to be a foundation's or investors'.
    assert values["Autres financements privés (€)"] == "12000,00"
    assert values["Fondations (€)"] == "0,00"
    assert values["Financement participatif (€)"] == "25,00"
    assert values["Bénévolat (heures)"] == "10,50"

    for path, status, code, field in (
            ("/reports/funding?funder=Personne", 404, "funder_not_found", None),
            ("/reports/funding.csv?funder=Personne", 404, "funder_not_found", None),
            ("/reports/dashboard?funder=Personne", 404, "funder_not_found", None),
            ("/reports/dashboard?from_year=2030&to_year=2020", 422, "validation_failed",
             "to_year"),
            ("/reports/funding?from_year=2030&to_year=2020", 422, "validation_failed", "to_year"),
            ("/reports/incubation?from_year=20x0", 422, "validation_failed", "from_year"),
            ("/reports/members?funder=Personne", 422, "validation_failed", "funder"),
            ("/reports/events?since=yesterday", 422, "validation_failed", "since")):
        answer = platform.get(path, as_="staff")
        assert (answer.status_code, answer.json()["code"]) == (status, code), path
        assert answer.headers["Content-Type"] == "application/problem+json"
        if field:
            assert [error["field"] for error in answer.json()["errors"]] == [field]
    empty = platform.get("/reports/funding?from_year=1990&to_year=1995", as_="funder").json()
    assert empty["items"] == [] and empty["totals"]["raised_cents"] == 0
    assert platform.get("/reports/funding", as_="citizen").status_code == 403

    archived = platform.get("/reports/events?type=funding.resource_recorded&source=funding",
                            as_="staff").json()
    assert funder in [item["data"]["funder"] for item in archived["items"]]

def test_health_and_readiness(platform):
    assert platform.http.get(platform.base_url + "/healthz").json() == {"status": "ok"}
    ready = platform.http.get(platform.base_url + "/readyz").json()
    assert ready["status"] == "ready"
    assert set(ready["checks"]) == {"broker", *SERVICE_NAMES}
    assert ready["checks"]["broker"] == {"status": "ok"}
    assert all(ready["checks"][name] == {"status": "ok", "database": "ok"}
               for name in SERVICE_NAMES), ready


def test_the_compose_health_checks_pass_when_run_here(platform):
    compose = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
    mail_env = {"MAIL_BIND": f"127.0.0.1:{platform.mail.port}"}  # the platform's catcher
    for name in (*SERVICE_NAMES, "gateway", "mail"):
        kind, *command = compose["services"][name]["healthcheck"]["test"]
        assert kind == "CMD"
        result = subprocess.run(executable(command), cwd=REPO_ROOT,
                                env={**platform.processes.env, **mail_env},
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, f"{name}: {result.stderr[-2000:]}"


def test_a_stopped_service_is_a_503_not_a_hang_and_it_comes_back(platform):
    platform.processes.stop("reporting")
    answer = platform.get("/reports/summary")
    assert answer.status_code == 503, answer.text
    assert answer.json()["code"] in ("service_timeout", "service_unavailable")
    assert platform.http.get(platform.base_url + "/readyz").status_code == 503
    # Other services keep answering.
    assert platform.post("/projects", PROJECT).status_code == 201

    platform.processes.start("reporting")
    wait_until(lambda: platform.get("/reports/summary").status_code == 200, timeout=60,
               message="reporting to answer again")
