"""CPU a service spends per RPC call, the reply's publish included: an echo service with
the platform's entrypoint (shared.rpc), called by concurrent standalone clients.

    python -m bench.service_reply --calls 4000 --concurrency 16 --rounds 3

The service runs in a child process (bench/rpc_roundtrip.py's EchoService); its CPU is
read from /proc/<pid>/stat (user + system) around each round, so it counts everything
the process did meanwhile: taking the request, the worker, the reply and the ack, the
eventlet hub. Each round's calls include one call per client made when it connects.
Figures only: nothing is asserted.
"""
import argparse
import os
import statistics

from bench.cpu import cpu_seconds
from bench.rpc_roundtrip import AMQP_URI, EchoService, concurrent_calls


def measured_round(echo, calls, concurrency):
    """(calls per second, p50 latency in ms, service CPU per call in ms)."""
    cpu_before = cpu_seconds(echo.pid)
    rate, latencies = concurrent_calls(AMQP_URI, echo.name, calls, concurrency, warmup=0)
    cpu = cpu_seconds(echo.pid) - cpu_before
    made = calls + concurrency  # each client's first call, made before the barrier
    return rate, statistics.median(latencies) * 1000, cpu / made * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rpc-module", default="shared.rpc",
                        help="whose `rpc` entrypoint the echo service uses")
    args = parser.parse_args()
    import shared  # noqa: F401  (the eventlet warning filter, before nameko loads)

    with EchoService(rpc_module=args.rpc_module) as echo:
        concurrent_calls(AMQP_URI, echo.name, 200, args.concurrency, warmup=0)  # warm up
        for number in range(1, args.rounds + 1):
            load = os.getloadavg()[0]
            rate, p50, cpu = measured_round(echo, args.calls, args.concurrency)
            print(f"round {number}: {args.rpc_module} c{args.concurrency}: {rate:.0f} calls/s, "
                  f"p50 {p50:.2f} ms, service CPU {cpu:.3f} ms per call "
                  f"(load average {load:.2f})", flush=True)


if __name__ == "__main__":
    main()
