"""The gateway's side of an RPC call: a trivial nameko service (bench/rpc_roundtrip.py's
echo) called `--calls` times from `--threads` threads through gateway.rpc.RpcPool, as
gateway/calls.py calls services. Prints calls per second and the CPU this process spent
per call (all its threads: the pool's clients, their publishing and reply reading).

    python -m bench.gateway_rpc [--calls 3000] [--threads 8] [--runs 1] [--profile FILE]

`--profile FILE` writes a cProfile of the timed calls (of every thread) to FILE, to read
with `python -m pstats FILE`. Figures only, no asserts.
"""
import argparse
import os
import threading
import time

import shared  # noqa: F401  (the eventlet warning filter, before nameko loads)
from bench.rpc_roundtrip import AMQP_URI, EchoService
from gateway.rpc import RpcPool


def run(pool: RpcPool, name: str, calls: int, threads: int, profile=None):
    """`calls` pings over `threads` threads sharing `pool`. Returns (calls per second,
    CPU seconds of this process per call)."""
    barrier = threading.Barrier(threads + 1)
    failures = []
    shares = [calls // threads + (1 if index < calls % threads else 0)
              for index in range(threads)]

    def caller(share):
        barrier.wait()
        if profile is not None:
            profile.enable()  # per thread: cProfile follows the thread that enables it
        try:
            for number in range(share):
                with pool.cluster({"correlation_id": f"bench-{number}"}) as rpc:
                    getattr(rpc, name).ping()
        except Exception as exc:  # reported once, not as a figure
            failures.append(exc)
        if profile is not None:
            profile.disable()

    workers = [threading.Thread(target=caller, args=(share,)) for share in shares]
    for worker in workers:
        worker.start()
    cpu_started = time.process_time()
    barrier.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} callers failed") from failures[0]
    return calls / elapsed, (time.process_time() - cpu_started) / calls


def main():
    parser = argparse.ArgumentParser(prog="python -m bench.gateway_rpc")
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--threads", type=int, default=8, help="callers, and the pool's size")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--profile", help="write a cProfile of the timed calls here")
    args = parser.parse_args()

    with EchoService(AMQP_URI) as echo:
        pool = RpcPool(AMQP_URI, args.threads, args.timeout)
        try:
            run(pool, echo.name, 20 * args.threads, args.threads)  # every client started
            for number in range(args.runs):
                load = " ".join(f"{value:.2f}" for value in os.getloadavg())
                profile = None
                if args.profile and number == args.runs - 1:
                    import cProfile
                    profile = cProfile.Profile()
                rate, cpu = run(pool, echo.name, args.calls, args.threads, profile)
                if profile is not None:
                    profile.dump_stats(args.profile)
                print(f"gateway rpc: {args.calls} calls from {args.threads} threads: "
                      f"{rate:.0f} calls/s, {cpu * 1000:.3f} ms CPU per call "
                      f"(load average {load})", flush=True)
        finally:
            pool.close()


if __name__ == "__main__":
    main()
