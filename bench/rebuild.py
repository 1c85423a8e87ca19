"""How long the rebuild of reporting's projections takes, in CPU and wall time, on one
archive, for one or two checkouts of the project compared in one run.

    python -m bench.rebuild --contributions 30000 --before /tmp/base --after .
    python -m bench.rebuild --contributions 1000000            (this checkout alone)

Fills the archive of a fresh reporting database (PostgreSQL, TEST_DATABASE_URL) with the
story of bench/reports.py (20 years of a cluster, 400 projects, grants, volunteering)
and N contributions (one refund in fifty), archived only, not projected. Then, for each
checkout, on a copy of that database: `python -m services.reporting.rebuild` run from
the checkout, its CPU time (the command's process, user + system, and PostgreSQL's
backends serving it, read from /proc), its wall time, and a digest of every projection
table it wrote, so that the two checkouts' results can be told the same. Compare
checkouts in one run: the machine's speed moves between runs. Figures only, no asserts.
"""
import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bench import reports
from bench.cpu import cpu_seconds
from services.reporting import models
from shared.database import create_engine, with_driver
from tests.support.databases import Databases

BATCH = 5000


def envelope_row(event) -> dict:
    """An archive row of a story's event, as the live handler archives it (made here
    without checking the data against its schema: the story's events are valid)."""
    return {"event_id": str(uuid.uuid4()), "type": event.spec.type,
            "version": event.spec.version, "source": event.spec.source,
            "occurred_at": event.occurred_at, "correlation_id": None,
            "data": json.dumps(event.data), "archived_at": datetime.now(timezone.utc)}


def fill_archive(url, contributions, projects_count) -> int:
    rng = random.Random(2005)
    projects = [(str(uuid.UUID(int=rng.getrandbits(128))), reports.YEARS[i % len(reports.YEARS)])
                for i in range(projects_count)]
    events = [*reports.cluster(rng, projects), *reports.contributions(rng, projects,
                                                                     contributions)]
    engine = create_engine(url)
    archived, batch = 0, []
    try:
        insert = models.ArchivedEvent.__table__.insert()
        for event in events:
            batch.append(envelope_row(event))
            if len(batch) == BATCH:
                with engine.begin() as connection:
                    connection.execute(insert, batch)
                archived, batch = archived + len(batch), []
        if batch:
            with engine.begin() as connection:
                connection.execute(insert, batch)
            archived += len(batch)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE event_archive")
    finally:
        engine.dispose()
    return archived


class BackendCpu:
    """CPU seconds of the PostgreSQL backends connected to one database, sampled every
    half second while they live (a backend's last half second may be missed)."""

    def __init__(self, admin_url, database):
        self._engine = sa.create_engine(with_driver(admin_url), poolclass=sa.NullPool)
        self._database = database
        self._seen = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self, connection):
        pids = connection.execute(sa.text(
            "SELECT pid FROM pg_stat_activity WHERE datname = :name"),
            {"name": self._database}).scalars().all()
        connection.commit()  # pg_stat_activity stays the same within a transaction
        for pid in pids:
            try:
                self._seen[pid] = cpu_seconds(pid)
            except OSError:
                continue

    def _run(self):
        with self._engine.connect() as connection:
            while not self._stop.wait(0.5):
                self._sample(connection)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()
        self._engine.dispose()

    @property
    def seconds(self):
        return sum(self._seen.values())


def digest(url) -> str:
    """One digest of every projection table's rows, in key order."""
    engine = create_engine(url)
    found = hashlib.sha256()
    try:
        with engine.connect() as connection:
            for table in (*models.PROJECTION_TABLES, models.Summary.__table__):
                for row in connection.execute(sa.select(table)
                                              .order_by(*table.primary_key.columns)):
                    found.update(repr(tuple(row)).encode())
    finally:
        engine.dispose()
    return found.hexdigest()[:16]


def rebuild_with(checkout: Path, url, admin_url) -> dict:
    """Run `python -m services.reporting.rebuild` from `checkout` on the database `url`."""
    env = {**os.environ, "PYTHONPATH": str(checkout), "REPORTING_DATABASE_URL": url}
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, \
            BackendCpu(admin_url, make_url(url).database) as backends:
        process = subprocess.Popen([sys.executable, "-m", "services.reporting.rebuild"],
                                   env=env, cwd=checkout, stdout=out, stderr=subprocess.STDOUT,
                                   text=True)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        out.seek(0)
        said = out.read()
    if process.returncode:
        raise SystemExit(f"the rebuild of {checkout} failed:\n{said[-3000:]}")
    return {"checkout": str(checkout), "wall_s": round(wall, 1),
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
            "postgresql_cpu_s": round(backends.seconds, 1),
            "max_rss_mb": round(usage.ru_maxrss / 1024),
            "said": said.strip().splitlines()[-1], "digest": digest(url)}


def main():
    parser = argparse.ArgumentParser(prog="python -m bench.rebuild")
    parser.add_argument("--contributions", type=int, default=30_000)
    parser.add_argument("--projects", type=int, default=400)
    parser.add_argument("--before", type=Path, help="a checkout to compare with (main's)")
    parser.add_argument("--after", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args()
    admin_url = os.environ.get("TEST_DATABASE_URL")
    if not admin_url:
        raise SystemExit("needs TEST_DATABASE_URL (PostgreSQL)")
    databases = Databases(admin_url, Path(tempfile.mkdtemp(prefix="bench-rebuild-")))
    try:
        source = databases.new("reporting")
        started = time.perf_counter()
        archived = fill_archive(source, args.contributions, args.projects)
        print(f"archive: {archived} events ({args.contributions} contributions), filled in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
        results = {}
        for side in ("before", "after"):
            checkout = getattr(args, side)
            if checkout is None:
                continue
            results[side] = rebuild_with(checkout.resolve(), databases.copy_of(source),
                                         admin_url)
            print(f"{side}: {results[side]}", flush=True)
    finally:
        databases.drop_all()
    print(f"\nrebuild of {archived} archived events ({args.contributions} contributions):")
    compare(results, ("cpu_s", "postgresql_cpu_s", "wall_s", "max_rss_mb"))
    for side, result in results.items():
        rate = archived / result["cpu_s"] if result["cpu_s"] else 0
        print(f"{side}: {rate:.0f} events per CPU second")


def compare(results, figures):
    """Print each figure of each side (before, after) and their ratio; then whether the
    two wrote the same projections (their digests)."""
    print(f"{'':<30}" + "".join(f"{side:>12}" for side in results)
          + ("       ratio" if len(results) == 2 else ""))
    for figure in figures:
        values = [results[side][figure] for side in results]
        ratio = (f"{values[0] / values[1]:>11.2f}x" if len(values) == 2 and values[1]
                 else "")
        print(f"{figure:<30}" + "".join(f"{value:>12}" for value in values) + ratio)
    if len(results) == 2:
        same = results["before"]["digest"] == results["after"]["digest"]
        print("the two wrote the same projections, row by row (digest "
              f"{results['after']['digest']})" if same
              else "THE TWO WROTE DIFFERENT PROJECTIONS")


if __name__ == "__main__":
    main()
