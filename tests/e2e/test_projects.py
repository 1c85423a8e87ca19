"""The incubation pipeline through the gateway, with the real services behind: twenty-one
social enterprises, one a year from 2005 to 2025, and the 300 jobs they consolidated."""
import json
import uuid
from datetime import datetime, timedelta

import pytest

from shared.french import PARIS
from tests.support.waiting import wait_until

YEARS = range(2005, 2026)
# Consolidated FTE per enterprise: 21 figures that add up to the cluster's 300 jobs.
CONSOLIDATED = [8, 10, 12, 9, 15, 11, 14, 13, 16, 12, 18, 10, 17, 14, 19, 13, 16, 15, 18.5,
                20.5, 19]
SIRENS = ["732829320", "552100554", "542065479", "775672272", "380129866", "443061841",
          "542107651", "552032534", "572015246", "383474814", "334160462", "412358822",
          "501624571", "434003125", "389058447", "403335904", "481240604", "509447066",
          "330703844", "808332670", "810433219"]


def new_project(platform, title, **carrier):
    """A project carried by founders, or by the organisation given as a keyword."""
    answer = platform.post("/projects", {"title": title, "summary": "Une initiative locale.",
                                         "field": "proximity_economy", "commune": "Trévoux",
                                         "territory": "val_de_saone",
                                         **(carrier or {"founders": "Collectif"})})
    assert answer.status_code == 201, answer.text
    return answer.json()


def walk_to_incubation(platform, project_id):
    for stage in ("emergence", "incubation"):
        moved = platform.post(f"/projects/{project_id}/stage", {"stage": stage})
        assert moved.status_code == 200, moved.text


def test_twenty_one_enterprises_one_a_year_and_three_hundred_jobs(platform):
    assert round(sum(CONSOLIDATED), 2) == 300
    for year, siren, consolidated in zip(YEARS, SIRENS, CONSOLIDATED, strict=True):
        project = new_project(platform, f"Projet {year}")
        walk_to_incubation(platform, project["id"])
        platform.post(f"/projects/{project['id']}/support", {
            "kind": "business_plan", "hours": 12.5, "given_on": f"{year}-01-15",
            "given_by": "Animatrice"})
        enterprise = platform.post(f"/projects/{project['id']}/enterprise", {
            "name": f"Entreprise {year}", "legal_form": "scic", "siren": siren,
            "created_on": f"{year}-06-01"})
        assert enterprise.status_code == 201, enterprise.text
        jobs = platform.post(f"/projects/{project['id']}/job-reports", {
            "reported_on": f"{year}-12-31", "created_fte": 2, "consolidated_fte": consolidated,
            "insertion_fte": 1.5})
        assert jobs.status_code == 201, jobs.text

    launched = platform.get("/projects?stage=launched&limit=100").json()["items"]
    assert len(launched) == 21
    board = {column["stage"]: column["projects"]
             for column in platform.get("/projects/board", as_="staff").json()["columns"]}
    assert len(board["launched"]) == 21

    def events(routing_key):
        rows = platform.query("projects",
                     f"SELECT payload FROM outbox WHERE routing_key = '{routing_key}'")
        return [json.loads(payload)["data"] for (payload,) in rows]
    created = events("enterprise_created")
    assert sorted(int(e["created_on"][:4]) for e in created) == list(YEARS)
    jobs = events("jobs_reported")
    assert round(sum(e["consolidated_fte"] for e in jobs), 2) == 300
    assert sum(1 for e in events("project_stage_changed") if e["to_stage"] == "launched") == 21
    wait_until(lambda: platform.query("reporting", "SELECT count(*) FROM event_archive WHERE "
                             "type = 'projects.jobs_reported'")[0][0] == 21, timeout=15,
               message="the 21 job reports in reporting's archive")


def test_a_correction_is_a_new_report_and_history_stays(platform):
    project = new_project(platform, "Projet corrigé")
    route = f"/projects/{project['id']}/job-reports"
    platform.post(route, {"reported_on": "2026-06-30", "created_fte": 3, "consolidated_fte": 1})
    platform.post(route, {"reported_on": "2026-06-30", "created_fte": 2.5, "consolidated_fte": 1})
    record = platform.get(f"/projects/{project['id']}/file", as_="staff").json()
    assert sorted(r["created_fte"] for r in record["job_reports"]) == [2.5, 3]


@pytest.mark.parametrize("path, body, status, field", [
    ("stage", {"stage": "launched"}, 409, None),
    ("stage", {"stage": "consolidated"}, 409, None),
    ("stage", {"stage": "abandoned"}, 422, "reason"),
    ("job-reports", {"reported_on": "2026-01-01", "created_fte": -1, "consolidated_fte": 0},
     422, "created_fte"),
    ("job-reports", {"reported_on": "2026-01-01", "created_fte": 1, "consolidated_fte": 0,
                     "insertion_fte": 2}, 422, "insertion_fte"),
    ("enterprise", {"name": "Sans SIREN", "legal_form": "scop", "siren": "732829321",
                    "created_on": "2026-01-01"}, 422, "siren"),
    ("partners", {"name": "Mairie", "circle": "ally", "formalisation": "handshake"}, 422,
     "formalisation"),
])
def test_bad_moves_and_figures_are_refused_and_write_nothing(platform, path, body, status,
                                                             field):
    project = new_project(platform, "Projet témoin")
    before = platform.get(f"/projects/{project['id']}/file", as_="staff").json()
    answer = platform.post(f"/projects/{project['id']}/{path}", body)
    assert answer.status_code == status, answer.text
    if field:
        assert [error["field"] for error in answer.json()["errors"]] == [field]
    assert platform.get(f"/projects/{project['id']}/file", as_="staff").json() == before


def test_no_day_of_more_than_24_hours_and_no_fact_done_in_the_future(platform):
    """Sanity checks on entries, through the gateway: refused as problem+json naming the
    field, and nothing written."""
    tomorrow = (datetime.now(PARIS).date() + timedelta(days=1)).isoformat()
    project = new_project(platform, "Projet vérifié")
    walk_to_incubation(platform, project["id"])
    route = f"/projects/{project['id']}"
    milestone = created_body(platform.post(f"{route}/milestones", {
        "title": "Statuts déposés", "due_on": tomorrow}))  # a due day may be ahead
    before = platform.get(f"{route}/file", as_="staff").json()
    support = {"kind": "mentoring", "given_by": "Camille"}
    for path, body, field in [
            ("support", {**support, "hours": 500, "given_on": "2026-01-05"}, "hours"),
            ("support", {**support, "hours": 24.5, "given_on": "2026-01-05"}, "hours"),
            ("support", {**support, "hours": 0, "given_on": "2026-01-05"}, "hours"),
            ("support", {**support, "hours": 2, "given_on": tomorrow}, "given_on"),
            (f"milestones/{milestone['id']}/complete", {"completed_on": tomorrow},
             "completed_on"),
            ("job-reports", {"reported_on": tomorrow, "created_fte": 1,
                             "consolidated_fte": 0}, "reported_on"),
            ("enterprise", {"name": "Trop tôt", "legal_form": "scop", "siren": SIRENS[0],
                            "created_on": tomorrow}, "created_on")]:
        answer = platform.post(f"{route}/{path}", body, as_="staff")
        assert answer.status_code == 422, (path, answer.text)
        assert answer.headers["Content-Type"].startswith("application/problem+json")
        assert [error["field"] for error in answer.json()["errors"]] == [field], path
    assert platform.get(f"{route}/file", as_="staff").json() == before
    full_day = platform.post(f"{route}/support", {**support, "hours": 24,
                                                  "given_on": "2026-01-05"}, as_="staff")
    assert full_day.status_code == 201, full_day.text


def created_body(answer):
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_an_informal_partner_is_one_step_and_shows_only_if_it_agreed(platform):
    project = new_project(platform, "Jardin partagé")
    informal = platform.post(f"/projects/{project['id']}/partners",
                             {"name": "Les voisins du quartier", "circle": "outside"})
    assert informal.status_code == 201 and informal.json()["formalisation"] == "informal"
    platform.post(f"/projects/{project['id']}/partners", {
        "name": "Mairie de Trévoux", "circle": "ally", "formalisation": "agreement",
        "role": "Prêt du terrain", "shown_publicly": True})
    public = platform.get(f"/projects/{project['id']}").json()
    assert public["partners"] == [{"name": "Mairie de Trévoux", "role": "Prêt du terrain"}]


def test_a_carriers_admin_edits_its_projects_only_and_citizens_see_public_data(platform):
    def organisation(name):
        return platform.post("/organisations", {"name": name, "legal_form": "association",
                                                "postal_code": "01600", "commune": "Trévoux"}
                             ).json()["id"]
    ours, theirs = organisation(f"Asso A {uuid.uuid4().hex[:4]}"), organisation(
        f"Asso B {uuid.uuid4().hex[:4]}")
    admin = ("member_admin", ours)
    mine = platform.post("/projects", {"title": "Notre projet", "summary": "…",
                                       "field": "citizen_economy", "commune": "Trévoux",
                                       "carrier_organisation_id": ours}, as_=admin)
    assert mine.status_code == 201, mine.text
    not_mine = platform.post("/projects", {"title": "Leur projet", "summary": "…",
                                           "field": "citizen_economy", "commune": "Trévoux",
                                           "carrier_organisation_id": theirs}, as_=admin)
    assert not_mine.status_code == 422
    theirs_project = new_project(platform, "Leur projet", summary="…",
                                 field="citizen_economy", commune="Trévoux",
                                 carrier_organisation_id=theirs)

    news = {"title": "Nous avons un local", "body": "Merci à tous.", "visibility": "public"}
    assert platform.post(f"/projects/{mine.json()['id']}/news", news, as_=admin).status_code == 201
    assert platform.get(f"/projects/{mine.json()['id']}/file", as_=admin).status_code == 200
    for path in ("news", "milestones"):
        body = news if path == "news" else {"title": "Statuts", "due_on": "2027-01-01"}
        refused = platform.post(f"/projects/{theirs_project['id']}/{path}", body, as_=admin)
        assert (refused.status_code, refused.json()["code"]) == (403, "not_your_project")
    assert platform.get(f"/projects/{theirs_project['id']}/file", as_=admin).status_code == 403

    platform.post(f"/projects/{mine.json()['id']}/news", {**news, "title": "Pour nos soutiens",
                                                          "visibility": "contributors"},
                  as_=admin)
    public = platform.get(f"/projects/{mine.json()['id']}", as_="citizen")
    assert public.status_code == 200
    assert [post["title"] for post in public.json()["news"]] == ["Nous avons un local"]
    assert "job_reports" not in public.json() and "history" not in public.json()
    assert platform.get(f"/projects/{mine.json()['id']}/file", as_="citizen").status_code == 403
