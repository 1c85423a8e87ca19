"""Reporting's projection rules, alone: what each event does to the figures, and that
the figures end the same whatever order the events arrive in."""
import itertools
from collections import defaultdict
from datetime import datetime

import pytest

from services.members.schemas import ORGANISATION_REGISTERED
from services.reporting import domain, projector
from services.reporting.domain import funding
from services.reporting.domain.changes import (
    ALL_YEARS,
    Keep,
    Tally,
    Upsert,
    apply_order,
    crossing,
    hundredths,
    year_of,
)
from services.reporting.domain.reports import contributor_scope, funder_key, project_scopes
from shared.envelope import make_envelope, read_envelope
from tests.support import reporting as story
from tests.support.events import confirmed_contribution, organisation_registered, pledged_contribution
from tests.support.reporting import at, new_id


def changes_of(event):
    return domain.changes(event.type, event.read(), event.occurred_at)


class Store:
    """The projector's writes, in memory: enough to check that rules commute."""

    def __init__(self):
        self.rows = defaultdict(dict)
        self.tallies = defaultdict(int)
        self.contributors = defaultdict(int)

    def apply(self, changes):
        for change in sorted(changes, key=apply_order):
            if isinstance(change, Tally):
                self.tallies[(change.scope, change.year, change.account_id)] += change.delta
                self.contributors[(change.scope, change.year)] += crossing(
                    self.tallies[(change.scope, change.year, change.account_id)], change.delta)
                continue
            row = self.rows[(change.table, tuple(sorted(change.key.items())))]
            if isinstance(change, Upsert):
                row.update(change.set)
                for name, amount in change.add.items():
                    row[name] = row.get(name, 0) + amount
            elif row.get(change.version_column) is None or \
                    change.version > row[change.version_column]:
                row.update(change.values)
                row[change.version_column] = change.version

    def figures(self):
        return (dict(self.rows), {k: v for k, v in self.tallies.items()},
                {k: v for k, v in self.contributors.items() if v})


# --- members -------------------------------------------------------------------------

def test_an_organisation_gives_its_legal_form_and_territory_to_the_lookup():
    organisation = new_id()
    [change] = changes_of(story.organisation_registered(organisation, "scop", "cotiere"))
    assert change == Keep("report_organisations", {"organisation_id": organisation},
                          values={"legal_form": "scop", "territory": "cotiere"}, version=1)


def test_an_organisation_edited_keeps_its_latest_version_whatever_the_order():
    organisation = new_id()
    events = [story.organisation_registered(organisation, "association", "dombes"),
              story.organisation_updated(organisation, 2, "scop", "dombes"),
              story.organisation_updated(organisation, 3, "scop", "cotiere")]
    for order in itertools.permutations(events):
        store = Store()
        for event in order:
            store.apply(changes_of(event))
        assert store.rows[("report_organisations", (("organisation_id", organisation),))] == {
            "legal_form": "scop", "territory": "cotiere", "version": 3}


def test_a_support_correction_moves_the_hours_by_the_difference_between_years():
    project = new_id()
    store = Store()
    for event in (story.support_given(project, 3.0, "2024-12-30"),
                  story.support_corrected(project, 4.5, "2025-01-02", 3.0, "2024-12-30")):
        store.apply(changes_of(event))
    hours = {key: row["support_hours_hundredths"] for (table, key), row in store.rows.items()
             if table == "report_project_years"}
    assert hours == {(("project_id", project), ("year", 2024)): 0,
                     (("project_id", project), ("year", 2025)): 450}


def test_a_corrected_job_report_is_the_figure_of_its_day_in_any_order():
    project = new_id()
    report = story.jobs_reported(project, "2025-06-30", 3, 1, at(2025, 7, 1))
    corrected = story.jobs_corrected(report, 2.5, 1, at(2025, 9, 1))
    for order in ((report, corrected), (corrected, report)):
        store = Store()
        for event in order:
            store.apply(changes_of(event))
        row = store.rows[("report_job_reports", (("project_id", project), ("year", 2025)))]
        assert row["created_fte_hundredths"] == 250


@pytest.mark.parametrize("event, active", [
    (lambda m, o: story.membership_applied(m, o, 2025), 0),
    (lambda m, o: story.membership_renewed(m, o, 2025), 1),
    (lambda m, o: story.membership_moved(m, o, 2025, "applied", "active"), 1),
    (lambda m, o: story.membership_moved(m, o, 2025, "active", "lapsed"), -1),
    (lambda m, o: story.membership_moved(m, o, 2025, "lapsed", "active"), 1),
    (lambda m, o: story.membership_moved(m, o, 2025, "applied", "resigned"), 0),
])
def test_a_membership_is_active_by_the_sum_of_its_moves_in_and_out(event, active):
    membership, organisation = new_id(), new_id()
    [change] = changes_of(event(membership, organisation))
    assert change.table == "report_memberships"
    assert change.key == {"membership_id": membership}
    assert change.set == {"organisation_id": organisation, "year": 2025, "circle": "core"}
    assert change.add == {"active": active}


def test_a_membership_lapsed_before_its_activation_arrived_ends_inactive_either_way():
    membership, organisation = new_id(), new_id()
    moves = [story.membership_applied(membership, organisation, 2025),
             story.membership_moved(membership, organisation, 2025, "applied", "active"),
             story.membership_moved(membership, organisation, 2025, "active", "lapsed")]
    ends = set()
    for order in itertools.permutations(moves):
        store = Store()
        for event in order:
            store.apply(changes_of(event))
        [row] = store.rows.values()
        ends.add(row["active"])
    assert ends == {0}


def test_dues_fees_and_services_are_counted_in_their_year_and_in_hundredths_of_fte():
    organisation, service = new_id(), new_id()
    assert changes_of(story.dues_paid(new_id(), organisation, 2024, 5000)) == [
        Upsert("report_member_money", {"organisation_id": organisation, "year": 2024},
               add={"dues_paid_cents": 5000}),
        Upsert("report_resources", {"project_id": "cluster", "year": 2024},
               add={"dues_cents": 5000})]
    assert changes_of(story.mutualisation_invoiced(organisation, 2024, 3, 12000)) == [
        Upsert("report_member_money", {"organisation_id": organisation, "year": 2024},
               add={"mutualisation_invoiced_cents": 12000}),
        Upsert("report_resources", {"project_id": "cluster", "year": 2024},
               add={"mutualisation_cents": 12000})]
    assert changes_of(story.service_added(service, 2.35))[0].set == {"fte_hundredths": 235}


def test_the_last_end_given_to_a_subscription_wins_whichever_arrives_first():
    subscription, organisation, service = new_id(), new_id(), new_id()
    events = [story.subscription_started(subscription, organisation, service, "2024-01-01",
                                         "2030-12-31"),
              story.subscription_ended(subscription, organisation, service, "2026-06-30",
                                       at(2025, 1, 1)),
              story.subscription_ended(subscription, organisation, service, "2025-12-31",
                                       at(2025, 3, 1))]
    for order in itertools.permutations(events):
        store = Store()
        for event in order:
            store.apply(changes_of(event))
        [row] = store.rows.values()
        assert (row["starts_on"].isoformat(), row["planned_ends_on"].isoformat(),
                row["ended_on"].isoformat()) == ("2024-01-01", "2030-12-31", "2025-12-31")


# --- incubation ----------------------------------------------------------------------

def test_a_submitted_project_is_counted_at_its_stage_in_its_year_with_its_territory():
    project = new_id()
    assert changes_of(story.project_submitted(project, "val_de_saone", 2019)) == [
        Upsert("report_projects", {"project_id": project},
               set={"territory": "val_de_saone", "submitted_year": 2019}),
        Upsert("report_project_stages", {"project_id": project, "stage": "idea"},
               add={"projects": 1}),
        Upsert("report_project_years", {"project_id": project, "year": 2019},
               add={"projects_submitted": 1})]


def test_a_stage_move_leaves_one_stage_and_enters_the_next_in_any_order():
    project = new_id()
    events = [story.project_submitted(project),
              story.stage_changed(project, "idea", "emergence", at(2020, 4)),
              story.stage_changed(project, "emergence", "incubation", at(2020, 5))]
    for order in itertools.permutations(events):
        store = Store()
        for event in order:
            store.apply(changes_of(event))
        stages = {dict(key[1])["stage"]: row["projects"] for key, row in store.rows.items()
                  if key[0] == "report_project_stages"}
        assert stages == {"idea": 0, "emergence": 0, "incubation": 1}


def test_support_hours_and_enterprises_count_in_the_year_of_their_date():
    project = new_id()
    assert changes_of(story.support_given(project, 7.25, "2021-12-31")) == [
        Upsert("report_project_years", {"project_id": project, "year": 2021},
               add={"support_hours_hundredths": 725})]
    assert changes_of(story.enterprise_created(project, "2022-01-01")) == [
        Upsert("report_project_years", {"project_id": project, "year": 2022},
               add={"enterprises_created": 1})]


def test_the_latest_job_report_of_a_year_wins_and_a_same_day_correction_beats_the_first():
    project = new_id()
    first = story.jobs_reported(project, "2024-06-30", 3, 1, at(2024, 7, 1))
    correction = story.jobs_reported(project, "2024-06-30", 2.5, 1, at(2024, 7, 2))
    earlier_day = story.jobs_reported(project, "2024-03-31", 9, 9, at(2024, 8, 1))
    [change] = changes_of(first)
    assert isinstance(change, Keep)
    assert change.key == {"project_id": project, "year": 2024}
    assert change.values == {"created_fte_hundredths": 300, "consolidated_fte_hundredths": 100}
    for order in itertools.permutations([first, correction, earlier_day]):
        store = Store()
        for event in order:
            store.apply(changes_of(event))
        [row] = store.rows.values()
        assert (row["created_fte_hundredths"], row["consolidated_fte_hundredths"]) == (250, 100)


# --- resources -----------------------------------------------------------------------

@pytest.mark.parametrize("kind, funder_type, columns", [
    ("grant", "public", ["public_grants_cents"]),
    ("grant", "private", ["private_grants_cents"]), ("grant", None, ["private_grants_cents"]),
    ("grant", "foundation", ["private_grants_cents", "foundations_cents"]),
    ("grant", "private_investor", ["private_grants_cents", "private_investors_cents"]),
    ("sale", None, ["sales_cents"]), ("mutualisation", None, ["mutualisation_cents"])])
def test_each_resource_adds_to_its_columns_in_its_year(kind, funder_type, columns):
    project = new_id()
    event = story.resource_recorded(kind, 123_45, 2023, project,
                                    "Fondation X" if kind == "grant" else None, funder_type)
    assert changes_of(event)[0] == Upsert("report_resources",
                                          {"project_id": project, "year": 2023},
                                          add=dict.fromkeys(columns, 12345))


def test_a_grant_names_its_funder_and_one_spelling_is_kept_whatever_the_order():
    grant = story.resource_recorded("grant", 100, 2023, None, "  Région   Auvergne ", "public")
    [resource, funder] = changes_of(grant)
    assert resource.key == {"project_id": "cluster", "year": 2023}
    assert funder == Keep("report_funders", {"funder_key": "région auvergne"}, values={},
                          version="Région Auvergne", version_column="name")
    other = story.resource_recorded("grant", 100, 2023, None, "RÉGION auvergne", "public")
    names = set()
    for order in ([grant, other], [other, grant]):
        store = Store()
        for event in order:
            store.apply(changes_of(event))
        names.add(store.rows[("report_funders", (("funder_key", "région auvergne"),))]["name"])
    assert names == {"Région Auvergne"}
    assert funder_key(" Fondation  MACIF ") == "fondation macif"
    sale = story.resource_recorded("sale", 100, 2023, None, "Client", None)
    assert [change.table for change in changes_of(sale)] == ["report_resources"]


def test_volunteering_is_counted_apart_in_hours_and_euros():
    assert changes_of(story.volunteering_recorded(250, 2022)) == [
        Upsert("report_resources", {"project_id": "cluster", "year": 2022},
               add={"volunteering_hours_hundredths": 250, "volunteering_cents": 3005})]


# --- funding -------------------------------------------------------------------------

def test_campaigns_decided_and_refunds_count_in_the_year_they_happen():
    project = new_id()
    [won] = changes_of(story.campaign_decided(project, True, at(2024, 12, 31), "loan",
                                              "all_or_nothing"))
    assert won == Upsert("report_funding", {"project_id": project, "year": 2024,
                                            "kind": "loan", "model": "all_or_nothing"},
                         add={"campaigns_succeeded": 1})
    [lost] = changes_of(story.campaign_decided(project, False, at(2025, 1, 1)))
    assert lost.add == {"campaigns_failed": 1} and lost.key["year"] == 2025
    [refund] = changes_of(story.contribution_ended("refunded", new_id(), project, 700,
                                                   at(2026, 2, 1), was_counted=False))
    assert refund.key["year"] == 2026 and refund.add == {"refunds": 1, "refunded_cents": 700}
    cancelled = story.contribution_ended("cancelled", new_id(), project, 700, at(2026, 2, 1))
    assert changes_of(cancelled) == []  # the projector uncounts it, with its state


SCOPES = ["project:p", "all", "territory:dombes"]


def count(state, event, scopes=SCOPES):
    rule = funding.confirmed if event.type == "funding.contribution_confirmed" \
        else funding.uncounted
    return rule(state, event.read(), scopes)


def test_a_confirmed_contribution_counts_in_its_year_for_its_account_in_every_scope():
    project, account = new_id(), new_id()
    event = story.contribution_confirmed(new_id(), project, 2500, at(2024, 12, 31, 22),
                                         account, matched_cents=1000)
    changes, state = count(funding.ContributionState(), event)
    assert state == funding.ContributionState(confirmed_year=2024, account_id=account)
    assert changes[:2] == [
        Upsert("report_funding", {"project_id": project, "year": 2024, "kind": "donation",
                                  "model": "keep_it_all"},
               add={"contributions": 1, "raised_cents": 2500, "matched_cents": 1000}),
        Upsert("report_resources", {"project_id": project, "year": 2024},
               add={"crowdfunding_cents": 2500, "matchfunding_cents": 1000})]
    assert sorted((c.scope, c.year) for c in changes[2:]) == sorted(
        (scope, year) for scope in SCOPES for year in (2024, ALL_YEARS))
    assert {(c.account_id, c.delta) for c in changes[2:]} == {(account, 1)}
    assert count(state, event) == ([], state)  # confirmed once only


def test_a_contribution_without_an_account_counts_its_money_and_no_contributor():
    event = story.contribution_confirmed(new_id(), new_id(), 2500, at(2024), None)
    changes, _ = count(funding.ContributionState(), event)
    assert not [change for change in changes if isinstance(change, Tally)]


@pytest.mark.parametrize("how", ["cancelled", "failed", "refunded"])
def test_a_contribution_given_back_comes_off_its_confirmation_year_in_either_order(how):
    project, contribution, account = new_id(), new_id(), new_id()
    confirm = story.contribution_confirmed(contribution, project, 4000, at(2024, 12, 30),
                                           account, matched_cents=400)
    given_back = story.contribution_ended(how, contribution, project, 4000, at(2025, 1, 10),
                                          matched_cents=400)
    other = story.contribution_confirmed(new_id(), project, 1000, at(2024, 6, 1), account)
    results = []
    for order in itertools.permutations([confirm, given_back, other]):
        store, states = Store(), defaultdict(funding.ContributionState)
        for event in order:
            key = event.data["contribution_id"]
            store.apply(changes_of(event))
            changes, states[key] = count(states[key], event)
            store.apply(changes)
        results.append(store.figures())
    rows, tallies, contributors = results[0]
    assert all(result == results[0] for result in results)
    row = rows[("report_funding", (("kind", "donation"), ("model", "keep_it_all"),
                                   ("project_id", project), ("year", 2024)))]
    assert (row["contributions"], row["raised_cents"], row["given_back_cents"],
            row["given_back_matched_cents"]) == (2, 5000, 4000, 400)
    assert rows[("report_resources", (("project_id", project), ("year", 2024)))] == {
        "crowdfunding_cents": 1000, "matchfunding_cents": 0}
    assert contributors == {(scope, year): 1 for scope in SCOPES for year in (2024, ALL_YEARS)}


def test_a_contribution_that_never_counted_is_not_taken_off():
    event = story.contribution_ended("cancelled", new_id(), new_id(), 900, at(2025),
                                     was_counted=False)
    state = funding.ContributionState(confirmed_year=2025, account_id="a")
    assert count(state, event) == ([], state)


@pytest.mark.parametrize("new_tally, delta, moved", [
    (1, 1, 1), (2, 1, 0), (0, -1, -1), (1, -1, 0), (-1, -1, 0), (0, 1, 0), (3, 3, 1),
    (-2, -3, -1)])
def test_a_contributor_counts_while_their_tally_is_above_zero(new_tally, delta, moved):
    assert crossing(new_tally, delta) == moved


def test_a_project_counts_in_its_territory_and_each_funder_and_its_tallies_follow_it():
    assert project_scopes("p", None, []) == ["project:p", "all"]
    assert project_scopes("p", "cotiere", ["b", "a"]) == [
        "project:p", "all", "territory:cotiere", "funder:a", "funder:a|territory:cotiere",
        "funder:b", "funder:b|territory:cotiere"]
    assert contributor_scope("cotiere", "a") == "funder:a|territory:cotiere"
    assert contributor_scope() == "all"
    assert funding.merged([(2024, "x", 2), (0, "x", 2), (2024, "y", 0)], ["funder:a"]) == [
        Tally("funder:a", 2024, "x", 2), Tally("funder:a", 0, "x", 2)]


@pytest.mark.parametrize("moment, year", [
    ("2024-12-31T22:59:59+00:00", 2024), ("2024-12-31T23:00:00+00:00", 2025),
    ("2025-01-01T00:30:00+01:00", 2025), ("2025-12-31T23:59:00+01:00", 2025),
    ("2025-07-01T00:30:00+02:00", 2025)])
def test_a_moment_counts_in_the_year_it_is_in_france(moment, year):
    assert year_of(datetime.fromisoformat(moment)) == year
    event = story.contribution_confirmed(new_id(), new_id(), 100,
                                         datetime.fromisoformat(moment))
    changes, _ = count(funding.ContributionState(), event)
    assert changes[0].key["year"] == year


@pytest.mark.parametrize("value, expected", [(12.5, 1250), (0.07, 7), (2.675, 268), (3, 300),
                                             (0, 0)])
def test_event_figures_with_two_decimals_become_exact_hundredths(value, expected):
    assert hundredths(value) == expected


def test_every_event_of_the_story_has_a_rule_or_is_known_to_move_nothing():
    seen = {event.type for event in story.cluster_story()}
    stateful = {"funding.contribution_confirmed", "funding.contribution_cancelled",
                "funding.contribution_failed"}
    assert seen - set(domain.PROJECTIONS) == stateful



def test_only_events_that_move_a_projection_are_planned_to_move_one():
    """Reporting archives an event that moves nothing in one autocommitted statement:
    the plan must never call a moving event idle, or its projection would be skipped."""
    def moves(envelope):
        return projector.plan(read_envelope(envelope)).moves_anything

    assert not moves(pledged_contribution(500))
    assert moves(confirmed_contribution(500))  # its own rule, and the summary
    assert moves(make_envelope(ORGANISATION_REGISTERED, organisation_registered(), "corr"))
