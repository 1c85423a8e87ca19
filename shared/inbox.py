"""Event entrypoints that apply each event once, and never drop one.

nameko acknowledges an event even when its handler raises. So the handler runs inside
a guard: it records the event id in the inbox in the same transaction as its effect (a
redelivered event is then a no-op), retries transient database errors a few times,
and puts an event it cannot apply in the dead_letters table, from where an operator
replays it. Only when even that write fails (the database is away) is the message
requeued, after a pause, to be tried again.

A message that cannot even be decoded (invalid JSON, a content type we do not accept)
never reaches a handler in plain nameko: kombu's consumer logs it and acks it, and it
is gone. Our consumers hand it to the same guard as an `Undecodable`, which keeps it in
the dead letters as it arrived (raw bytes, content type and encoding, exchange and
routing key); a replay decodes those bytes again, the same way.
"""
import functools
import json
import logging
import time
from dataclasses import dataclass

from kombu.exceptions import ContentDisallowed, DecodeError
from kombu.serialization import loads, prepare_accept_content
from marshmallow import ValidationError
from nameko import serialization
from nameko.events import EventHandler
from nameko.messaging import Consumer, QueueConsumer
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

import shared.json_codec  # noqa: F401  (registers kombu's json, decoded faster)
from shared.envelope import MissingField, describe, read_envelope
from shared.logs import correlation_id
from shared.sqltypes import utcnow
from shared.topology import queue_type_of, typed

log = logging.getLogger(__name__)

TRANSIENT = (OperationalError, PoolTimeout)
RETRY_DELAYS = (0.05, 0.2, 1.0)


def consumer_name(service_name, method_name):
    return f"{service_name}.{method_name}"


def _guarded(fn, claims_itself=False):
    fn.claims_itself = claims_itself

    @functools.wraps(fn)
    def handle(self, body):
        return apply_once(self, fn, body)

    handle.applies = fn
    return handle


@dataclass(frozen=True)
class Undecodable:
    """A message as it arrived, which no handler can read, and why."""

    raw: bytes
    content_type: str | None
    content_encoding: str | None
    exchange: str | None
    routing_key: str | None
    error: str

    @classmethod
    def of(cls, message, exc):
        info = message.delivery_info or {}
        body = message.body
        if isinstance(body, str):  # py-amqp decoded it with its content encoding: undone
            body = body.encode(message.content_encoding)
        return cls(body, message.content_type or None,
                   message.content_encoding or None, info.get("exchange"),
                   info.get("routing_key"), f"{type(exc).__name__}: {exc}")

    def again(self, accepted):
        """The body decoded anew (an operator may have fixed the cause), or an
        Undecodable saying why not, still."""
        try:
            return decode(self.raw, self.content_type, self.content_encoding, accepted)
        except (ContentDisallowed, DecodeError) as exc:
            return type(self)(self.raw, self.content_type, self.content_encoding,
                              self.exchange, self.routing_key, f"{type(exc).__name__}: {exc}")


def accepted_content_types(config) -> set:
    """The content types a service decodes (nameko's serializer and `accept` settings)."""
    return prepare_accept_content(serialization.setup(config)[1])


def refuse_undecodable(raw: bytes, content_type, accepted) -> None:
    """What kombu lets through undecoded, no handler of ours can read: an empty body, or
    a content type kombu trusts (application/data, application/text) but we don't."""
    if content_type not in accepted:
        raise ContentDisallowed(f"content type {content_type!r} is not accepted "
                                f"(only {', '.join(sorted(accepted))})")
    if not raw:
        raise DecodeError("empty body")


def decode(raw: bytes, content_type, content_encoding, accepted):
    """Decode a message's body as our consumers do: kombu's decoding, then our refusals."""
    body = loads(raw, content_type, content_encoding, accept=accepted)
    refuse_undecodable(raw, content_type, accepted)
    return body


class DeadLetteringQueueConsumer(QueueConsumer):
    """nameko's queue consumer, except that a message it cannot decode goes to its
    entrypoint as an `Undecodable` (to be dead-lettered by the guard, then acked, or
    requeued if even that fails), where kombu would log it, ack it, and lose it."""

    def setup(self):
        super().setup()
        self.accepted = accepted_content_types(self.container.config)

    def get_consumers(self, consumer_cls, channel):
        consumers = super().get_consumers(consumer_cls, channel)
        for provider, consumer in self._consumers.items():
            consumer.on_decode_error = functools.partial(self._undecodable, provider)
        return consumers

    def handle_message(self, provider, body, message):
        try:
            refuse_undecodable(message.body, message.content_type, self.accepted)
        except (ContentDisallowed, DecodeError) as exc:
            body = Undecodable.of(message, exc)
        super().handle_message(provider, body, message)

    def _undecodable(self, provider, message, exc):
        super().handle_message(provider, Undecodable.of(message, exc), message)


class GuardedEventHandler(EventHandler):
    """Its durable queue of the type the service's config says (AMQP_QUEUE_TYPE), as
    shared.topology declares it."""

    queue_consumer = DeadLetteringQueueConsumer()

    def setup(self):
        super().setup()  # the queue is consumed, hence declared, once the service starts
        self.queue = typed(self.queue, queue_type_of(self.container.config))


class GuardedConsumer(Consumer):
    queue_consumer = DeadLetteringQueueConsumer()

    def setup(self):
        self.queue = typed(self.queue, queue_type_of(self.container.config))
        super().setup()


def apply_once(service, fn, body):
    """Apply `fn(service, uow, envelope)` to `body` at most once per consumer."""
    consumer = consumer_name(service.name, fn.__name__)
    if isinstance(body, Undecodable):
        return _dead_letter(service, consumer, body, None, f"undecodable message: {body.error}")
    try:
        envelope = read_envelope(body)
    except ValidationError as exc:
        return _dead_letter(service, consumer, body, None, f"not an envelope: {exc.messages}")
    if envelope["correlation_id"]:
        correlation_id.set(envelope["correlation_id"])
    for delay in (*RETRY_DELAYS, None):
        try:
            with service.db() as uow:
                if getattr(fn, "claims_itself", False):
                    first = _claimed_by(fn, service, uow, consumer, envelope)
                else:
                    first = uow.first_delivery(consumer, envelope["event_id"])
                    if first:
                        fn(service, uow, envelope)
                if not first:
                    log.info("duplicate event ignored",
                             extra={"event_id": str(envelope["event_id"]), "consumer": consumer})
                    return "duplicate"
            return "applied"
        except TRANSIENT:
            if delay is None:
                raise  # the database is away: let nameko requeue it
            time.sleep(delay)
        except Exception as exc:
            error = str(exc) if isinstance(exc, MissingField) \
                else f"{describe(envelope)}: {type(exc).__name__}: {exc}"
            return _dead_letter(service, consumer, body, envelope["event_id"], error)


def _claimed_by(fn, service, uow, consumer, envelope) -> bool:
    """Run a handler that claims its own delivery, with its first statement
    (UnitOfWork.first_delivery_with): True if this was the first delivery. A handler
    that never claimed is a bug: its effect would not be applied once."""
    uow.delivery = (consumer, envelope["event_id"])
    fn(service, uow, envelope)
    if uow.first is None:
        raise RuntimeError(f"{consumer} claims its deliveries itself but did not claim this one")
    return uow.first


def _dead_letter(service, consumer, body, event_id, error):
    log.error("event dead-lettered", extra={"consumer": consumer, "error": error,
                                            "event_id": event_id and str(event_id)})
    if isinstance(body, Undecodable):
        kept = {"raw_body": body.raw, "content_type": body.content_type,
                "content_encoding": body.content_encoding, "exchange": body.exchange,
                "routing_key": body.routing_key}
    else:
        kept = {"body": json.dumps(body, default=str)}
    try:
        with service.db() as uow:
            uow.session.execute(service.db.tables.dead_letters.insert().values(
                consumer=consumer, event_id=str(event_id) if event_id else None,
                error=error[:4000], failed_at=utcnow(), **kept,
            ))
    except TRANSIENT:
        time.sleep(RETRY_DELAYS[-1])
        raise
    return "dead_lettered"


def subscribe(source_service: str, event_type: str):
    """`@subscribe("projects", "project_submitted")` on `def handler(self, uow, envelope)`."""
    def decorate(fn):
        return GuardedEventHandler.decorator(source_service, event_type,
                                             requeue_on_error=True)(_guarded(fn))
    return decorate


def consume_queue(queue, claims_itself=False):
    """Like `subscribe`, for a queue declared by shared.topology (reporting's archive).
    `claims_itself`: the handler records its delivery in the inbox itself, with its own
    first write, in one statement (UnitOfWork.first_delivery_with), and writes nothing
    else when that says the event came before."""
    def decorate(fn):
        return GuardedConsumer.decorator(queue, requeue_on_error=True)(
            _guarded(fn, claims_itself))
    return decorate
