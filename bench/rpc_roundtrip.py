"""The bare nameko RPC round trip: one trivial service, sequential calls from a
standalone client, as the gateway makes them. Runs on nameko 2.14 or 3.0, so that the
two can be compared from two virtual environments:

    python -m bench.rpc_roundtrip                      # the project's pinned nameko
    /tmp/nameko3/bin/python -m bench.rpc_roundtrip     # a venv with nameko==3.0.0rc11

It starts the service in a child process and prints calls per second.
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
from nameko.rpc import rpc
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    import shared  # noqa: F401  (the eventlet warning filter, before nameko loads)

    name = f"echo_{uuid.uuid4().hex[:8]}"
    service = subprocess.Popen([sys.executable, "-c", SERVICE.format(name=name, uri=AMQP_URI)],
                               stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": os.getcwd()})
    try:
        assert service.stdout.readline().strip() == "ready"
        proxy, label = client(timeout=10)
        with proxy as rpc:
            service_proxy = getattr(rpc, name)
            for _ in range(200):
                service_proxy.ping()
            started = time.perf_counter()
            for _ in range(args.calls):
                service_proxy.ping()
            elapsed = time.perf_counter() - started
        print(f"{label}: {args.calls / elapsed:.0f} sequential RPC calls/s "
              f"({elapsed / args.calls * 1000:.2f} ms each)")
    finally:
        service.terminate()
        service.wait()


if __name__ == "__main__":
    main()
