"""Event entrypoints that apply each event once, and never drop one.

nameko acknowledges an event even when its handler raises. So the handler runs inside
a guard: it records the event id in the inbox in the same transaction as its effect (a
redelivered event is then a no-op), retries transient database errors a few times,
and puts an event it cannot apply in the dead_letters table, from where an operator
replays it. Only when even that write fails (the database is away) is the message
requeued, after a pause, to be tried again.
"""
import functools
import json
import logging
import time

from marshmallow import ValidationError
from nameko.events import event_handler
from nameko.messaging import consume
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from shared.envelope import read_envelope
from shared.logs import correlation_id
from shared.sqltypes import utcnow

log = logging.getLogger(__name__)

TRANSIENT = (OperationalError, PoolTimeout)
RETRY_DELAYS = (0.05, 0.2, 1.0)


def consumer_name(service_name, method_name):
    return f"{service_name}.{method_name}"


def _guarded(fn):
    @functools.wraps(fn)
    def handle(self, body):
        return apply_once(self, fn, body)

    handle.applies = fn
    return handle


def apply_once(service, fn, body):
    """Apply `fn(service, uow, envelope)` to `body` at most once per consumer."""
    consumer = consumer_name(service.name, fn.__name__)
    try:
        envelope = read_envelope(body)
    except ValidationError as exc:
        return _dead_letter(service, consumer, body, None, f"not an envelope: {exc.messages}")
    if envelope["correlation_id"]:
        correlation_id.set(envelope["correlation_id"])
    for delay in (*RETRY_DELAYS, None):
        try:
            with service.db() as uow:
                if not uow.first_delivery(consumer, envelope["event_id"]):
                    log.info("duplicate event ignored",
                             extra={"event_id": str(envelope["event_id"]), "consumer": consumer})
                    return "duplicate"
                fn(service, uow, envelope)
            return "applied"
        except TRANSIENT:
            if delay is None:
                raise  # the database is away: let nameko requeue it
            time.sleep(delay)
        except Exception as exc:
            return _dead_letter(service, consumer, body, envelope["event_id"],
                                f"{type(exc).__name__}: {exc}")


def _dead_letter(service, consumer, body, event_id, error):
    log.error("event dead-lettered", extra={"consumer": consumer, "error": error})
    try:
        with service.db() as uow:
            uow.session.execute(service.db.tables.dead_letters.insert().values(
                consumer=consumer, event_id=str(event_id) if event_id else None,
                body=json.dumps(body, default=str), error=error[:4000], failed_at=utcnow(),
            ))
    except TRANSIENT:
        time.sleep(RETRY_DELAYS[-1])
        raise
    return "dead_lettered"


def subscribe(source_service: str, event_type: str):
    """`@subscribe("projects", "project_submitted")` on `def handler(self, uow, envelope)`."""
    def decorate(fn):
        return event_handler(source_service, event_type, requeue_on_error=True)(_guarded(fn))
    return decorate


def consume_queue(queue):
    """Like `subscribe`, for a queue declared by shared.topology (reporting's archive)."""
    def decorate(fn):
        return consume(queue, requeue_on_error=True)(_guarded(fn))
    return decorate
