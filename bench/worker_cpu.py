"""nameko's per-call machinery alone, without a broker: the request's JSON decoded as
kombu decodes it, the RPC entrypoint's signature check, the worker spawned and run in
the platform's container with the platform's dependencies (bench/service_call.py's
service), the handler doing nothing. Main's code against this checkout's, each in a
child process, alternated; CPU time of the child per call (time.process_time).

    python -m bench.worker_cpu --before /tmp/ec/main --calls 20000 --rounds 4

What the broker's side costs (the socket reads and writes, the reply's publish, the
ack, the eventlet hub's polling) is not here: bench/service_call.py measures the whole.
Figures only: nothing is asserted.
"""
import argparse
import os
import subprocess
import sys

from bench.service_call import SERVICE

RUN = """
import time, json, uuid
import kombu.serialization
from nameko.containers import get_container_cls
from nameko.testing.utils import get_extension
from shared.rpc import RpcEntrypoint

body = json.dumps({{"args": [str(uuid.uuid4()), {{"amount_cents": 2500, "kind": "donation",
                    "reward_id": None, "channel": "online", "anonymous": False,
                    "message": "Bon courage \\u00e0 tous"}}, str(uuid.uuid4()), str(uuid.uuid4())],
                   "kwargs": {{"email_verified": True}}}}).encode()
config = {{"AMQP_URI": "{uri}", "max_workers": 10, "parent_calls_tracked": 10,
          **{{key: platform[key] for key in ("SERVICE_CONTAINER_CLS",) if key in platform}}}}
container = get_container_cls(config)(Bench, config)
entrypoint = get_extension(container, RpcEntrypoint, method_name="contribute")


def handled(worker_ctx, result, exc_info):
    return result, exc_info


def one_call():
    request = kombu.serialization.loads(body, "application/json", "utf-8")
    entrypoint.check_signature(request["args"], request["kwargs"])
    container.spawn_worker(entrypoint, request["args"], request["kwargs"],
                           context_data={{"correlation_id": "corr-bench"}},
                           handle_result=handled)


for _ in range(500):
    one_call()
container._worker_pool.waitall()
started = time.process_time()
for number in range({calls}):
    one_call()
    if number % 10 == 9:
        container._worker_pool.waitall()
container._worker_pool.waitall()
print((time.process_time() - started) / {calls} * 1e6, flush=True)
"""


def per_call(code_dir, calls):
    """µs of CPU per call of the code in `code_dir`."""
    service = SERVICE.format(name="bench_worker_cpu", uri="amqp://unused//")
    service = service[:service.index("runner = ServiceRunner")]  # the service, not run
    script = service + RUN.format(calls=calls, uri="amqp://unused//")
    output = subprocess.run([sys.executable, "-c", script], cwd=code_dir, check=True,
                            env={**os.environ, "PYTHONPATH": code_dir},
                            capture_output=True, text=True).stdout
    return float(output.split()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", required=True, help="a copy of main's code")
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    sides = {"before": os.path.abspath(args.before), "after": os.getcwd()}
    for number in range(1, args.rounds + 1):
        order = list(sides.items())[::1 if number % 2 else -1]
        for side, code_dir in order:
            load = os.getloadavg()[0]
            print(f"round {number} {side:6}: {per_call(code_dir, args.calls):.1f} µs of CPU "
                  f"per call (load {load:.2f})", flush=True)


if __name__ == "__main__":
    main()
