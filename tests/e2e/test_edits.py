"""Edits through the gateway, with the real services behind: each PATCH names the
version it read; a stale one is refused with the current version, a wrong role with 403,
a bad field with 422, a missing record with 404. Staff corrections of support hours and
jobs keep who, when, why, before and after in the project's history."""
import json
import uuid

import pytest

from tests.support.waiting import wait_until


def patch(platform, path, body, as_="staff"):
    return platform.request("PATCH", path, body, as_=as_)


def ok(answer, status=(200, 201)):
    assert answer.status_code in ((status,) if isinstance(status, int) else status), answer.text
    return answer.json()


def outbox(platform, service, routing_key):
    rows = platform.query(service, "SELECT payload FROM outbox WHERE routing_key = :key "
                          "ORDER BY occurred_at",
                          key=routing_key)
    return [json.loads(payload)["data"] for (payload,) in rows]


@pytest.fixture(scope="module")
def organisation(platform):
    return ok(platform.post("/organisations", {
        "name": "Ressourcerie des Dombes", "legal_form": "association",
        "postal_code": "01400", "commune": "Châtillon-sur-Chalaronne",
        "territory": "dombes"}))


@pytest.fixture(scope="module")
def other_organisation(platform):
    return ok(platform.post("/organisations", {
        "name": "Coopérative du Val", "legal_form": "scic", "postal_code": "01600",
        "commune": "Trévoux", "territory": "val_de_saone"}))


@pytest.fixture(scope="module")
def project(platform, organisation):
    return ok(platform.post("/projects", {
        "title": "Atelier vélo", "summary": "Réparer et revendre des vélos.",
        "field": "circular_economy", "commune": "Trévoux", "territory": "val_de_saone",
        "carrier_organisation_id": organisation["id"]}))


def project_carrier(platform, project):
    return platform.get(f"/projects/{project['id']}/file", as_="staff").json()[
        "carrier_organisation_id"]


def refusals(platform, path, good, bad_field, missing_path, wrong_role):
    """The refusals every PATCH gives, at version 2, none of which changes anything."""
    def record():
        return platform.get(path.split("/partners/")[0].split("/milestones/")[0]
                            .split("/support/")[0].split("/job-reports/")[0]
                            + ("/file" if path.startswith("/projects/") else ""),
                            as_="staff").json()
    before = record()
    stale = patch(platform, path, {**good, "version": 1})
    assert stale.status_code == 409, stale.text
    assert stale.headers["Content-Type"] == "application/problem+json"
    assert (stale.json()["code"], stale.json()["current_version"]) == ("version_conflict", 2)
    forbidden = patch(platform, path, {**good, "version": 2}, as_=wrong_role)
    assert forbidden.status_code == 403, forbidden.text
    invalid = patch(platform, path, {**bad_field, "version": 2})
    assert invalid.status_code == 422, invalid.text
    assert [error["field"] for error in invalid.json()["errors"]] == list(bad_field)
    without_version = patch(platform, path, good)
    assert without_version.status_code == 422, without_version.text
    assert [error["field"] for error in without_version.json()["errors"]] == ["version"]
    missing = patch(platform, missing_path, {**good, "version": 1})
    assert missing.status_code == 404, missing.text
    assert record() == before


def test_an_organisation_is_edited_by_version_and_every_copy_follows(platform, organisation,
                                                                     other_organisation):
    path = f"/organisations/{organisation['id']}"
    assert platform.get(path, as_="staff").json()["version"] == 1
    edited = ok(patch(platform, path, {"version": 1, "name": "Ressourcerie du Val",
                                       "legal_form": "association",
                                       "territory": "val_de_saone"}))
    assert (edited["name"], edited["territory"], edited["version"]) == (
        "Ressourcerie du Val", "val_de_saone", 2)
    admin_of_other = ("member_admin", other_organisation["id"])
    refusals(platform, path, {"sector": "Réemploi"}, {"postal_code": "1400"},
             f"/organisations/{uuid.uuid4()}", admin_of_other)
    assert patch(platform, path, {"version": 2, "colour": "vert"}).status_code == 422

    own_admin = ("member_admin", organisation["id"])
    by_admin = ok(patch(platform, path, {"version": 2, "sector": "Réemploi"}, as_=own_admin))
    assert (by_admin["sector"], by_admin["version"]) == ("Réemploi", 3)
    assert patch(platform, path, {"version": 3, "sector": "x"}, as_="citizen").status_code == 403

    [first, second] = outbox(platform, "members", "organisation_updated")
    assert (sorted(first["changed"]), first["version"]) == (["name", "territory"], 2)
    assert (second["changed"], second["version"]) == (["sector"], 3)
    wait_until(lambda: platform.query(
        "projects", "SELECT name, version FROM known_organisations WHERE id = :id",
        id=organisation["id"]) == [("Ressourcerie du Val", 3)], timeout=20,
        message="projects' copy of the organisation's name")
    wait_until(lambda: platform.query(
        "notifications", "SELECT name, version FROM organisations WHERE id = :id",
        id=organisation["id"]) == [("Ressourcerie du Val", 3)], timeout=20,
        message="notifications' copy of the organisation's name")
    wait_until(lambda: platform.query(
        "reporting", "SELECT territory, version FROM report_organisations "
        "WHERE organisation_id = :id", id=organisation["id"]) == [("val_de_saone", 3)],
        timeout=20, message="reporting's copy of the organisation's territory")


def test_a_project_is_edited_by_version(platform, project, other_organisation):
    path = f"/projects/{project['id']}"
    assert project["version"] == 1
    edited = ok(patch(platform, path, {"version": 1, "title": "Atelier  vélo solidaire",
                                       "tags": ["Vélo", "réemploi"]}))
    assert (edited["title"], edited["tags"], edited["version"]) == (
        "Atelier vélo solidaire", ["réemploi", "vélo"], 2)
    assert platform.get(path).json()["title"] == "Atelier vélo solidaire"
    refusals(platform, path, {"summary": "Autre"}, {"field": "agriculture"},
             f"/projects/{uuid.uuid4()}", ("member_admin", other_organisation["id"]))
    [event] = outbox(platform, "projects", "project_updated")
    assert (sorted(event["changed"]), event["version"]) == (["tags", "title"], 2)
    wait_until(lambda: platform.query(
        "funding", "SELECT title, carrier_organisation_id, version FROM known_projects "
        "WHERE id = :id", id=project["id"]) == [
            ("Atelier vélo solidaire", project_carrier(platform, project), 2)],
        timeout=20, message="funding's copy of the project's title")


def test_a_partner_becomes_formal_and_a_milestone_moves_by_version(platform, project,
                                                                  organisation):
    route = f"/projects/{project['id']}"
    partner = ok(platform.post(f"{route}/partners", {"name": "Mairie de Trévoux",
                                                     "circle": "ally"}))
    assert (partner["formalisation"], partner["version"]) == ("informal", 1)
    own_admin = ("member_admin", organisation["id"])
    formal = ok(patch(platform, f"{route}/partners/{partner['id']}",
                      {"version": 1, "formalisation": "agreement"}, as_=own_admin))
    assert (formal["formalisation"], formal["version"]) == ("agreement", 2)
    refusals(platform, f"{route}/partners/{partner['id']}", {"formalisation": "contract"},
             {"formalisation": "handshake"}, f"{route}/partners/{uuid.uuid4()}", "citizen")
    [event] = outbox(platform, "projects", "partner_updated")
    assert (event["formalisation"], event["changed"]) == ("agreement", ["formalisation"])

    # Its dates and whether the project's public page shows it, by version too.
    dated = ok(patch(platform, f"{route}/partners/{partner['id']}", {
        "version": 2, "starts_on": "2026-09-01", "ends_on": "2027-08-31",
        "shown_publicly": True}))
    assert (dated["starts_on"], dated["ends_on"], dated["shown_publicly"],
            dated["version"]) == ("2026-09-01", "2027-08-31", True, 3)
    assert [p["name"] for p in platform.get(route).json()["partners"]] == [
        "Mairie de Trévoux"]
    backwards = patch(platform, f"{route}/partners/{partner['id']}",
                      {"version": 3, "ends_on": "2026-08-31"})
    assert backwards.status_code == 422, backwards.text
    assert [error["field"] for error in backwards.json()["errors"]] == ["ends_on"]
    hidden = ok(patch(platform, f"{route}/partners/{partner['id']}", {
        "version": 3, "ends_on": None, "shown_publicly": False}))
    assert (hidden["starts_on"], hidden["ends_on"], hidden["version"]) == (
        "2026-09-01", None, 4)
    assert platform.get(route).json()["partners"] == []

    milestone = ok(platform.post(f"{route}/milestones", {"title": "Local trouvé",
                                                         "due_on": "2027-03-01"}))
    moved = ok(patch(platform, f"{route}/milestones/{milestone['id']}",
                     {"version": 1, "due_on": "2027-04-01"}))
    assert (moved["due_on"], moved["version"]) == ("2027-04-01", 2)
    refusals(platform, f"{route}/milestones/{milestone['id']}", {"title": "Local loué"},
             {"due_on": "bientôt"}, f"{route}/milestones/{uuid.uuid4()}", "funder")
    file = platform.get(f"{route}/file", as_="staff").json()
    assert [(m["due_on"], m["version"]) for m in file["milestones"]] == [("2027-04-01", 2)]


def test_staff_correct_support_and_jobs_and_the_history_keeps_both_sides(platform, project,
                                                                        organisation):
    route = f"/projects/{project['id']}"
    support = ok(platform.post(f"{route}/support", {
        "kind": "mentoring", "hours": 3, "given_on": "2026-02-10", "given_by": "Camille"}))
    report = ok(platform.post(f"{route}/job-reports", {
        "reported_on": "2026-06-30", "created_fte": 3, "consolidated_fte": 1}))

    corrected = ok(patch(platform, f"{route}/support/{support['id']}",
                         {"version": 1, "hours": 4.5, "reason": "Demi-journée oubliée"}))
    assert (corrected["hours"], corrected["version"]) == (4.5, 2)
    own_admin = ("member_admin", organisation["id"])
    refusals(platform, f"{route}/support/{support['id']}", {"hours": 5, "reason": "x"},
             {"hours": 30}, f"{route}/support/{uuid.uuid4()}", own_admin)
    no_reason = patch(platform, f"{route}/support/{support['id']}", {"version": 2, "hours": 5})
    assert no_reason.status_code == 422, no_reason.text

    jobs = ok(patch(platform, f"{route}/job-reports/{report['id']}",
                    {"version": 1, "created_fte": 2.5, "reason": "Un poste compté deux fois"}))
    assert (jobs["created_fte"], jobs["version"]) == (2.5, 2)
    refusals(platform, f"{route}/job-reports/{report['id']}",
             {"created_fte": 2, "reason": "x"}, {"insertion_fte": -1},
             f"{route}/job-reports/{uuid.uuid4()}", own_admin)

    file = platform.get(f"{route}/file", as_="staff").json()
    assert file["support_hours"] == 4.5
    assert [(c["record"], c["field"], c["before"], c["after"], c["reason"])
            for c in file["corrections"]] == [
        ("support_session", "hours", "3", "4.5", "Demi-journée oubliée"),
        ("job_report", "created_fte", "3", "2.5", "Un poste compté deux fois")]
    assert all(c["by"] and c["at"] for c in file["corrections"])

    def reported():
        return platform.query(
            "reporting", "SELECT (SELECT sum(support_hours_hundredths) FROM "
            "report_project_years WHERE project_id = :id), (SELECT created_fte_hundredths "
            "FROM report_job_reports WHERE project_id = :id AND year = 2026)",
            id=project["id"])
    wait_until(lambda: reported() == [(450, 250)], timeout=20,
               message="reporting's support hours and jobs, corrected")
