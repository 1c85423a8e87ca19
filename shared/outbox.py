"""The outbox relay: publishes committed outbox rows to RabbitMQ, at least once.

Each service process runs one relay. A commit that emitted events wakes it at once;
otherwise it polls every `poll_interval` seconds as a safety net (after a crash, or
while the broker was away). One transaction per batch: it claims pending rows with
`FOR UPDATE SKIP LOCKED` (PostgreSQL; SQLite serialises writers anyway), marking them
published in the same statement; publishes the batch with `mandatory` on a channel in
confirm mode; waits for the broker's confirms of the whole batch at once; unmarks any
row the broker did not confirm as routed (an unroutable or refused one stays pending,
with its error; when the link fails, nothing is known, so the whole batch), then
commits. The marks are seen only after that commit, and any exception before it rolls
them back: a row is seen published only once the broker confirmed it. Replicas never
claim the same row; a crash between the confirm and the commit republishes the batch
later, which consumers' inboxes absorb.
"""
import logging
import threading
import time

import kombu
import sqlalchemy as sa

from shared.sqltypes import utcnow
from shared.topology import event_exchange

log = logging.getLogger(__name__)


class Unroutable(Exception):
    """The broker confirmed the message but no queue was bound to take it."""


class Publisher:
    """One broker connection whose channel is in confirm mode; reconnects lazily after a
    failure. A batch is published in one go and its confirms are awaited together: one
    round trip to the broker per batch rather than one per message."""

    def __init__(self, amqp_uri: str, connect_timeout: float = 5.0,
                 confirm_timeout: float = 30.0):
        self._amqp_uri = amqp_uri
        self._connect_timeout = connect_timeout
        self._confirm_timeout = confirm_timeout
        self._connection = None
        self._producer = None
        self._declared = set()
        self._next_tag = 1
        self._waiting = {}      # delivery tag -> message id, until the broker confirms
        self._returned = set()  # message ids the broker returned as unroutable
        self._nacked = set()

    def _ensure(self):
        if self._producer is None:
            connection = kombu.Connection(self._amqp_uri, connect_timeout=self._connect_timeout)
            connection.ensure_connection(max_retries=1)
            channel = connection.channel()
            channel.confirm_select()
            channel.events["basic_ack"].add(self._on_ack)
            channel.events["basic_nack"].add(self._on_nack)
            self._connection = connection
            self._producer = kombu.Producer(channel, on_return=self._on_return)
            self._declared.clear()
            self._next_tag = 1  # delivery tags count from 1 on a channel in confirm mode
            self._waiting.clear()
        return self._producer

    def _confirmed(self, delivery_tag, multiple):
        tags = [tag for tag in self._waiting if tag <= delivery_tag] if multiple \
            else [delivery_tag]
        return [self._waiting.pop(tag) for tag in tags if tag in self._waiting]

    def _on_ack(self, delivery_tag, multiple):
        self._confirmed(delivery_tag, multiple)

    def _on_nack(self, delivery_tag, multiple):
        self._nacked.update(self._confirmed(delivery_tag, multiple))

    def _on_return(self, exception, exchange, routing_key, message):
        # RabbitMQ sends basic.return before the confirm of an unroutable message.
        self._returned.add(message.properties.get("message_id"))

    def publish(self, exchange_name, routing_key, payload, message_id, correlation_id):
        [failure] = self.publish_batch([(exchange_name, routing_key, payload, message_id,
                                         correlation_id)])
        if failure is not None:
            raise failure

    def publish_batch(self, messages) -> list:
        """Publish (exchange, routing key, payload, message id, correlation id) tuples in
        order, then wait until the broker confirmed every one. Returns, for each, None
        (routed and confirmed) or the exception that says why it was not (Unroutable, or
        a nack). Raises when the connection fails: then nothing is known of the batch."""
        producer = self._ensure()
        self._returned.clear()
        self._nacked.clear()
        for exchange_name, routing_key, payload, message_id, correlation_id in messages:
            exchange = event_exchange(exchange_name.removesuffix(".events"))
            if exchange_name not in self._declared:
                exchange(producer.channel).declare()
                self._declared.add(exchange_name)
            headers = {"nameko.correlation_id": correlation_id} if correlation_id else {}
            self._waiting[self._next_tag] = message_id
            self._next_tag += 1
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
        deadline = time.monotonic() + self._confirm_timeout
        while self._waiting:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("the broker did not confirm the batch in time")
            self._connection.drain_events(timeout=remaining)
        outcomes = []
        for exchange_name, routing_key, _, message_id, _ in messages:
            if message_id in self._nacked:
                outcomes.append(RuntimeError(f"the broker refused (nack) {message_id}"))
            elif message_id in self._returned:
                outcomes.append(Unroutable(f"no queue is bound for {exchange_name} "
                                           f"{routing_key}"))
            else:
                outcomes.append(None)
        return outcomes

    def reset(self):
        connection, self._connection, self._producer = self._connection, None, None
        self._waiting.clear()
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
        # Built once (a cycle per commit under load). The claim marks the rows it takes
        # as published in the same statement (one round trip fewer than a SELECT, then
        # an UPDATE): the mark is seen only once the transaction commits, after the
        # broker's confirms, and a row the broker did not take is unmarked before that.
        claimable = (sa.select(outbox.c.seq).where(outbox.c.published_at.is_(None))
                     .order_by(outbox.c.seq).limit(batch_size)
                     .with_for_update(skip_locked=True))
        self._claim = (
            outbox.update().where(outbox.c.seq.in_(claimable.scalar_subquery()))
            .values(published_at=sa.bindparam("at"))
            .returning(outbox.c.seq, outbox.c.event_id, outbox.c.exchange,
                       outbox.c.routing_key, outbox.c.payload, outbox.c.correlation_id))
        self._unmark = (outbox.update()
                        .where(outbox.c.seq.in_(sa.bindparam("seqs", expanding=True)))
                        .values(published_at=None))
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
        """One transaction: claim (and mark), publish, unmark what the broker did not
        take. Returns (published, batch_was_full)."""
        outbox = self.outbox
        with self.engine.begin() as conn:
            # RETURNING promises no order; events go out in the order they were written.
            claimed = sorted(conn.execute(self._claim, {"at": utcnow()}).all(),
                             key=lambda row: row.seq)
            rows, published, failures = claimed, [], []
            if rows:
                try:
                    outcomes = self.publisher.publish_batch(
                        [(row.exchange, row.routing_key, row.payload, row.event_id,
                          row.correlation_id) for row in rows])
                except Exception as exc:  # the connection failed: nothing is known
                    self.publisher.reset()
                    outcomes, rows = [exc], rows[:1]  # the first row carries the error
                for row, outcome in zip(rows, outcomes, strict=True):
                    if outcome is None:
                        published.append(row.seq)
                    else:
                        failures.append((row.seq, f"{type(outcome).__name__}: {outcome}"))
            # Every claimed row the broker did not confirm, not just `rows`: after a
            # link failure that holds only the row carrying the error.
            if len(published) < len(claimed):
                kept = set(published)
                conn.execute(self._unmark, {"seqs": [row.seq for row in claimed
                                                     if row.seq not in kept]})
            for seq, error in failures:
                conn.execute(
                    outbox.update().where(outbox.c.seq == seq)
                    .values(attempts=outbox.c.attempts + 1, last_error=error[:2000])
                )
        failure = failures[0] if failures else None
        if failure:
            log.warning("outbox publish failed, will retry", extra={"error": failure[1]})
            raise RuntimeError(failure[1])
        return len(published), len(claimed) == self.batch_size
