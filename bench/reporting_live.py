"""What reporting's live handler costs per event, in CPU and in statements, for one or
two checkouts of the project compared in one run.

    python -m bench.reporting_live --contributions 5000 --before /tmp/base --after .

The events: bench/reports.py's story of a cluster and N contributions (one refund in
fifty), as the broker delivers them (JSON), one in fifty delivered twice. For each
checkout, on a fresh reporting database: a process started from that checkout runs its
archive handler (`ReportingService.archive`: the inbox's guard, the archive, every
projection, one transaction an event) on each event in turn, without the broker, after
a warm-up; it counts the statements sent to PostgreSQL (an executemany is one) and its
own CPU time; the PostgreSQL backend's CPU is read from /proc meanwhile. Then a digest
of the projections each wrote, to tell the two the same. Figures only, no asserts.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

WARM_UP = 300


def child(events_file, url):
    """In the checkout's own code: run the archive handler on every event."""
    from types import SimpleNamespace

    import sqlalchemy as sa

    from services.reporting import models
    from services.reporting.service import ReportingService
    from shared.database import UnitsOfWork, create_engine

    bodies = [json.loads(line) for line in Path(events_file).read_text().splitlines()]
    engine = create_engine(url)
    service = SimpleNamespace(name="reporting",
                              db=UnitsOfWork(engine, models.messaging, "reporting"))
    counts = {"statements": 0, "commits": 0}

    def statement(*_):
        counts["statements"] += 1

    def commit(*_):
        counts["commits"] += 1
    sa.event.listen(engine, "before_cursor_execute", statement)
    sa.event.listen(engine, "commit", commit)
    for body in bodies[:WARM_UP]:
        ReportingService.archive(service, body)
    counts.update(statements=0, commits=0)
    outcomes = {}
    cpu, wall = time.process_time(), time.perf_counter()
    for body in bodies[WARM_UP:]:
        outcome = ReportingService.archive(service, body)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    engine.dispose()
    measured = len(bodies) - WARM_UP
    print(json.dumps({"events": measured, "outcomes": outcomes,
                      "cpu_ms_per_event": round(cpu * 1000 / measured, 3),
                      "wall_ms_per_event": round(wall * 1000 / measured, 3),
                      "statements_per_event": round(counts["statements"] / measured, 3),
                      "commits_per_event": round(counts["commits"] / measured, 3)}))


def bodies(contributions, projects_count):
    from bench import reports

    rng = random.Random(2005)
    projects = [(str(uuid.UUID(int=rng.getrandbits(128))),
                 reports.YEARS[index % len(reports.YEARS)]) for index in range(projects_count)]
    events = [*reports.cluster(rng, projects), *reports.contributions(rng, projects,
                                                                     contributions)]
    rng.shuffle(events)  # the live handler meets them in no particular order
    found = []
    for event in events:
        found.append(event.envelope())
        if rng.random() < 0.02:
            found.append(event.envelope())  # a redelivery
    return found


def run(checkout: Path, events_file, url, admin_url) -> dict:
    from bench.rebuild import BackendCpu, digest
    from sqlalchemy.engine import make_url

    env = {**os.environ, "PYTHONPATH": str(checkout)}
    with BackendCpu(admin_url, make_url(url).database) as backends:
        done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child",
                               str(events_file), url], env=env, cwd=checkout,
                              capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"the live run of {checkout} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["postgresql_cpu_ms_per_event"] = round(backends.seconds * 1000
                                                  / (result["events"] + WARM_UP), 3)
    result["digest"] = digest(url)
    return result


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        return child(sys.argv[2], sys.argv[3])
    from bench.rebuild import compare
    from tests.support.databases import Databases

    parser = argparse.ArgumentParser(prog="python -m bench.reporting_live")
    parser.add_argument("--contributions", type=int, default=5000)
    parser.add_argument("--projects", type=int, default=100)
    parser.add_argument("--before", type=Path, help="a checkout to compare with (main's)")
    parser.add_argument("--after", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args()
    admin_url = os.environ.get("TEST_DATABASE_URL")
    if not admin_url:
        raise SystemExit("needs TEST_DATABASE_URL (PostgreSQL)")
    databases = Databases(admin_url, Path(tempfile.mkdtemp(prefix="bench-live-")))
    results = {}
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl") as events_file:
        found = bodies(args.contributions, args.projects)
        events_file.write("\n".join(json.dumps(body) for body in found))
        events_file.flush()
        print(f"{len(found)} deliveries ({args.contributions} contributions), the first "
              f"{WARM_UP} a warm-up", flush=True)
        try:
            for side in ("before", "after"):
                checkout = getattr(args, side)
                if checkout is not None:
                    results[side] = run(checkout.resolve(), events_file.name,
                                        databases.new("reporting"), admin_url)
                    print(f"{side}: {results[side]}", flush=True)
        finally:
            databases.drop_all()
    print(f"\nreporting's live handler, per event ({len(found) - WARM_UP} measured):")
    compare(results, ("cpu_ms_per_event", "postgresql_cpu_ms_per_event",
                      "wall_ms_per_event", "statements_per_event", "commits_per_event"))


if __name__ == "__main__":
    if sys.path and sys.path[0] == str(Path(__file__).resolve().parent):
        sys.path.pop(0)  # run as a script: bench/'s modules (profile.py) shadow nobody
    main()
