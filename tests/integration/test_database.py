"""The database layer under eventlet, and migrations that match the models."""
import time
import uuid

import eventlet
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from shared import migrate
from shared.config import SERVICE_NAMES
from shared.database import create_engine
from shared.topology import service_class


def test_two_slow_queries_overlap_under_eventlet(databases):
    """psycopg2 is made cooperative (shared.green): a query waiting on PostgreSQL lets
    other green threads run, including another query. Without eventlet's psycopg2 patch
    the two queries run one after the other."""
    if databases.backend != "postgresql":
        pytest.skip("psycopg2 needs PostgreSQL: set TEST_DATABASE_URL (CI does)")
    engine = create_engine(databases.new("members"), pool_size=2)
    spans = []

    def slow_query():
        with engine.connect() as connection:
            started = time.monotonic()
            connection.exec_driver_sql("SELECT pg_sleep(0.5)")
            spans.append((started, time.monotonic()))

    threads = [eventlet.spawn(slow_query) for _ in range(2)]
    for thread in threads:
        thread.wait()
    engine.dispose()
    (first_start, first_end), (second_start, second_end) = sorted(spans)
    assert second_start < first_end, "the second query waited for the first to finish"


@pytest.mark.parametrize("service_name", SERVICE_NAMES)
def test_migrations_build_exactly_the_tables_the_models_describe(databases, service_name):
    engine = create_engine(databases.new(service_name))
    metadata = service_class(service_name).db.tables.outbox.metadata
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    engine.dispose()
    assert differences == []


def test_funding_0006_keeps_issued_receipts_under_their_organisation(databases):
    """Receipts issued under the former single yearly series keep their numbers, now
    under the organisation that issued them; each organisation's series goes on from
    its own highest number, so none is given twice."""
    url = databases.empty("funding_0006")
    migrate.upgrade("funding", url, revision="funding_0004")
    engine = create_engine(url)
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    with engine.begin() as connection:
        for organisation, project in ((first, "p1"), (second, "p2")):
            connection.execute(sa.text(
                "INSERT INTO known_projects (id, title, carrier_organisation_id) "
                "VALUES (:p, 'Jardin', :o)"), {"p": project, "o": organisation})
            connection.execute(sa.text(
                "INSERT INTO campaigns (id, project_id, title, description, kind, model, "
                "goal_cents, min_contribution_cents, starts_at, deadline, status, "
                "raised_cents, matched_cents, committed_cents, refunded_cents, "
                "contributions_count, new_members, created_at) VALUES (:c, :p, 'C', '', "
                "'donation', 'keep_it_all', 100, 100, :t, :t, 'live', 0, 0, 0, 0, 0, 0, :t)"),
                {"c": f"c-{project}", "p": project, "t": "2026-01-01T00:00:00+00:00"})
        for sequence, project in ((1, "p1"), (2, "p2"), (3, "p1")):
            number, contribution = f"2026-{sequence:06d}", f"gift-{sequence}"
            connection.execute(sa.text(
                "INSERT INTO contributions (id, campaign_id, amount_cents, matched_cents, "
                "public, status, channel, counted, receipt_number, created_at, updated_at) "
                "VALUES (:id, :c, 100, 0, true, 'captured', 'online', true, :n, :t, :t)"),
                {"id": contribution, "c": f"c-{project}", "n": number,
                 "t": "2026-01-01T00:00:00+00:00"})
            connection.execute(sa.text(
                "INSERT INTO receipts (number, contribution_id, document, issued_at) "
                "VALUES (:n, :id, '{}', :t)"),
                {"n": number, "id": contribution, "t": "2026-01-01T00:00:00+00:00"})
        connection.execute(sa.text("INSERT INTO receipt_sequences VALUES (2026, 3)"))
    migrate.upgrade("funding", url)
    with engine.connect() as connection:
        receipts = connection.execute(sa.text(
            "SELECT organisation_id, number FROM receipts ORDER BY number")).all()
        series = dict(connection.execute(sa.text(
            "SELECT organisation_id, last_number FROM receipt_series WHERE year = 2026")).all())
    engine.dispose()
    assert receipts == [(first, "2026-000001"), (second, "2026-000002"),
                        (first, "2026-000003")]
    assert series == {first: 3, second: 2}


def test_a_claim_reads_its_row_with_it_and_a_replay_neither_claims_nor_reads(databases):
    """replay_or_claim(reading=...) (a pledge's campaign): the claim's own statement
    reads the row on PostgreSQL; a key that ran already answers as before and reads
    nothing; a missing row reads as None; a key reused with another request is refused."""
    from services.funding import models
    from shared.database import UnitsOfWork
    from shared.errors import DomainError

    engine = create_engine(databases.new("funding"))
    projects = models.KnownProject.__table__
    with engine.begin() as connection:
        connection.execute(projects.insert(), {"id": "p1", "title": "Jardins partagés"})
    units = UnitsOfWork(engine, models.messaging, "funding")
    statements = []
    sa.event.listen(engine, "before_cursor_execute",
                    lambda conn, cursor, statement, *rest: statements.append(statement))

    with units() as uow:
        assert uow.replay_or_claim("pledge", "k1", {"amount": 1}, answer={"id": "c1"},
                                   reading=(projects, "p1")) is None
        assert uow.read_with_claim.title == "Jardins partagés"
    if databases.backend == "postgresql":
        assert [s for s in statements if "idempotency_keys" in s or "known_projects" in s] \
            == [s for s in statements if "idempotency_keys" in s and "known_projects" in s]
        assert len(statements) == 1

    with units() as uow:
        assert uow.replay_or_claim("pledge", "k1", {"amount": 1},
                                   reading=(projects, "p1")) == {"id": "c1"}
        assert uow.read_with_claim is None
    with units() as uow:
        assert uow.replay_or_claim("pledge", "k2", {"amount": 1}, answer={"id": "c2"},
                                   reading=(projects, "nowhere")) is None
        assert uow.read_with_claim is None
    with units() as uow, pytest.raises(DomainError) as refused:
        uow.replay_or_claim("pledge", "k2", {"amount": 2}, reading=(projects, "p1"))
    assert refused.value.code == "idempotency_key_reused"
    engine.dispose()


def test_an_event_and_the_row_it_tells_of_are_written_together(databases):
    """UnitOfWork.emit(along=...) (a pledge's contribution): the row and the event's
    outbox row, both written, in one statement on PostgreSQL; neither if the
    transaction does not commit."""
    from marshmallow import Schema, fields

    from services.funding import models
    from shared.database import UnitsOfWork
    from shared.envelope import EventSpec

    class Noted(Schema):
        project_id = fields.String(required=True)

    spec = EventSpec("funding", "project_noted", 1, Noted, "a test's event")
    engine = create_engine(databases.new("funding"))
    projects, outbox = models.KnownProject.__table__, models.messaging.outbox
    units = UnitsOfWork(engine, models.messaging, "funding")
    statements = []
    sa.event.listen(engine, "before_cursor_execute",
                    lambda conn, cursor, statement, *rest: statements.append(statement))
    row = {name: None for name in projects.c.keys()} | {"id": "p1", "title": "Verger"}

    with units() as uow:
        envelope = uow.emit(spec, {"project_id": "p1"}, along=(projects, row))
    if databases.backend == "postgresql":
        assert len(statements) == 1
    with pytest.raises(RuntimeError), units() as uow:
        uow.emit(spec, {"project_id": "p2"}, along=(projects, {**row, "id": "p2"}))
        raise RuntimeError("the pledge is refused")

    with engine.connect() as connection:
        assert connection.execute(sa.select(projects.c.id, projects.c.title)).all() == \
            [("p1", "Verger")]
        [event] = connection.execute(sa.select(outbox)).mappings().all()
    assert event["event_id"] == envelope["event_id"]
    assert event["routing_key"] == "project_noted" and event["published_at"] is None
    engine.dispose()
