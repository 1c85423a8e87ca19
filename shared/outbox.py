"""The outbox relay: publishes committed outbox rows to RabbitMQ, at least once.

Each service process runs one relay. A commit that emitted events wakes it at once;
otherwise it polls every `poll_interval` seconds as a safety net (after a crash, or
while the broker was away). It claims a batch of pending rows with
`FOR UPDATE SKIP LOCKED` (PostgreSQL; SQLite serialises writers anyway), publishes
each with publisher confirms and `mandatory`, and marks the row only once the broker
confirmed it was routed. Replicas never claim the same row; a crash between the
confirm and the mark republishes that row later, which consumers' inboxes absorb.
"""
import logging
import threading

import kombu
import sqlalchemy as sa

from shared.sqltypes import utcnow
from shared.topology import event_exchange

log = logging.getLogger(__name__)


class Unroutable(Exception):
    """The broker confirmed the message but no queue was bound to take it."""


class Publisher:
    """One broker connection with confirms; reconnects lazily after a failure."""

    def __init__(self, amqp_uri: str, connect_timeout: float = 5.0):
        self._amqp_uri = amqp_uri
        self._connect_timeout = connect_timeout
        self._connection = None
        self._producer = None
        self._returned = set()
        self._declared = set()

    def _ensure(self):
        if self._producer is None:
            connection = kombu.Connection(
                self._amqp_uri,
                connect_timeout=self._connect_timeout,
                transport_options={"confirm_publish": True},
            )
            connection.ensure_connection(max_retries=1)
            self._connection = connection
            self._producer = kombu.Producer(connection.channel(), on_return=self._on_return)
            self._declared.clear()
        return self._producer

    def _on_return(self, exception, exchange, routing_key, message):
        # RabbitMQ sends basic.return before the confirm of an unroutable message.
        self._returned.add(message.properties.get("message_id"))

    def publish(self, exchange_name, routing_key, payload, message_id, correlation_id):
        producer = self._ensure()
        exchange = event_exchange(exchange_name.removesuffix(".events"))
        if exchange_name not in self._declared:
            exchange(producer.channel).declare()
            self._declared.add(exchange_name)
        headers = {"nameko.correlation_id": correlation_id} if correlation_id else {}
        producer.publish(
            payload,
            exchange=exchange,
            routing_key=routing_key,
            content_type="application/json",
            content_encoding="utf-8",
            delivery_mode=2,
            mandatory=True,
            message_id=message_id,
            headers=headers,
            retry=False,
        )
        if message_id in self._returned:
            self._returned.discard(message_id)
            raise Unroutable(f"no queue is bound for {exchange_name} {routing_key}")

    def reset(self):
        connection, self._connection, self._producer = self._connection, None, None
        if connection is not None:
            try:
                connection.release()
            except Exception:  # the connection is already broken; nothing to save
                pass


class OutboxRelay:
    def __init__(self, engine, outbox: sa.Table, amqp_uri: str, *, poll_interval=1.0,
                 batch_size=200):
        self.engine = engine
        self.outbox = outbox
        self.publisher = Publisher(amqp_uri)
        self.poll_interval = poll_interval
        self.batch_size = batch_size
        self._wake = threading.Event()
        self._stopping = False

    def wake(self):
        self._wake.set()

    def stop(self):
        self._stopping = True
        self._wake.set()

    def run(self):
        """Relay until stopped; errors are logged and retried, never fatal."""
        backoff = 0.0
        while not self._stopping:
            self._wake.wait(max(self.poll_interval, backoff))
            self._wake.clear()
            if self._stopping:
                break
            try:
                self.relay_pending()
                backoff = 0.0
            except Exception:
                log.exception("outbox relay cycle failed")
                backoff = min(max(backoff * 2, 0.5), 10.0)
        self.publisher.reset()

    def relay_pending(self) -> int:
        """Publish every pending row, batch after batch; returns how many were sent."""
        sent = 0
        while not self._stopping:
            published, complete = self._relay_batch()
            sent += published
            if not complete:
                break
        return sent

    def _relay_batch(self):
        """One transaction: claim, publish, mark. Returns (published, batch_was_full)."""
        outbox = self.outbox
        with self.engine.begin() as conn:
            rows = conn.execute(
                sa.select(outbox.c.seq, outbox.c.event_id, outbox.c.exchange,
                          outbox.c.routing_key, outbox.c.payload, outbox.c.correlation_id)
                .where(outbox.c.published_at.is_(None))
                .order_by(outbox.c.seq)
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            ).all()
            published = []
            failure = None
            for row in rows:
                try:
                    self.publisher.publish(row.exchange, row.routing_key, row.payload,
                                           row.event_id, row.correlation_id)
                except Exception as exc:
                    failure = (row.seq, f"{type(exc).__name__}: {exc}")
                    if not isinstance(exc, Unroutable):
                        self.publisher.reset()
                    break
                published.append(row.seq)
            if published:
                conn.execute(
                    outbox.update().where(outbox.c.seq.in_(published)).values(published_at=utcnow())
                )
            if failure:
                seq, error = failure
                conn.execute(
                    outbox.update().where(outbox.c.seq == seq)
                    .values(attempts=outbox.c.attempts + 1, last_error=error[:2000])
                )
        if failure:
            log.warning("outbox publish failed, will retry", extra={"error": failure[1]})
            raise RuntimeError(failure[1])
        return len(published), len(rows) == self.batch_size
