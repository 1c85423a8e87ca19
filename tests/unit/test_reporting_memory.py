"""A rebuild's projections in memory (services/reporting/memory.py): the rows the live
tables would hold, whatever order the facts come in. tests/integration/test_reporting.py
compares a whole rebuild with the live tables row by row."""
from services.reporting import models, projector
from services.reporting.memory import Memory
from tests.support import reporting as story
from tests.support.reporting import at, new_id


def rebuilt(*events) -> Memory:
    memory = Memory()
    for event in events:
        envelope = event.envelope()
        projector.project_into(memory, {**envelope, "occurred_at": event.occurred_at})
    return memory


def rows(memory, table) -> list:
    return sorted(memory.table_rows(table), key=lambda row: tuple(map(str, row.values())))


def test_contributions_given_back_before_or_after_their_confirmation_leave_no_tally():
    project, account, early, late = new_id(), new_id(), new_id(), new_id()
    memory = rebuilt(
        story.contribution_ended("refunded", early, project, 700, at(2023, 1)),
        story.contribution_confirmed(early, project, 700, at(2023, 7), account),
        story.contribution_confirmed(late, project, 300, at(2023, 8), account))
    assert {row["contributions"] for row in rows(memory, "report_contributor_tallies")} == {1}
    memory = rebuilt(
        story.contribution_ended("refunded", early, project, 700, at(2023, 1)),
        story.contribution_confirmed(early, project, 700, at(2023, 7), account),
        story.contribution_confirmed(late, project, 300, at(2023, 8), account),
        story.contribution_ended("cancelled", late, project, 300, at(2023, 9)))
    assert rows(memory, "report_contributor_tallies") == []
    assert rows(memory, "report_contributors") == []
    states = {row["contribution_id"]: row for row in rows(memory, "report_contributions")}
    assert (states[early]["confirmed_year"], states[early]["uncounted"],
            states[early]["uncounted_cents"]) == (2023, True, 700)
    [money] = rows(memory, "report_funding")
    assert (money["contributions"], money["given_back"], money["refunds"]) == (2, 2, 1)


def test_a_project_met_first_by_a_contribution_keeps_its_row_and_joins_its_scopes_later():
    project, account = new_id(), new_id()
    memory = rebuilt(
        story.contribution_confirmed(new_id(), project, 500, at(2022), account),
        story.project_submitted(project, "cotiere", 2022),
        story.resource_recorded("grant", 900, 2022, project, "Fondation X", "private"))
    [row] = rows(memory, "report_projects")
    assert (row["territory"], row["submitted_year"]) == ("cotiere", 2022)
    scopes = {row["scope"] for row in rows(memory, "report_contributors")}
    assert scopes == {"all", f"project:{project}", "territory:cotiere", "funder:fondation x",
                      "funder:fondation x|territory:cotiere"}
    assert memory.summary == {"contributions": 1, "amount_raised_cents": 500, "projects": 1}


def test_every_row_written_has_every_column_of_its_table():
    memory = rebuilt(*story.cluster_story(seed=2))
    for table in models.PROJECTION_TABLES:
        for row in memory.table_rows(table.name):
            assert set(row) == {column.name for column in table.columns}, table.name
