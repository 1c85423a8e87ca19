"""Engines, and the unit of work a service's entrypoints write through.

A unit of work is one database transaction: the state change and the outbox rows of
the events it emits commit together or not at all. It commits inside the entrypoint
(nameko sends an RPC reply before dependency teardown runs), then wakes the relay.
"""
import hashlib
import json
import time
from contextlib import contextmanager
from functools import lru_cache
from types import SimpleNamespace

import sqlalchemy as sa
from psycopg2.extensions import TRANSACTION_STATUS_IDLE
from sqlalchemy.dialects import postgresql, registry, sqlite
from sqlalchemy.dialects.postgresql.psycopg2 import PGDialect_psycopg2
from sqlalchemy.orm import Session, sessionmaker

from shared.envelope import EventSpec, make_envelope
from shared.errors import INVALID, DomainError, not_found, version_conflict
from shared.logs import correlation_id
from shared.messaging import MessagingTables
from shared.sqltypes import utcnow


def is_sqlite(url) -> bool:
    return str(url).startswith("sqlite")


def with_driver(url: str) -> str:
    """PostgreSQL URLs use psycopg2, the driver eventlet makes cooperative under
    eventlet (SQLAlchemy 2.1 would pick psycopg 3 for a bare `postgresql://`)."""
    for prefix in ("postgresql://", "postgres://"):
        if str(url).startswith(prefix):
            return "postgresql+psycopg2://" + str(url)[len(prefix):]
    return str(url)


# A pooled connection idle for longer than this is pinged before use (see below).
PING_AFTER_IDLE_SECONDS = 2.0


# An execution option: this statement is a transaction of its own (autocommitted), sent
# without BEGIN; it must be its unit of work's first (UnitOfWork.first_delivery_with).
OWN_TRANSACTION = "own_transaction"


class BeginWithFirstStatement(PGDialect_psycopg2):
    """psycopg2, with a transaction's BEGIN sent in the same round trip as its first
    statement.

    psycopg2 sends BEGIN alone before a transaction's first statement: a round trip of
    its own. Here psycopg2's connection stays in autocommit (it sends nothing of its
    own) and the first statement goes as `BEGIN;<statement>`: PostgreSQL runs both from
    one simple-protocol query and answers the last one's result. COMMIT and ROLLBACK are
    then sent here, when the server says a transaction is open (libpq's transaction
    status, which also tells an aborted one). A connection SQLAlchemy gave an isolation
    level keeps psycopg2's own behaviour: AUTOCOMMIT (no BEGIN at all), or any other
    level, for which psycopg2 leaves autocommit and sends its BEGIN ISOLATION LEVEL."""

    supports_statement_cache = True

    def on_connect(self):
        configure = super().on_connect()

        def on_connect(dbapi_connection):
            if configure is not None:
                configure(dbapi_connection)
            dbapi_connection.autocommit = True
        return on_connect

    @staticmethod
    def _opens_transaction(cursor, context) -> bool:
        """The statement is its transaction's first: BEGIN goes with it."""
        connection = cursor.connection
        if not connection.autocommit \
                or connection.get_transaction_status() != TRANSACTION_STATUS_IDLE:
            return False  # psycopg2 begins (an isolation level), or a transaction is open
        options = context.execution_options if context is not None else {}
        return options.get("isolation_level") is None and not options.get(OWN_TRANSACTION)

    def do_execute(self, cursor, statement, parameters, context=None):
        if self._opens_transaction(cursor, context):
            statement = "BEGIN;" + statement
        cursor.execute(statement, parameters)

    def do_execute_no_params(self, cursor, statement, context=None):
        if self._opens_transaction(cursor, context):
            statement = "BEGIN;" + statement
        cursor.execute(statement)

    def do_executemany(self, cursor, statement, parameters, context=None):
        if self._opens_transaction(cursor, context):
            cursor.execute("BEGIN")  # a statement run many times: BEGIN on its own
        super().do_executemany(cursor, statement, parameters, context)

    def do_commit(self, dbapi_connection):
        if dbapi_connection.autocommit:
            self._end_transaction(dbapi_connection, "COMMIT")
        else:
            super().do_commit(dbapi_connection)

    def do_rollback(self, dbapi_connection):
        if dbapi_connection.autocommit:
            self._end_transaction(dbapi_connection, "ROLLBACK")
        else:
            super().do_rollback(dbapi_connection)

    @staticmethod
    def _end_transaction(dbapi_connection, command):
        # psycopg2's commit() and rollback() send nothing in autocommit. IDLE: nothing
        # was begun (no statement, or only autocommitted ones), nothing to end.
        if dbapi_connection.get_transaction_status() != TRANSACTION_STATUS_IDLE:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute(command)
            finally:
                cursor.close()

    def reset_isolation_level(self, dbapi_conn):
        """A connection back from an isolation level goes back to the pool in autocommit,
        set on psycopg2's connection directly (that sends nothing). Switching levels
        costs psycopg2 a `SET default_transaction_isolation TO DEFAULT` at times: only
        on a connection given a level, which no service's code does."""
        super().reset_isolation_level(dbapi_conn)
        dbapi_conn.autocommit = True


registry.register("postgresql.psycopg2_begin_with_first", __name__, "BeginWithFirstStatement")


def create_engine(url: str, pool_size: int = 5) -> sa.Engine:
    url = with_driver(url)
    if not is_sqlite(url):
        url = sa.make_url(url).set(drivername="postgresql+psycopg2_begin_with_first")
        engine = sa.create_engine(url, pool_size=pool_size, max_overflow=2, pool_timeout=10)
        _ping_when_idle(engine, PING_AFTER_IDLE_SECONDS)
        return engine
    # SQLite is the zero-setup default for one process. One connection per process: a
    # second one would wait for the file lock in C, freezing every green thread, including
    # the one that holds the lock. Every transaction takes the write lock up front
    # (BEGIN IMMEDIATE) so that a read-then-write can't race another process.
    engine = sa.create_engine(
        url, pool_size=1, max_overflow=0, pool_timeout=30,
        connect_args={"check_same_thread": False, "timeout": 30},
    )

    @sa.event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _ping_when_idle(engine, idle_seconds):
    """Pessimistic disconnect handling, for connections that sat idle in the pool only.

    `pool_pre_ping` costs a round trip on every checkout: under load, one more query per
    unit of work. A connection handed back a moment ago is alive, or its server went
    away in that moment, when the request would fail the same way with a ping (and the
    error invalidates every pooled connection at once). So only a connection idle for
    longer is pinged; a dead one is replaced before use (DisconnectionError makes the
    pool connect afresh), as `pool_pre_ping` would."""

    @sa.event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection, record):
        if record is not None:
            record.info["returned_at"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy):
        returned_at = record.info.get("returned_at")
        if returned_at is None or time.monotonic() - returned_at < idle_seconds:
            return  # new, or busy a moment ago
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            if engine.dialect.is_disconnect(exc, dbapi_connection, None):
                raise sa.exc.DisconnectionError() from exc
            raise
        if not alive:
            raise sa.exc.DisconnectionError()


def upsertable_insert(session_or_conn, table: sa.Table):
    """An INSERT that takes ON CONFLICT clauses, in the session's own dialect."""
    return dialect_insert(session_or_conn.get_bind().dialect.name, table)


def dialect_insert(dialect_name: str, table: sa.Table):
    """The same, for a dialect named: to build a statement once and run it many times."""
    return (postgresql.insert if dialect_name == "postgresql" else sqlite.insert)(table)


def insert_ignoring_duplicate(session_or_conn, table: sa.Table, values: dict) -> bool:
    """Insert a row unless its key exists; True if inserted. Concurrent inserters of one
    key wait for each other, and exactly one of them gets True."""
    insert = _ignoring_duplicate(session_or_conn.get_bind().dialect.name, table,
                                 tuple(values))
    return session_or_conn.execute(insert, values).rowcount == 1


@lru_cache(maxsize=128)
def _ignoring_duplicate(dialect_name, table, columns):
    """The INSERT ... ON CONFLICT DO NOTHING of these columns, built (and so compiled)
    once, run with each row's values as parameters."""
    return dialect_insert(dialect_name, table).values(
        {name: sa.bindparam(name, type_=table.c[name].type) for name in columns}
    ).on_conflict_do_nothing()


@lru_cache(maxsize=16)
def _claim_reading(keys, columns, table):
    """PostgreSQL: claim an idempotency key (INSERT ... ON CONFLICT DO NOTHING, in a
    CTE) and read the row of `table` whose id is :read_id, in one statement. One row
    always: (claimed, *the row's columns, all NULL when there is no such row)."""
    claim = (postgresql.insert(keys)
             .values({name: sa.bindparam(name, type_=keys.c[name].type) for name in columns})
             .on_conflict_do_nothing().returning(keys.c.key).cte("claimed"))
    one = sa.select(sa.literal(1).label("one")).subquery("one")
    return (sa.select(sa.exists(sa.select(claim.c.key)).label("claimed"), *table.c)
            .select_from(one.outerjoin(table, table.c.id == sa.bindparam("read_id"))))


OUTBOX_COLUMNS = ("event_id", "exchange", "routing_key", "payload", "correlation_id",
                  "occurred_at")


@lru_cache(maxsize=32)
def _outbox_insert(outbox, along=None, columns=()):
    """The outbox row's INSERT, built once; with `along` (a table) and its `columns`,
    that table's row inserted by the same statement first (PostgreSQL: a data-modifying
    CTE runs once, to completion, whether or not the statement reads it). The row's
    parameters are named along_<column>."""
    insert = outbox.insert().values({name: sa.bindparam(name, type_=outbox.c[name].type)
                                     for name in OUTBOX_COLUMNS})
    if along is None:
        return insert
    written = postgresql.insert(along).values(
        {name: sa.bindparam(f"along_{name}", type_=along.c[name].type) for name in columns})
    return insert.add_cte(written.cte("along"))


@lru_cache(maxsize=32)
def _claiming_insert(inbox, table, columns):
    """PostgreSQL: the inbox's claim and an insert ignoring a duplicate, in one statement
    (two data-modifying CTEs); the insert runs only if the claim did. Answers (claimed,
    inserted)."""
    claim = (postgresql.insert(inbox)
             .values({name: sa.bindparam(f"inbox_{name}", type_=inbox.c[name].type)
                      for name in ("consumer", "event_id", "received_at")})
             .on_conflict_do_nothing().returning(inbox.c.event_id).cte("claimed"))
    row = sa.select(*(sa.bindparam(name, type_=table.c[name].type) for name in columns)) \
        .where(sa.exists(sa.select(claim.c.event_id)))
    inserted = (postgresql.insert(table).from_select(list(columns), row)
                .on_conflict_do_nothing().returning(*table.primary_key.columns)
                .cte("inserted"))
    return sa.select(sa.exists(sa.select(claim.c.event_id)),
                     sa.exists(sa.select(*inserted.c)))


def fingerprint(request) -> str:
    """A stable digest of a command's input, to tell a retry from a different request."""
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def row_values(row) -> dict:
    """An ORM row's column values, as a dict (to dump with extra keys, or to copy)."""
    return {column.key: getattr(row, column.key) for column in sa.inspect(row).mapper.column_attrs}


def keep_newest(session, table: sa.Table, values: dict, version: int, key=("id",)) -> None:
    """Insert the row of `values`, or update it unless it holds `version` or a later one
    (in its `version` column; NULL: none known yet). A copy another service keeps from
    events that may arrive out of order ends with the latest edit's values."""
    insert = upsertable_insert(session, table).values(**values, version=version)
    session.execute(insert.on_conflict_do_update(
        index_elements=list(key),
        set_={name: insert.excluded[name] for name in (*values, "version") if name not in key},
        where=sa.or_(table.c.version.is_(None), table.c.version < insert.excluded.version)))


def get_or_not_found(session: Session, model, entity_id, entity: str, for_update=False):
    """The row of `model` with this id, or the DomainError a client reads as a 404."""
    row = session.get(model, str(entity_id), with_for_update=for_update)
    if row is None:
        raise not_found(entity, entity_id)
    return row


def update_versioned(session: Session, model, entity_id, entity: str, expected_version: int,
                     changes: dict):
    """Apply `changes` to the row if it is still at `expected_version`, and bump its
    `version`; otherwise a version_conflict naming the current one. The row is locked
    while checked, so two editors of one version cannot both win."""
    row = get_or_not_found(session, model, entity_id, entity, for_update=True)
    if row.version != expected_version:
        raise version_conflict(entity, entity_id, row.version)
    for name, value in changes.items():
        setattr(row, name, value)
    row.version = expected_version + 1
    return row


class UnitOfWork:
    """One transaction of a service: its ORM session plus the events it emits."""

    def __init__(self, session: Session, tables: MessagingTables, source: str):
        self.session = session
        self._tables = tables
        self._source = source
        self.emitted = []
        self._idempotency_claim = None
        self.delivery = None  # (consumer, event_id) a handler that claims itself claims
        self.first = None     # whether it was the first delivery, once claimed
        self.read_with_claim = None  # the row replay_or_claim(reading=...) read

    def emit(self, spec: EventSpec, data: dict, along=None) -> dict:
        """Record an event in the outbox, in this transaction. `along`: (table, values),
        a row this event tells of, inserted first; on PostgreSQL in the same statement
        (a data-modifying CTE): one round trip fewer (the pledge's contribution)."""
        if spec.source != self._source:
            raise ValueError(f"{self._source} cannot emit {spec.type}")
        envelope = make_envelope(spec, data, correlation_id.get())
        # On the session's connection (its transaction), in Core: a table's INSERT needs
        # none of the ORM's execution, and its values are bound parameters. The session
        # is flushed first, as session.execute would (nothing to do on a Core path).
        self.session.flush()
        connection = self.session.connection()
        row = {
            "event_id": envelope["event_id"],
            "exchange": f"{spec.source}.events",
            "routing_key": spec.name,
            "payload": json.dumps(envelope, separators=(",", ":")),
            "correlation_id": envelope["correlation_id"],
            "occurred_at": utcnow(),
        }
        if along is None:
            connection.execute(_outbox_insert(self._tables.outbox), row)
        elif connection.dialect.name == "postgresql":
            table, values = along
            connection.execute(_outbox_insert(self._tables.outbox, table, tuple(values)),
                               {**row, **{f"along_{name}": value
                                          for name, value in values.items()}})
        else:
            connection.execute(along[0].insert(), along[1])
            connection.execute(_outbox_insert(self._tables.outbox), row)
        self.emitted.append(envelope)
        return envelope

    def replay_or_claim(self, scope: str, key: str, request, answer=None, reading=None):
        """Claim `key` for this command, in this transaction; or, when the key has run
        already, return its stored answer. Concurrent holders of one key wait for the
        first to commit. A key reused with a different request is refused. A command
        that knows its answer before it runs (the id it will create) passes it as
        `answer`: stored with the claim, it needs no `remember` afterwards.

        `reading`: (table, id), a row the command reads first, read by the claim's own
        statement on PostgreSQL (one round trip for both), without a lock and in that
        statement's snapshot; it is then in `self.read_with_claim` (None if there is
        none, or when the key had run: the command does not run again)."""
        table = self._tables.idempotency_keys
        digest = fingerprint(request)
        values = {
            "scope": scope, "key": key, "fingerprint": digest, "created_at": utcnow(),
            **({"response": json.dumps(answer, default=str)} if answer is not None else {}),
        }
        self.read_with_claim = None
        if reading is not None and self.session.get_bind().dialect.name == "postgresql":
            read_table, row_id = reading
            found = self.session.connection().execute(
                _claim_reading(table, tuple(values), read_table),
                {**values, "read_id": str(row_id)}).one()
            claimed, row = found[0], dict(zip(read_table.c.keys(), found[1:], strict=True))
            if claimed and row["id"] is not None:
                self.read_with_claim = SimpleNamespace(**row)
        else:
            claimed = insert_ignoring_duplicate(self.session, table, values)
            if claimed and reading is not None:
                read_table, row_id = reading
                found = self.session.connection().execute(
                    sa.select(read_table).where(read_table.c.id == str(row_id))
                ).mappings().first()
                self.read_with_claim = found and SimpleNamespace(**found)
        if claimed:
            self._idempotency_claim = (scope, key)
            return None
        row = self.session.execute(
            sa.select(table.c.fingerprint, table.c.response)
            .where(table.c.scope == scope, table.c.key == key)
        ).one()
        if row.fingerprint != digest:
            raise DomainError(INVALID, "idempotency_key_reused",
                              "This Idempotency-Key was already used with a different request.")
        return json.loads(row.response)

    def remember(self, response):
        """Store the answer of the command claimed with `replay_or_claim`."""
        scope, key = self._idempotency_claim
        table = self._tables.idempotency_keys
        self.session.execute(
            table.update().where(table.c.scope == scope, table.c.key == key)
            .values(response=json.dumps(response, default=str))
        )
        return response

    def first_delivery(self, consumer: str, event_id) -> bool:
        """Record that `consumer` applies `event_id` now; False if it already did."""
        return insert_ignoring_duplicate(
            self.session, self._tables.inbox,
            {"consumer": consumer, "event_id": str(event_id), "received_at": utcnow()},
        )

    def first_delivery_with(self, table: sa.Table, values: dict, alone: bool = False) -> bool:
        """For a handler that claims its own delivery (shared.inbox, `claims_itself`):
        record the delivery apply_once hands it (`self.delivery`, a consumer and an
        event id) in the inbox, and insert `values` into `table` unless its key exists,
        in one statement on PostgreSQL. True if the row was inserted; False if the event
        was delivered before (then nothing was written: the handler returns) or the row
        existed. `self.first` tells apply_once which.

        `alone`: the handler writes nothing else in this unit of work. On PostgreSQL the
        one statement is then its own transaction (autocommit): no BEGIN and no COMMIT,
        one round trip fewer for each event a consumer only records (reporting's
        archive of a pledge). It must be the unit's first statement."""
        consumer, event_id = self.delivery
        claim = {"consumer": consumer, "event_id": str(event_id), "received_at": utcnow()}
        if self.session.get_bind().dialect.name != "postgresql":
            self.first = insert_ignoring_duplicate(self.session, self._tables.inbox, claim)
            return self.first and insert_ignoring_duplicate(self.session, table, values)
        if alone and self.session.in_transaction():
            raise RuntimeError("a statement alone must be its unit of work's first")
        statement = _claiming_insert(self._tables.inbox, table, tuple(values))
        # Alone, it is sent without BEGIN (BeginWithFirstStatement), and the commit then
        # finds no transaction to end: it sends nothing.
        self.first, inserted = self.session.execute(statement, {
            **{f"inbox_{name}": value for name, value in claim.items()}, **values},
            execution_options={OWN_TRANSACTION: alone}).one()
        return inserted


class UnitsOfWork:
    """Opens units of work on one database; `on_emitted` runs after a commit that emitted."""

    def __init__(self, engine: sa.Engine, tables: MessagingTables, source: str, on_emitted=None):
        self.engine = engine
        self.tables = tables
        self.source = source
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._on_emitted = on_emitted

    @contextmanager
    def __call__(self):
        session = self._sessions()
        uow = UnitOfWork(session, self.tables, self.source)
        try:
            yield uow
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
        if uow.emitted and self._on_emitted:
            self._on_emitted()

    @contextmanager
    def read(self):
        """A session for reads only; nothing is committed. Rows read stay usable after
        the block (closing detaches them without expiring them)."""
        session = self._sessions()
        try:
            yield session
        finally:
            session.close()
