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


# BEGIN sent with a transaction's first statement (shared.database.BeginWithFirstStatement)

def _proxied_units(databases):
    """funding's units of work on a database reached through a proxy that reads the
    queries sent, with one pooled connection (so the next unit runs on the same one),
    and an engine that reaches the same database directly, to watch it from outside."""
    from services.funding import models
    from shared.database import UnitsOfWork
    from tests.support.tcp_proxy import postgres_through_proxy

    url = databases.new("funding")
    proxied, proxy, queries = postgres_through_proxy(url)
    engine = create_engine(proxied, pool_size=1)
    with engine.connect() as connection:  # the dialect's first-connection queries
        connection.execute(sa.select(1))
    queries.clear()
    return (UnitsOfWork(engine, models.messaging, "funding"), queries, proxy,
            create_engine(url), models.KnownProject.__table__)


def _close(units, observer, proxy):
    units.engine.dispose()
    observer.dispose()
    proxy.cut()


def _backend(uow):
    return uow.session.execute(sa.select(sa.func.pg_backend_pid())).scalar()


def _titles(engine, table):
    with engine.connect() as connection:
        return sorted(connection.execute(sa.select(table.c.id)).scalars())


def _state_of(engine, pid):
    with engine.connect() as connection:
        return connection.execute(sa.text(
            "SELECT state FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}).scalar()


def _starts_clean(units, projects, observer, pid):
    """The pooled connection holds no transaction, as psycopg2 and the server see it,
    and the next unit of work on it begins with its first statement and commits."""
    from psycopg2.extensions import TRANSACTION_STATUS_IDLE
    assert _state_of(observer, pid) == "idle"
    with units.engine.connect() as connection:
        dbapi_connection = connection.connection.dbapi_connection
        assert dbapi_connection.get_transaction_status() == TRANSACTION_STATUS_IDLE
        assert dbapi_connection.autocommit
    with units() as uow:
        assert _backend(uow) == pid  # the same connection, back from the pool
        uow.session.execute(projects.insert().values(id="next", title="Suite"))
    assert "next" in _titles(observer, projects)


def test_a_unit_of_work_sends_begin_with_its_first_statement_and_stays_one_transaction(
        databases):
    """The unit's BEGIN goes in the same query as its first statement; its writes are
    one transaction: none is seen from outside before the COMMIT, all are after."""
    units, queries, proxy, observer, projects = _proxied_units(databases)
    try:
        with units() as uow:
            uow.session.execute(projects.insert().values(id="p1", title="Verger"))
            assert _titles(observer, projects) == []
            uow.session.execute(projects.insert().values(id="p2", title="Rucher"))
            assert _titles(observer, projects) == []
        assert _titles(observer, projects) == ["p1", "p2"]
        first, second, commit = queries.texts()
        assert first.startswith("BEGIN;INSERT INTO known_projects") and "'p1'" in first
        assert second.startswith("INSERT INTO known_projects") and "'p2'" in second
        assert commit == "COMMIT"

        queries.clear()
        for expected in (True, False):  # the row count read is the statement's, not BEGIN's
            with units() as uow:
                assert uow.first_delivery("funding.test", "an-event") is expected
        assert queries.texts()[0].startswith("BEGIN;INSERT INTO inbox")

        queries.clear()
        with units():  # nothing run: nothing sent
            pass
        with units.read() as session:  # reads are a transaction too, ended by a ROLLBACK
            assert session.execute(sa.select(sa.func.count()).select_from(projects)).scalar() == 2
        read, rollback = queries.texts()
        assert read.startswith("BEGIN;SELECT count(*)") and rollback == "ROLLBACK"
    finally:
        _close(units, observer, proxy)


@pytest.mark.parametrize("failure", ["statement", "python", "rollback"])
def test_a_unit_that_fails_writes_nothing_and_leaves_its_connection_clean(databases, failure):
    """A failing statement (the transaction aborted on the server), an exception in
    Python between statements, or a rollback asked for: nothing of the unit is written,
    its connection goes back to the pool with no transaction open, and the next unit
    on it starts clean."""
    units, queries, proxy, observer, projects = _proxied_units(databases)
    try:
        with pytest.raises((sa.exc.IntegrityError, RuntimeError)):
            with units() as uow:
                pid = _backend(uow)
                uow.session.execute(projects.insert().values(id="p1", title="Verger"))
                if failure == "statement":  # the same key again
                    uow.session.execute(projects.insert().values(id="p1", title="Rucher"))
                elif failure == "python":
                    raise RuntimeError("the handler failed")
                else:
                    uow.session.rollback()
                    uow.session.execute(projects.insert().values(id="p2", title="Rucher"))
                    uow.session.rollback()
                    raise RuntimeError("rolled back twice")
        assert _titles(observer, projects) == []
        assert queries.texts()[0].startswith("BEGIN;SELECT pg_backend_pid()")
        assert queries.texts()[-1] == "ROLLBACK" and "COMMIT" not in queries.texts()
        _starts_clean(units, projects, observer, pid)
    finally:
        _close(units, observer, proxy)


def test_a_connection_lost_mid_unit_is_unavailable_writes_nothing_and_is_replaced(databases):
    """The database goes away in the middle of a unit of work: the error is the one the
    services answer as `unavailable`, nothing of the unit is written (the server
    rolled back its transaction with the dead connection), and once the database is
    back the next unit runs on a new connection that starts clean."""
    from shared.rpc import database_away
    from tests.support.waiting import wait_until

    units, queries, proxy, observer, projects = _proxied_units(databases)
    try:
        with pytest.raises(sa.exc.DBAPIError) as lost:
            with units() as uow:
                pid = _backend(uow)
                uow.session.execute(projects.insert().values(id="p1", title="Verger"))
                proxy.cut()
                uow.session.execute(projects.insert().values(id="p2", title="Rucher"))
        assert database_away(lost.value)
        wait_until(lambda: _state_of(observer, pid) is None,
                   message="the lost connection's backend to end")
        assert _titles(observer, projects) == []
        proxy.restore()
        with units() as uow:
            new_pid = _backend(uow)
        assert new_pid != pid
        _starts_clean(units, projects, observer, new_pid)
    finally:
        _close(units, observer, proxy)


def test_row_locks_and_isolation_levels_keep_their_meaning(databases):
    """SELECT ... FOR UPDATE as a unit's first statement holds its lock until the
    commit; a connection given an isolation level runs in it (REPEATABLE READ: one
    snapshot; AUTOCOMMIT: each statement its own transaction); then the connection goes
    back to beginning with its first statement, at the database's default level."""
    units, queries, proxy, observer, projects = _proxied_units(databases)
    with observer.begin() as connection:
        connection.execute(projects.insert().values(id="p1", title="Verger"))

    def locked_from_outside():
        with observer.connect() as connection:
            try:
                connection.execute(sa.select(projects.c.id).where(projects.c.id == "p1")
                                   .with_for_update(nowait=True))
            except sa.exc.OperationalError as exc:
                assert "could not obtain lock" in str(exc)
                return True
            return False
    try:
        with units() as uow:
            uow.session.execute(sa.select(projects.c.title).where(projects.c.id == "p1")
                                .with_for_update()).one()
            assert locked_from_outside()
        assert not locked_from_outside()
        assert queries.texts()[0].startswith("BEGIN;SELECT known_projects.title")

        with units.engine.connect().execution_options(
                isolation_level="REPEATABLE READ") as connection:
            level = connection.exec_driver_sql("SHOW transaction_isolation").scalar()
            before = connection.execute(sa.select(projects.c.title)).scalar()  # the snapshot
            with observer.begin() as outside:
                outside.execute(projects.update().values(title="Rucher"))
            seen = connection.execute(sa.select(projects.c.title)).scalar()
        assert (level, before, seen) == ("repeatable read", "Verger", "Verger")

        with units.engine.connect().execution_options(
                isolation_level="AUTOCOMMIT") as connection:
            connection.execute(projects.insert().values(id="p2", title="Mare"))
            assert _titles(observer, projects) == ["p1", "p2"]  # before the block ends
            connection.exec_driver_sql("VACUUM known_projects")  # refused in a transaction

        queries.clear()
        with units() as uow:
            level = uow.session.execute(sa.text("SHOW transaction_isolation")).scalar()
        assert level == "read committed"
        assert queries.texts() == ["BEGIN;SHOW transaction_isolation", "COMMIT"]
    finally:
        _close(units, observer, proxy)
