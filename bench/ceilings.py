"""The machine's own ceilings, to read the contributions' figures against:

- RabbitMQ: N messages the size of a contribution event, published with publisher
  confirms, persistent and `mandatory` (as the outbox relay publishes: one confirmed
  message after another on one connection), and consumed with acks by one consumer;
- PostgreSQL: commits per second, one small INSERT per transaction, from `concurrency`
  connections with the platform's driver (psycopg2);
- nameko: the bare RPC round trip (bench/rpc_roundtrip.py) from `concurrency` clients.

    python -m bench.ceilings [--concurrency 16] [--messages 5000] [--commits 5000] [--calls 5000]

Each runs on its own vhost or database, dropped afterwards. Figures only, no asserts.
"""
import argparse
import json
import os
import threading
import time
import uuid
from pathlib import Path

import kombu
import psycopg2
import sqlalchemy as sa
from sqlalchemy.engine import make_url

import shared  # noqa: F401  (the eventlet warning filter, before nameko loads)
from bench.cpu import broker_cpu, processes_cpu
from bench.rpc_roundtrip import EchoService, concurrent_calls
from shared.database import with_driver
from tests.support.broker import Vhosts


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def summary(rate, latencies, **extra):
    return {"per_second": round(rate, 1),
            "p50_ms": round(percentile(latencies, 0.50) * 1000, 2),
            "p99_ms": round(percentile(latencies, 0.99) * 1000, 2), **extra}


def contribution_event() -> bytes:
    """A contribution_pledged envelope as the outbox stores it: the same size."""
    from services.funding import schemas
    from shared.envelope import make_envelope
    now = "2026-01-01T12:00:00+00:00"
    envelope = make_envelope(schemas.CONTRIBUTION_PLEDGED, {
        "contribution_id": str(uuid.uuid4()), "campaign_id": str(uuid.uuid4()),
        "project_id": str(uuid.uuid4()), "kind": "donation", "model": "all_or_nothing",
        "channel": "online", "amount_cents": 500, "status": "pending", "at": now,
        "contributor_account_id": str(uuid.uuid4()), "reflection_ends_at": None},
        correlation_id=uuid.uuid4().hex)
    return json.dumps(envelope, separators=(",", ":")).encode()


def rabbitmq(amqp_uri: str, messages: int):
    """Publish `messages` with confirms on one connection while one consumer drains them;
    messages per second from the first publish to the last ack."""
    body = contribution_event()
    exchange = kombu.Exchange("bench.events", type="topic", durable=True)
    queue = kombu.Queue("bench.ceiling", exchange=exchange, routing_key="#", durable=True)
    with kombu.Connection(amqp_uri) as connection:
        queue(connection.channel()).declare()
    consumed, done = [0], threading.Event()
    sent_at, latencies = {}, []

    def consume():
        with kombu.Connection(amqp_uri) as connection:
            def on_message(_body, message):
                message.ack()
                latencies.append(time.perf_counter() - sent_at[message.properties["message_id"]])
                consumed[0] += 1
                if consumed[0] >= messages:
                    done.set()
            with kombu.Consumer(connection, [queue], callbacks=[on_message], prefetch_count=10):
                while not done.is_set():
                    try:
                        connection.drain_events(timeout=1)
                    except TimeoutError:
                        continue

    consumer = threading.Thread(target=consume, daemon=True)
    consumer.start()
    time.sleep(0.5)  # the consumer is subscribed
    with kombu.Connection(amqp_uri, transport_options={"confirm_publish": True}) as connection:
        producer = kombu.Producer(connection.channel())
        started = time.perf_counter()
        for number in range(messages):
            message_id = str(number)
            sent_at[message_id] = time.perf_counter()
            producer.publish(body, exchange=exchange, routing_key="funding.bench",
                             content_type="application/json", content_encoding="utf-8",
                             delivery_mode=2, mandatory=True, message_id=message_id,
                             retry=False)
        published = time.perf_counter() - started
    done.wait(120)
    elapsed = time.perf_counter() - started
    return summary(consumed[0] / elapsed, latencies, messages=messages, bytes=len(body),
                   publish_per_second=round(messages / published, 1))


def postgresql(admin_url: str, commits: int, concurrency: int):
    """`commits` transactions of one small INSERT each, over `concurrency` connections."""
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(with_driver(admin_url), isolation_level="AUTOCOMMIT",
                             poolclass=sa.NullPool)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    dsn = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    dsn = dsn.replace("postgresql+psycopg2://", "postgresql://")
    try:
        with psycopg2.connect(dsn) as connection, connection.cursor() as cursor:
            cursor.execute("CREATE TABLE ceiling (id uuid PRIMARY KEY, payload text, "
                           "at timestamptz NOT NULL DEFAULT now())")
        barrier = threading.Barrier(concurrency + 1)
        latencies, lock = [], threading.Lock()
        payload = contribution_event().decode()

        def writer(share):
            connection = psycopg2.connect(dsn)
            mine = []
            try:
                barrier.wait()
                for _ in range(share):
                    started = time.perf_counter()
                    with connection.cursor() as cursor:
                        cursor.execute("INSERT INTO ceiling (id, payload) VALUES (%s, %s)",
                                       (str(uuid.uuid4()), payload))
                    connection.commit()
                    mine.append(time.perf_counter() - started)
            finally:
                connection.close()
            with lock:
                latencies.extend(mine)

        shares = [commits // concurrency + (1 if i < commits % concurrency else 0)
                  for i in range(concurrency)]
        threads = [threading.Thread(target=writer, args=(share,)) for share in shares]
        for thread in threads:
            thread.start()
        barrier.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        return summary(commits / (time.perf_counter() - started), latencies,
                       commits=commits, concurrency=concurrency)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def nameko_rpc(amqp_uri: str, calls: int, concurrency: int):
    """The bare round trip, and the CPU each call costs the machine: the clients (this
    process, their connections and warm-up calls included), the echo service and
    RabbitMQ. A contribution's CPU in all, read against this, says how many bare calls
    a contribution weighs."""
    warmup = 100
    with EchoService(amqp_uri) as echo:
        client, service, broker = time.process_time(), processes_cpu(echo.process.pid)[0], \
            broker_cpu()
        rate, latencies = concurrent_calls(amqp_uri, echo.name, calls, concurrency, warmup)
        made = calls + concurrency * max(1, warmup // concurrency)
        cpu = {"client": time.process_time() - client,
               "service": processes_cpu(echo.process.pid)[0] - service,
               "rabbitmq": broker_cpu() - broker}
    cpu_ms = {name: round(spent * 1000 / made, 3) for name, spent in cpu.items()}
    cpu_ms["all"] = round(sum(cpu_ms.values()), 3)
    return summary(rate, latencies, calls=calls, concurrency=concurrency,
                   cpu_ms_per_call=cpu_ms)


def measure(concurrencies=(16, 64), messages=5000, commits=5000, calls=5000, log=print):
    """Every ceiling, on a fresh vhost and a fresh database; a dict of figures."""
    amqp = os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/")
    admin_url = os.environ.get("TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"
    vhosts = Vhosts(amqp, os.environ.get("RABBITMQ_MANAGEMENT_URL"))
    figures = {}
    try:
        uri = vhosts.create()
        figures["rabbitmq"] = rabbitmq(uri, messages)
        log(f"rabbitmq publish (confirms) + consume: {figures['rabbitmq']}")
        for concurrency in concurrencies:
            figures[f"postgresql_c{concurrency}"] = postgresql(admin_url, commits, concurrency)
            log(f"postgresql commits c{concurrency}: {figures[f'postgresql_c{concurrency}']}")
            figures[f"rpc_c{concurrency}"] = nameko_rpc(uri, calls, concurrency)
            log(f"nameko rpc c{concurrency}: {figures[f'rpc_c{concurrency}']}")
    finally:
        vhosts.delete_all()
    return figures


def main():
    parser = argparse.ArgumentParser(prog="python -m bench.ceilings")
    parser.add_argument("--concurrency", type=int, action="append")
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--commits", type=int, default=5000)
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    figures = measure(tuple(args.concurrency or (16, 64)), args.messages, args.commits,
                      args.calls)
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
