from datetime import datetime, timedelta, timezone

import pytest

from services.projects import domain
from shared.errors import DomainError

UTC = timezone.utc
STAFF = {"account_id": "a", "roles": ["animator"], "organisation_id": None}


def project(**changes):
    return {"title": " Une  ressourcerie ", "summary": " Réemploi. ", "field": "circular_economy",
            "commune": "Villars-les-Dombes", "founders": "Camille", **changes}


def test_a_submitted_project_enters_the_pipeline_as_an_idea():
    values = domain.new_project(project(tags=[" Réemploi", "réemploi", "bois "]), None)
    assert values["stage"] == "idea" == domain.STAGES[0]
    assert values["title"] == "Une ressourcerie" and values["summary"] == "Réemploi."
    assert values["tags"] == ["bois", "réemploi"]


@pytest.mark.parametrize("founders, carrier", [(None, None), ("Camille", "org-1")])
def test_a_project_is_carried_by_an_organisation_or_by_founders(founders, carrier):
    with pytest.raises(DomainError) as raised:
        domain.new_project(project(founders=founders), carrier)
    assert list(raised.value.details["fields"]) == ["carrier_organisation_id"]


@pytest.mark.parametrize("current, target, reason", [
    ("idea", "emergence", None), ("emergence", "incubation", None),
    ("launched", "consolidated", None), ("incubation", "emergence", "Étude de marché à refaire"),
    ("consolidated", "launched", "Perte d'un client"), ("launched", "abandoned", "Liquidation")])
def test_forward_steps_documented_returns_and_abandon_pass(current, target, reason):
    assert domain.check_stage_move(current, target, reason) is None


@pytest.mark.parametrize("current, target, reason, code", [
    ("idea", "incubation", None, "stage_move_not_allowed"),
    ("incubation", "launched", None, "launch_needs_enterprise"),
    ("incubation", "idea", "why not", "stage_move_not_allowed"),
    ("incubation", "emergence", None, "validation_failed"),
    ("idea", "abandoned", None, "validation_failed"),
    ("abandoned", "idea", "revival", "project_abandoned"),
    ("launched", "launched", None, "launch_needs_enterprise")])
def test_other_moves_are_refused_with_a_reason(current, target, reason, code):
    with pytest.raises(DomainError) as raised:
        domain.check_stage_move(current, target, reason)
    assert raised.value.code == code


def test_only_staff_and_the_carriers_admins_edit_a_project():
    admin = {"account_id": "b", "roles": ["member_admin"], "organisation_id": "org-1"}
    assert domain.check_can_edit("org-1", admin) is None
    assert domain.check_can_edit("org-2", STAFF) is None
    for carrier in ("org-2", None):
        with pytest.raises(DomainError) as raised:
            domain.check_can_edit(carrier, admin)
        assert raised.value.kind == "forbidden"


def test_insertion_jobs_are_part_of_the_jobs_reported():
    assert domain.check_job_report({"created_fte": 100, "consolidated_fte": 200,
                                    "insertion_fte": 300}) is None
    with pytest.raises(DomainError):
        domain.check_job_report({"created_fte": 100, "consolidated_fte": 200,
                                 "insertion_fte": 301})


def test_the_board_shows_each_stage_with_the_longest_waiting_first():
    now = datetime(2026, 11, 27, tzinfo=UTC)
    board = domain.board([
        {"id": "a", "stage": "idea", "stage_entered_at": now - timedelta(days=3)},
        {"id": "b", "stage": "idea", "stage_entered_at": now - timedelta(days=40)},
        {"id": "c", "stage": "launched", "stage_entered_at": now}], now)
    assert [column["stage"] for column in board] == list(domain.STAGES)
    assert [(p["id"], p["days_in_stage"]) for p in board[0]["projects"]] == [("b", 40), ("a", 3)]


TODAY = datetime(2026, 12, 6).date()


@pytest.mark.parametrize("hours", [1, 250, 2400])
def test_support_of_a_day_holds_in_the_day(hours):
    domain.check_support(hours, TODAY, TODAY)


@pytest.mark.parametrize("hours", [0, 2401, 50_000, 100_000])
def test_no_support_entry_of_nothing_or_more_than_a_day(hours):
    with pytest.raises(DomainError) as refused:
        domain.check_support(hours, TODAY, TODAY)
    assert list(refused.value.details["fields"]) == ["hours"]


def test_support_given_tomorrow_is_refused_on_its_day():
    with pytest.raises(DomainError) as refused:
        domain.check_support(150, TODAY + timedelta(days=1), TODAY)
    assert list(refused.value.details["fields"]) == ["given_on"]


@pytest.mark.parametrize("field", ["completed_on", "reported_on", "created_on", "given_on"])
def test_a_fact_done_is_dated_today_or_before(field):
    domain.check_done_by(field, TODAY, TODAY)
    domain.check_done_by(field, TODAY - timedelta(days=3650), TODAY)
    with pytest.raises(DomainError) as refused:
        domain.check_done_by(field, TODAY + timedelta(days=1), TODAY)
    assert list(refused.value.details["fields"]) == [field]
