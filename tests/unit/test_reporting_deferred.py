"""What a rebuild keeps for its end (services/reporting/deferred.py): merged per row so
that one write gives what the changes one by one would have given."""
import pytest

from services.reporting.deferred import DeferredWrites
from services.reporting.domain.changes import Keep, Tally, Upsert

KEY = {"project_id": "p1", "year": 2024}


def merged(*changes):
    deferred = DeferredWrites()
    for change in changes:
        assert deferred.takes(change)
        deferred.add(change)
    return deferred.changes()


def test_added_amounts_sum_and_the_last_set_value_wins_per_row():
    [row, other] = merged(
        Upsert("report_resources", KEY, add={"crowdfunding_cents": 2500}),
        Upsert("report_resources", {**KEY, "year": 2025}, add={"crowdfunding_cents": 100}),
        Upsert("report_resources", KEY, add={"crowdfunding_cents": -500,
                                             "matchfunding_cents": 300}),
        Upsert("report_resources", KEY, set={"note": "a"}),
        Upsert("report_resources", KEY, set={"note": "b"}))
    assert row == Upsert("report_resources", KEY, set={"note": "b"},
                         add={"crowdfunding_cents": 2000, "matchfunding_cents": 300})
    assert other.add == {"crowdfunding_cents": 100}


def test_a_keep_keeps_its_greatest_version_and_the_first_of_equals():
    key = {"project_id": "p1", "year": 2024}
    [kept] = merged(Keep("report_job_reports", key, {"created": 1}, "2024-02-01 b"),
                    Keep("report_job_reports", key, {"created": 3}, "2024-03-01 a"),
                    Keep("report_job_reports", key, {"created": 2}, "2024-01-01 c"),
                    Keep("report_job_reports", key, {"created": 4}, "2024-03-01 a"))
    assert (kept.values, kept.version) == ({"created": 3}, "2024-03-01 a")


def test_the_merged_changes_leave_what_they_were_made_from_untouched():
    first = Upsert("report_funding", KEY, add={"contributions": 1})
    merged(first, Upsert("report_funding", KEY, add={"contributions": 1}))
    assert first.add == {"contributions": 1}


def test_what_the_projector_reads_back_is_written_at_once():
    deferred = DeferredWrites()
    assert not deferred.takes(Upsert("report_projects", {"project_id": "p1"},
                                     set={"territory": "dombes"}))
    assert not deferred.takes(Upsert("report_contributions", {"contribution_id": "c1"}))
    assert not deferred.takes(Tally("all", 2024, "a1", 1))
    assert deferred.takes(Upsert("report_funding", KEY, add={"contributions": 1}))


def test_a_column_both_set_and_added_to_is_a_mistake_said_at_once():
    deferred = DeferredWrites()
    deferred.add(Upsert("report_memberships", {"membership_id": "m1"}, set={"active": 1}))
    with pytest.raises(ValueError, match="both set and added"):
        deferred.add(Upsert("report_memberships", {"membership_id": "m1"}, add={"active": 1}))


def test_summary_deltas_add_up():
    deferred = DeferredWrites()
    deferred.add_to_summary({"contributions": 1, "amount_raised_cents": 2500})
    deferred.add_to_summary({"contributions": 1, "amount_raised_cents": 500})
    deferred.add_to_summary({"projects": 1})
    assert deferred.summary == {"contributions": 2, "amount_raised_cents": 3000, "projects": 1}
