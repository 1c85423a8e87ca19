"""The bare nameko RPC round trip: one trivial service, sequential calls from a
standalone client, as the gateway makes them. Runs on nameko 2.14 or 3.0, so that the
two can be compared from two virtual environments:

    python -m bench.rpc_roundtrip                      # the project's pinned nameko
    /tmp/nameko3/bin/python -m bench.rpc_roundtrip     # a venv with nameko==3.0.0rc11

It starts the service in a child process and prints calls per second;
`--concurrency N` spreads the calls over N clients in threads (bench/ceilings.py uses
that at the contributions' concurrency).
"""
import argparse
import os
import subprocess
import sys
import time
import uuid

AMQP_URI = os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/")

SERVICE = """
import shared  # the eventlet warning filter
import eventlet
eventlet.monkey_patch()
import nameko
from {rpc_module} import rpc
from nameko.runners import ServiceRunner

class Echo:
    name = "{name}"

    @rpc
    def ping(self):
        return "pong"

config = {{"AMQP_URI": "{uri}", "max_workers": 10}}
if hasattr(nameko, "config"):   # nameko 3: a global config
    nameko.config.setup(config)
    runner = ServiceRunner()
else:
    runner = ServiceRunner(config)
runner.add_service(Echo)
runner.start()
print("ready", flush=True)
eventlet.event.Event().wait()
"""


def client(timeout):
    import nameko
    from nameko.standalone import rpc as standalone_rpc
    if hasattr(nameko, "config"):
        nameko.config.setup({"AMQP_URI": AMQP_URI})
        return standalone_rpc.ClusterRpcClient(timeout=timeout), f"nameko {nameko_version()}"
    return (standalone_rpc.ClusterRpcProxy({"AMQP_URI": AMQP_URI}, timeout=timeout),
            f"nameko {nameko_version()}")


def nameko_version():
    from importlib.metadata import version
    return version("nameko")


class EchoService:
    """The trivial service in a child process, for as long as the block lasts. Its
    entrypoint is `rpc` from `rpc_module`: nameko's, or the platform's (shared.rpc)."""

    def __init__(self, amqp_uri=AMQP_URI, rpc_module="nameko.rpc"):
        self.amqp_uri = amqp_uri
        self.rpc_module = rpc_module
        self.name = f"echo_{uuid.uuid4().hex[:8]}"

    def __enter__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVICE.format(name=self.name, uri=self.amqp_uri,
                                               rpc_module=self.rpc_module)],
            stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": os.getcwd()})
        assert self.process.stdout.readline().strip() == "ready"
        return self

    def __exit__(self, *exc_info):
        self.process.terminate()
        self.process.wait()

    @property
    def pid(self):
        return self.process.pid


def concurrent_calls(amqp_uri, name, calls, concurrency, warmup=100, caller_of=None):
    """`calls` pings spread over `concurrency` threads, each with its own standalone
    client (as the gateway's pool gives each of its threads one). Returns (calls per
    second, every call's latency in seconds). `caller_of(service_proxy)`: what each
    thread calls, with no argument, instead of the service's `ping`."""
    caller_of = caller_of or (lambda service: service.ping)
    import threading

    from nameko.standalone import rpc as standalone_rpc

    barrier = threading.Barrier(concurrency + 1)
    latencies, lock = [], threading.Lock()
    shares = [calls // concurrency + (1 if index < calls % concurrency else 0)
              for index in range(concurrency)]

    def caller(share):
        with standalone_rpc.ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30) as rpc:
            ping = caller_of(getattr(rpc, name))
            for _ in range(max(1, warmup // concurrency)):
                ping()
            barrier.wait()
            mine = []
            for _ in range(share):
                started = time.perf_counter()
                ping()
                mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=caller, args=(share,)) for share in shares]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return calls / (time.perf_counter() - started), latencies


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=1)
    args = parser.parse_args()
    import shared  # noqa: F401  (the eventlet warning filter, before nameko loads)

    with EchoService() as echo:
        if args.concurrency > 1:
            rate, _ = concurrent_calls(AMQP_URI, echo.name, args.calls, args.concurrency)
            print(f"nameko {nameko_version()}: {rate:.0f} RPC calls/s from "
                  f"{args.concurrency} concurrent clients")
            return
        proxy, label = client(timeout=10)
        with proxy as rpc:
            service_proxy = getattr(rpc, echo.name)
            for _ in range(200):
                service_proxy.ping()
            started = time.perf_counter()
            for _ in range(args.calls):
                service_proxy.ping()
            elapsed = time.perf_counter() - started
        print(f"{label}: {args.calls / elapsed:.0f} sequential RPC calls/s "
              f"({elapsed / args.calls * 1000:.2f} ms each)")


if __name__ == "__main__":
    main()
