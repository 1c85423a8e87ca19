"""Reporting's projections against the real RabbitMQ and database: every event applied
once whatever the order and the redeliveries, the figures it gives, a rebuild from the
archive equal to the live projections row by row, and the archive's reads."""
import json
from datetime import datetime, timezone

import kombu
import pytest
import sqlalchemy as sa
from nameko.testing.services import entrypoint_hook, entrypoint_waiter
from sqlalchemy.orm import Session

from services.reporting import models, projector
from services.reporting.rebuild import rebuild
from services.reporting.service import ReportingService
from shared.database import create_engine
from shared.envelope import read_envelope
from shared.errors import DomainError
from shared.topology import event_exchange
from tests.support import reporting as story

SNAPSHOT_TABLES = (*models.PROJECTION_TABLES, models.Summary.__table__)


def publish(amqp_uri, envelopes):
    with kombu.Connection(amqp_uri) as connection:
        producer = connection.Producer()
        for envelope in envelopes:
            source, routing_key = envelope["type"].split(".")
            producer.publish(json.dumps(envelope), exchange=event_exchange(source),
                             routing_key=routing_key, content_type="application/json",
                             content_encoding="utf-8", message_id=envelope["event_id"])


def snapshot(engine) -> dict:
    """Every row of every projection, in key order."""
    with engine.connect() as connection:
        return {table.name: [tuple(row) for row in connection.execute(
            sa.select(table).order_by(*table.primary_key.columns))]
            for table in SNAPSHOT_TABLES}


def deliver(container, amqp_uri, envelopes):
    """Publish `envelopes` and wait until the archive handler has run for each."""
    handled = []

    def one_more(worker_ctx, result, exc_info):
        handled.append(result)
        return len(handled) == len(envelopes)

    with entrypoint_waiter(container, "archive", callback=one_more, timeout=60):
        publish(amqp_uri, envelopes)
    return handled


def engine_of(container):
    return next(ext for ext in container.dependencies if ext.attr_name == "db").engine


@pytest.fixture
def reporting(container_factory, service_config):
    container = container_factory(ReportingService, service_config("reporting"))
    container.start()
    return container


def report(container, table, **query):
    with entrypoint_hook(container, "report") as read:
        return read(table, {name: str(value) for name, value in query.items()})


def by_year(answer):
    return {item["year"]: item for item in answer["items"]}


def test_live_projections_survive_disorder_and_redelivery_and_a_rebuild_equals_them(
        reporting, broker_uri):
    events = story.cluster_story()
    envelopes = [event.envelope() for event in events]
    unique = len({envelope["event_id"] for envelope in envelopes})
    outcomes = deliver(reporting, broker_uri, envelopes)
    assert outcomes.count("applied") == unique
    assert set(outcomes) == {"applied", "duplicate"}
    engine = engine_of(reporting)
    live = snapshot(engine)

    # The figures the story tells.
    members = by_year(report(reporting, "members"))
    assert [members[year]["active_members"] for year in (2024, 2025, 2026)] == [6, 6, 0]
    assert [members[year]["organisations_using_services"] for year in (2024, 2025)] == [3, 2]
    assert [members[year]["mutualised_fte"] for year in (2024, 2025)] == [3.75, 2.5]
    assert members[2024]["dues_paid_cents"] == 30015
    stages = {item["stage"]: item["projects"]
              for item in report(reporting, "incubation-stages")["items"]}
    assert (stages["launched"], stages["emergence"], stages["idea"]) == (2, 2, 0)
    incubation = report(reporting, "incubation")
    assert incubation["totals"]["enterprises_total"] == 2
    assert incubation["totals"]["jobs_created_fte_total"] == 11.0
    assert incubation["totals"]["jobs_consolidated_fte_total"] == 8.0
    assert incubation["totals"]["support_hours"] == 50.0
    funding = report(reporting, "funding")
    assert [(item["raised_cents"], item["net_raised_cents"], item["contributors"])
            for item in funding["items"] if item["year"] < 2024] == [(21000, 16000, 3)] * 4
    assert funding["totals"]["contributors"] == 5
    assert funding["totals"]["refunded_cents"] == 4 * 2000
    assert funding["totals"]["success_rate"] == 0.75
    macif = report(reporting, "funding", funder="fondation  MACIF")
    assert [item["year"] for item in macif["items"]] == [2021, 2022, 2023, 2024]  # a refund
    assert (macif["totals"]["net_raised_cents"], macif["totals"]["contributors"]) == (32000, 5)
    resources = by_year(report(reporting, "resources"))[2021]
    assert (resources["sales_cents"], resources["mutualisation_cents"],
            resources["public_grants_cents"], resources["private_grants_cents"],
            resources["crowdfunding_cents"], resources["matchfunding_cents"],
            resources["volunteering_hours"], resources["volunteering_cents"]) == (
        250_000, 80_000, 3_000_000, 1_500_001, 16_000, 500, 160.5, 192_921)
    in_dombes = report(reporting, "resources", territory="dombes")
    assert [item["year"] for item in in_dombes["items"]] == [2020, 2021, 2022, 2023]
    assert in_dombes["totals"]["sales_cents"] == 0  # the cluster's own are in no territory

    # Everything again: nothing moves.
    again = deliver(reporting, broker_uri, envelopes)
    assert set(again) == {"duplicate"}
    assert snapshot(engine) == live

    # Rebuilt from the archive: the same rows, every table.
    assert rebuild(engine) == unique
    rebuilt = snapshot(engine)
    for table in SNAPSHOT_TABLES:
        assert rebuilt[table.name] == live[table.name], table.name
    assert sum(len(rows) for rows in live.values()) > 150


def test_a_filter_that_makes_no_sense_is_refused_and_a_range_without_data_is_empty(
        reporting, broker_uri):
    project = story.new_id()
    deliver(reporting, broker_uri, [
        story.project_submitted(project, "cotiere", 2022).envelope(),
        story.resource_recorded("grant", 5000, 2022, project, "Fondation X", "private")
        .envelope()])
    with pytest.raises(DomainError) as raised:
        report(reporting, "funding", funder="Fondation Y")
    assert (raised.value.kind, raised.value.code) == ("not_found", "funder_not_found")
    for table, query, field in (("funding", {"from_year": 2030, "to_year": 2020}, "to_year"),
                                ("resources", {"from_year": "deux mille"}, "from_year"),
                                ("incubation", {"territory": "lune"}, "territory"),
                                ("members", {"funder": "Fondation X"}, "funder"),
                                ("funding", {"color": "red"}, "color")):
        with pytest.raises(DomainError) as raised:
            report(reporting, table, **query)
        assert raised.value.kind == "invalid"
        assert list(raised.value.details["fields"]) == [field]
    empty = report(reporting, "resources", from_year=1990, to_year=1999)
    assert empty["items"] == [] and set(empty["totals"].values()) == {0}
    funded = report(reporting, "resources", funder="fondation x", territory="cotiere")
    assert [(item["year"], item["private_grants_cents"]) for item in funded["items"]] == [
        (2022, 5000)]


def test_the_archive_reads_by_type_source_and_time_page_by_page(reporting, broker_uri):
    events = [story.project_submitted(story.new_id(), year=year) for year in (2019, 2020, 2021)]
    events += [story.dues_paid(story.new_id(), story.new_id(), 2020, 100)]
    deliver(reporting, broker_uri, [event.envelope() for event in events])
    with entrypoint_hook(reporting, "list_events") as list_events:
        first = list_events({"type": "projects.project_submitted", "limit": "2"})
        second = list_events({"type": "projects.project_submitted", "limit": "2",
                              "cursor": first["next_cursor"]})
        since = list_events({"source": "projects", "since": "2020-01-01T00:00:00+00:00",
                             "until": "2021-01-01T00:00:00+00:00"})
        members = list_events({"source": "members"})
        with pytest.raises(DomainError) as raised:
            list_events({"since": "2020-01-01T00:00:00"})
    assert [item["occurred_at"][:4] for item in first["items"] + second["items"]] == [
        "2019", "2020", "2021"]
    assert second["next_cursor"] is None
    assert [item["data"]["project_id"] for item in since["items"]] == [
        events[1].data["project_id"]]
    assert [item["type"] for item in members["items"]] == ["members.dues_paid"]
    assert list(raised.value.details["fields"]) == ["since"]


@pytest.fixture
def two_databases(databases):
    engines = [create_engine(databases.new("reporting")) for _ in range(2)]
    yield engines
    for engine in engines:
        engine.dispose()


def apply_one_by_one(engine, envelopes):
    for envelope in envelopes:
        with Session(engine) as session, session.begin():
            projector.project(session, read_envelope(envelope))


def test_the_projections_end_the_same_in_opposite_orders(two_databases):
    envelopes = list({envelope["event_id"]: envelope for envelope in
                      (event.envelope() for event in story.cluster_story(seed=11))}.values())
    forward, backward = two_databases
    apply_one_by_one(forward, envelopes)
    apply_one_by_one(backward, list(reversed(envelopes)))
    assert snapshot(forward) == snapshot(backward)


def test_an_event_older_than_the_version_reporting_reads_is_archived_not_projected(
        two_databases):
    engine, _ = two_databases
    old = story.contribution_confirmed(story.new_id(), story.new_id(), 900,
                                       datetime(2024, 1, 1, tzinfo=timezone.utc)).envelope()
    apply_one_by_one(engine, [{**old, "version": 1}])
    rows = snapshot(engine)
    assert rows["report_funding"] == [] and rows["report_contributions"] == []
    assert rows["summary"][0][4:] == (1, 900)  # the headline counts any version


def archive(engine, envelopes):
    """Archive `envelopes` without projecting them, as a rebuild finds them."""
    with engine.begin() as connection:
        connection.execute(models.ArchivedEvent.__table__.insert(), [
            {"event_id": envelope["event_id"], "type": envelope["type"],
             "version": envelope["version"], "source": envelope["source"],
             "occurred_at": datetime.fromisoformat(envelope["occurred_at"]),
             "correlation_id": envelope["correlation_id"],
             "data": json.dumps(envelope["data"]), "archived_at": datetime.now(timezone.utc)}
            for envelope in envelopes])


def test_a_rebuild_in_memory_gives_the_tables_the_live_projection_gives_one_by_one(
        two_databases):
    """Stories where the archive's order is not the order of the facts: a cancellation
    stamped before its confirmation (clocks of two replicas), a grant recorded after the
    contributions it brings into its funder's view, a project known by its contributions
    before its submission, a version too old; projected live one event a transaction, in
    reverse order, and rebuilt from the archive into stale rows."""
    project, account, contribution = story.new_id(), story.new_id(), story.new_id()
    early = story.contribution_ended("cancelled", contribution, project, 700, story.at(2023))
    late = story.contribution_confirmed(contribution, project, 700, story.at(2023, 7),
                                        account)
    extra = [early, late,
             story.contribution_confirmed(story.new_id(), project, 300, story.at(2023, 8),
                                          account),
             story.project_submitted(project, "cotiere", 2024),
             story.resource_recorded("grant", 900, 2024, project, "Fondation Tardive",
                                     "private"),
             story.resource_recorded("grant", 900, 2024, project, "fondation  tardive",
                                     "private")]
    envelopes = list({envelope["event_id"]: envelope for envelope in (
        event.envelope() for event in [*story.cluster_story(seed=3),
                                        *story.cluster_story(seed=5), *extra])}.values())
    old = story.contribution_confirmed(story.new_id(), project, 50, story.at(2023)).envelope()
    envelopes.append({**old, "version": 1})
    live, rebuilt = two_databases
    apply_one_by_one(live, list(reversed(envelopes)))
    archive(rebuilt, envelopes)
    apply_one_by_one(rebuilt, envelopes[:10])  # stale rows, emptied by the rebuild
    assert rebuild(rebuilt) == len(envelopes)
    expected, found = snapshot(live), snapshot(rebuilt)
    for table in SNAPSHOT_TABLES:
        assert found[table.name] == expected[table.name], table.name
    assert expected["report_contributions"] and expected["report_contributor_tallies"]
