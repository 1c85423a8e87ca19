"""What every nameko service class is made of, beyond its own entrypoints."""
import base64
import json
import logging
import time
from datetime import timedelta

import sqlalchemy as sa
from nameko.dependency_providers import Config
from nameko.extensions import DependencyProvider
from nameko.timer import timer

from shared.database import UnitsOfWork, create_engine
from shared.errors import DomainError, conflict, not_found
from shared.inbox import Undecodable, accepted_content_types, apply_once
from shared.logs import correlation_id, new_correlation_id
from shared.messaging import MessagingTables
from shared.outbox import OutboxRelay
from shared.rpc import rpc
from shared.sqltypes import utcnow

log = logging.getLogger(__name__)


class Database(DependencyProvider):
    """Gives each worker `self.db`: `with self.db() as uow:` opens a unit of work on the
    service's own database. Owns the engine and the service's outbox relay."""

    def __init__(self, tables: MessagingTables):
        self.tables = tables

    def setup(self):
        config = self.container.config
        self.engine = create_engine(config["DATABASE_URL"], pool_size=config["max_workers"] + 2)
        self.relay = OutboxRelay(
            self.engine, self.tables.outbox, config["AMQP_URI"],
            poll_interval=config.get("OUTBOX_POLL_INTERVAL", 1.0),
            batch_size=config.get("OUTBOX_BATCH_SIZE", 200),
        )
        self.units = UnitsOfWork(self.engine, self.tables, self.container.service_name,
                                 on_emitted=self.relay.wake)

    def start(self):
        self._relay_thread = self.container.spawn_managed_thread(self.relay.run)

    def stop(self):
        self.relay.stop()
        self._relay_thread.wait()
        self.engine.dispose()

    def kill(self):
        self.relay.stop()
        self.engine.dispose()

    def get_dependency(self, worker_ctx):
        return self.units


class Clock(DependencyProvider):
    """Gives each worker `self.clock()`, the current UTC time. Rules that run on calendar
    time (deadlines, reflection periods) read it here, so a test can move time instead
    of sleeping (nameko's worker_factory and replace_dependencies take a stand-in)."""

    def get_dependency(self, worker_ctx):
        return utcnow


class WorkerContext(DependencyProvider):
    """Puts the caller's correlation id in every log line and every call onwards, and
    logs each entrypoint run with its outcome and duration."""

    def worker_setup(self, worker_ctx):
        cid = worker_ctx.data.get("correlation_id") or new_correlation_id()
        worker_ctx.data["correlation_id"] = cid  # forwarded by nameko to calls it makes
        correlation_id.set(cid)
        worker_ctx.started_at = time.perf_counter()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        elapsed_ms = round((time.perf_counter() - worker_ctx.started_at) * 1000, 2)
        outcome = "ok"
        if exc_info is not None:
            outcome = exc_info[1].code if isinstance(exc_info[1], DomainError) else "error"
        level = logging.ERROR if outcome == "error" else logging.INFO
        log.log(level, "entrypoint finished", exc_info=exc_info if outcome == "error" else None,
                extra={"entrypoint": f"{worker_ctx.service_name}."
                                     f"{worker_ctx.entrypoint.method_name}",
                       "outcome": outcome, "duration_ms": elapsed_ms})


# How long each kind of bookkeeping row is kept.
RETENTION = {
    "outbox": timedelta(days=7),           # published rows only
    "idempotency_keys": timedelta(hours=48),  # clients may retry for 24 hours
    "inbox": timedelta(days=30),           # far beyond any redelivery
}


class ServiceBase:
    """Every service declares `name` and `db = Database(models.messaging)`, and inherits
    the entrypoints an operator needs from all of them."""

    context = WorkerContext()
    config = Config()

    @rpc
    def ping(self):
        """The service answers; whether its own database does is said apart, so that a
        readiness probe names the database that is down rather than the service."""
        try:
            with self.db.read() as session:
                session.execute(sa.text("SELECT 1"))
        except sa.exc.SQLAlchemyError as exc:
            log.warning("database unavailable", extra={"error": str(exc).splitlines()[0]})
            return {"service": self.name, "status": "degraded", "database": "down"}
        return {"service": self.name, "status": "ok", "database": "ok"}

    @timer(interval=3600)
    def housekeeping(self):
        """Prune bookkeeping rows past their retention; idempotent, so every replica may."""
        tables, now = self.db.tables, utcnow()
        with self.db() as uow:
            uow.session.execute(tables.outbox.delete().where(
                tables.outbox.c.published_at < now - RETENTION["outbox"]))
            uow.session.execute(tables.idempotency_keys.delete().where(
                tables.idempotency_keys.c.created_at < now - RETENTION["idempotency_keys"]))
            uow.session.execute(tables.inbox.delete().where(
                tables.inbox.c.received_at < now - RETENTION["inbox"]))

    @rpc
    def dead_letters(self, include_replayed=False):
        table = self.db.tables.dead_letters
        query = sa.select(table).order_by(table.c.id)
        if not include_replayed:
            query = query.where(table.c.replayed_at.is_(None))
        with self.db.read() as session:
            rows = session.execute(query).mappings().all()
        return [{**row, "failed_at": row["failed_at"].isoformat(),
                 "replayed_at": row["replayed_at"] and row["replayed_at"].isoformat(),
                 "undecodable": row["raw_body"] is not None,
                 "raw_body": row["raw_body"] and base64.b64encode(row["raw_body"]).decode()}
                for row in rows]

    @rpc
    def replay_dead_letter(self, dead_letter_id):
        """Run the failed handler again on the stored event (a message that could not be
        decoded is decoded again first); the outcome is returned."""
        table = self.db.tables.dead_letters
        with self.db.read() as session:
            row = session.execute(sa.select(table).where(table.c.id == dead_letter_id)).first()
        if row is None:
            raise not_found("dead_letter", dead_letter_id)
        if row.replayed_at is not None:
            raise conflict("dead_letter_already_replayed",
                           f"Dead letter {dead_letter_id} was replayed already.")
        method_name = row.consumer.split(".", 1)[1]
        handler = getattr(type(self), method_name).applies
        if row.raw_body is None:
            body = json.loads(row.body)
        else:
            body = Undecodable(row.raw_body, row.content_type, row.content_encoding,
                               row.exchange, row.routing_key, row.error) \
                .again(accepted_content_types(self.config))
        outcome = apply_once(self, handler, body)
        with self.db() as uow:
            uow.session.execute(table.update().where(table.c.id == dead_letter_id)
                                .values(replayed_at=utcnow()))
        return {"id": dead_letter_id, "outcome": outcome}
