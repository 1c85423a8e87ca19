"""CPU a service spends in nameko's per-call machinery, for an RPC call shaped like
funding's `contribute` and for an event through our inbox guard (shared.inbox), with
the platform's dependencies (shared.service's WorkerContext, Config, Clock, an
RpcProxy). Main's code against this checkout's, alternated in the same run:

    python -m bench.service_call --before /tmp/ec/main --calls 3000 --events 3000 --rounds 3

`--before DIR`: a copy of main (`git archive main | tar -x -C DIR`); its service runs
with PYTHONPATH=DIR, this checkout's with PYTHONPATH=$PWD. Each side's service runs in
a child process; its CPU is read from /proc/<pid>/stat (user + system) around each
round: taking the message, the worker, the reply and both acks, the eventlet hub.

The handler does no work and the database is a stand-in (the inbox's claim always
says "first delivery"): what is measured is what every call pays before and after the
service's own code. RPC: 16 concurrent standalone clients (bench/rpc_roundtrip.py).
Events: published as funding's relay does, all at once, then consumed with the
service's max_workers; the round ends when the service has handled them all (polled by
RPC every 0.2 s, about one call per 100 events: the same on both sides).
Figures only: nothing is asserted.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import uuid

from bench.cpu import cpu_seconds
from bench.rpc_roundtrip import AMQP_URI, concurrent_calls

SERVICE = """
import shared  # the eventlet warning filter
import eventlet
eventlet.monkey_patch()
import contextlib
from nameko.extensions import DependencyProvider
from nameko.runners import ServiceRunner
from shared.config import Settings
from shared.inbox import subscribe
from shared.rpc import RpcProxy, rpc
from shared.service import Clock, ServiceBase

handled = [0]


class StandIn:
    def first_delivery(self, consumer, event_id):
        return True


class Units:
    '''The inbox's unit of work, without a database.'''

    @contextlib.contextmanager
    def __call__(self):
        yield StandIn()


class NoDatabase(DependencyProvider):
    def get_dependency(self, worker_ctx):
        return Units()


class Bench(ServiceBase):
    name = "{name}"
    db = NoDatabase()
    clock = Clock()
    others = RpcProxy("{name}_others")

    @rpc
    def contribute(self, campaign_id, payload, idempotency_key, contributor_account_id,
                   email_verified=True):
        return {{"id": idempotency_key, "campaign_id": campaign_id, "status": "pending",
                 "amount_cents": payload["amount_cents"], "kind": payload["kind"],
                 "payment_url": "https://pay.example/" + idempotency_key,
                 "contributor_account_id": contributor_account_id}}

    @rpc
    def handled(self):
        return handled[0]

    @subscribe("{name}_source", "contribution_confirmed")
    def on_confirmed(self, uow, envelope):
        handled[0] += 1


# As a service's (shared.config): the container class, when the code names one.
platform = Settings().nameko_config("{name}")
runner = ServiceRunner({{"AMQP_URI": "{uri}", "max_workers": 10, "parent_calls_tracked": 10,
                        **{{key: platform[key] for key in ("SERVICE_CONTAINER_CLS",)
                           if key in platform}}}})
runner.add_service(Bench)
runner.start()
print("ready", flush=True)
eventlet.event.Event().wait()
"""


class BenchService:
    """The service above, in a child process running the code in `code_dir`."""

    def __init__(self, code_dir):
        self.code_dir = code_dir
        self.name = f"bench_{uuid.uuid4().hex[:8]}"

    def __enter__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVICE.format(name=self.name, uri=AMQP_URI)],
            stdout=subprocess.PIPE, text=True, cwd=self.code_dir,
            env={**os.environ, "PYTHONPATH": self.code_dir})
        assert self.process.stdout.readline().strip() == "ready"
        return self

    def __exit__(self, *exc_info):
        self.process.terminate()
        self.process.wait()
        _delete_topology(self.name)

    @property
    def pid(self):
        return self.process.pid


def _delete_topology(name):
    """The queues and the exchange the service declared (durable: they would stay)."""
    import kombu
    with kombu.Connection(AMQP_URI) as connection:
        channel = connection.channel()
        channel.queue_delete(f"rpc-{name}")
        channel.queue_delete(f"evt-{name}_source-contribution_confirmed--{name}.on_confirmed")
        channel.exchange_delete(f"{name}_source.events")


def contribute_calls(service, calls, concurrency):
    """(calls per second, p50 in ms, service CPU per call in ms)."""
    payload = {"amount_cents": 2500, "kind": "donation", "reward_id": None,
               "channel": "online", "anonymous": False, "message": "Bon courage à tous"}

    def caller_of(proxy):
        campaign = str(uuid.uuid4())
        return lambda: proxy.contribute(campaign, payload, str(uuid.uuid4()),
                                        str(uuid.uuid4()), email_verified=True)

    cpu_before = cpu_seconds(service.pid)
    rate, latencies = concurrent_calls(AMQP_URI, service.name, calls, concurrency,
                                       warmup=0, caller_of=caller_of)
    cpu = cpu_seconds(service.pid) - cpu_before
    made = calls + concurrency  # each client's first call, made before the barrier
    return rate, statistics.median(latencies) * 1000, cpu / made * 1000


def envelope(name):
    now = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
    return {"event_id": str(uuid.uuid4()), "type": "funding.contribution_confirmed",
            "version": 2, "occurred_at": now, "source": "funding",
            "correlation_id": "corr-bench",
            "data": {"contribution_id": str(uuid.uuid4()), "campaign_id": str(uuid.uuid4()),
                     "amount_cents": 2500, "kind": "donation", "status": "captured",
                     "at": now, "confirmed_at": now, "matched_cents": 0}}


def events_handled(service, count, rpc):
    """(events per second, service CPU per event in ms)."""
    import kombu
    from shared.topology import event_exchange

    bodies = [json.dumps(envelope(service.name)) for _ in range(count)]
    handled_before = getattr(rpc, service.name).handled()
    with kombu.Connection(AMQP_URI) as connection:
        producer = connection.Producer()
        cpu_before = cpu_seconds(service.pid)
        started = time.perf_counter()
        for body in bodies:
            producer.publish(body, exchange=event_exchange(f"{service.name}_source"),
                             routing_key="contribution_confirmed", delivery_mode=2,
                             content_type="application/json", content_encoding="utf-8")
    deadline = time.monotonic() + 120
    while getattr(rpc, service.name).handled() < handled_before + count:
        if time.monotonic() > deadline:
            raise RuntimeError("the service did not handle every event (dead-lettered?)")
        time.sleep(0.2)
    elapsed = time.perf_counter() - started
    cpu = cpu_seconds(service.pid) - cpu_before
    return count / elapsed, cpu / count * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", required=True, help="a copy of main's code")
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    import shared  # noqa: F401  (the eventlet warning filter, before nameko loads)
    from nameko.standalone.rpc import ClusterRpcProxy

    sides = {"before": os.path.abspath(args.before), "after": os.getcwd()}
    with BenchService(sides["before"]) as before, BenchService(sides["after"]) as after, \
            ClusterRpcProxy({"AMQP_URI": AMQP_URI}, timeout=60) as rpc:
        services = {"before": before, "after": after}
        for service in services.values():  # warm up
            contribute_calls(service, 200, args.concurrency)
            events_handled(service, 200, rpc)
        for number in range(1, args.rounds + 1):
            # Each side goes first in every other round: the machine's load drifts.
            order = list(services.items())[::1 if number % 2 else -1]
            for side, service in order:
                load = os.getloadavg()[0]
                rate, p50, cpu = contribute_calls(service, args.calls, args.concurrency)
                print(f"round {number} {side:6} rpc c{args.concurrency}: {rate:.0f} calls/s, "
                      f"p50 {p50:.2f} ms, service CPU {cpu:.3f} ms per call "
                      f"(load {load:.2f})", flush=True)
            for side, service in order:
                load = os.getloadavg()[0]
                rate, cpu = events_handled(service, args.events, rpc)
                print(f"round {number} {side:6} events: {rate:.0f} events/s, "
                      f"service CPU {cpu:.3f} ms per event (load {load:.2f})", flush=True)


if __name__ == "__main__":
    main()
