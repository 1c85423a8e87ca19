"""Every benchmark in one run (`make bench`): one table, and bench/results/latest.json.

    make bench                                    (python -m bench.run)
    make bench BENCH_ARGS="--quick"               (a few minutes, small counts)

1. The machine's ceilings (bench/ceilings.py): RabbitMQ publish (confirms) + consume of
   contribution-sized events, PostgreSQL commits and the bare nameko RPC round trip, at
   each concurrency.
2. Contributions through the gateway (bench/contributions.py) at each concurrency, p50 and
   p99, CPU per contribution by process, and propagation to reporting under load; with one
   funding replica, then two.
3. Reports at scale, on the same platform: the cluster's story and N contributions
   projected by the live rules into reporting's database, the rebuild
   (`python -m services.reporting.rebuild`, events replayed per second), then rows for
   1,000,000 contributions and 100,000 other events in the archive (bench/reports.py's
   padding), and the dashboard's API answer (GET /reports/dashboard, its five tables in
   one call, as the funders' page asks) through the gateway, each table's route beside it.

Rates are printed with their ratio to the ceiling they compare with (contributions/s to
the bare RPC round trip at the same concurrency); times with the project's aim. Figures
only, no asserts. Needs TEST_DATABASE_URL (PostgreSQL) and the broker at AMQP_URI.
"""
import argparse
import json
import os
import random
import re
import subprocess
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import requests
import sqlalchemy as sa

from bench import ceilings, contributions, reports
from shared.config import REPO_ROOT
from shared.database import create_engine

RESULTS = REPO_ROOT / "bench" / "results"
# The tables of GET /reports/dashboard, each also timed on its own route.
DASHBOARD = ("members", "members/breakdown", "incubation", "funding", "resources")
# The project's aims on a 2-core machine (README, "Figures").
AIMS = {"rpc_ratio": 0.5, "p99_c16_ms": 100, "propagation_p99_ms": 250, "dashboard_p99_ms": 50}

FULL = {"requests": 2000, "probes": 200, "ceiling_count": 5000, "report_contributions": 10_000,
        "projects": 400, "archive_contributions": 1_000_000, "other_events": 100_000,
        "dashboard_views": 100}
QUICK = {"requests": 300, "probes": 30, "ceiling_count": 1000, "report_contributions": 1000,
         "projects": 40, "archive_contributions": 100_000, "other_events": 10_000,
         "dashboard_views": 30}


def log(message):
    print(message, flush=True)


def reports_at_scale(platform, settings):
    """The reports phase, on the platform's own reporting database and gateway."""
    engine = create_engine(platform.urls["reporting"])
    figures = {}
    try:
        rng = random.Random(2005)
        projects = [(str(uuid.UUID(int=rng.getrandbits(128))),
                     reports.YEARS[index % len(reports.YEARS)])
                    for index in range(settings["projects"])]
        log(f"reports: projecting the cluster and {settings['report_contributions']} "
            "contributions with the live rules")
        events, rate = reports.load(engine, [
            *reports.cluster(rng, projects),
            *reports.contributions(rng, projects, settings["report_contributions"])])
        figures["projection"] = {"events": events, "per_second": round(rate, 1)}
        log(f"  projected {events} events at {rate:.0f}/s")

        env = {**platform.processes.env, "REPORTING_DATABASE_URL": platform.urls["reporting"]}
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "services.reporting.rebuild"], env=env,
                              cwd=REPO_ROOT, capture_output=True, text=True, check=True)
        elapsed = time.perf_counter() - started
        # The command's own figure: the rebuild, without the interpreter's start.
        found = re.search(r"(\d+) events replayed into the projections in ([\d.]+) s",
                          done.stdout)
        replayed, seconds = int(found[1]), float(found[2])
        figures["rebuild"] = {"events": replayed, "seconds": seconds,
                              "command_seconds": round(elapsed, 1),
                              "per_second": round(replayed / max(seconds, 0.1), 1)}
        log(f"  rebuild: {figures['rebuild']}")

        more = max(0, settings["archive_contributions"] - settings["report_contributions"])
        log(f"reports: rows for {more} more contributions (one archived event each) and "
            f"{settings['other_events']} other events, in SQL")
        reports.pad(engine, more, events_per_contribution=1,
                    other_events=settings["other_events"])
        with engine.connect() as connection:
            figures["archive_events"] = connection.scalar(sa.text(
                "SELECT count(*) FROM event_archive"))
            figures["contributions"] = connection.scalar(sa.text(
                "SELECT count(*) FROM report_contributions"))
    finally:
        engine.dispose()
    figures["dashboard"] = dashboard_answers(platform.api, settings["dashboard_views"])
    log(f"  dashboard API: {figures['dashboard']}")
    return {"reports": figures}


def dashboard_answers(api, views):
    """The dashboard's answer through the gateway, as the funders' page asks for it
    (GET /reports/dashboard: its five tables in one call); then each table's own route,
    for where the time goes."""
    http = requests.Session()
    http.headers.update(contributions.bearer(api, "staff@bench.example"))
    paths = ("dashboard", *DASHBOARD)
    for path in paths:  # warm-up: connections, plans
        http.get(f"{api}/reports/{path}").raise_for_status()
    spent = {path: [] for path in paths}
    for _ in range(views):
        for path in paths:
            started = time.perf_counter()
            http.get(f"{api}/reports/{path}", timeout=30).raise_for_status()
            spent[path].append(time.perf_counter() - started)

    def ms(values, fraction):
        return round(contributions.percentile(values, fraction) * 1000, 1)
    return {"views": views, "p50_ms": ms(spent["dashboard"], 0.5),
            "p99_ms": ms(spent["dashboard"], 0.99),
            "per_table_p99_ms": {path: ms(values, 0.99) for path, values in spent.items()
                                 if path != "dashboard"}}


def table(result):
    """(figure, value, compared with, ratio) rows."""
    rows, ceiling = [], result["ceilings"]
    rabbit = ceiling["rabbitmq"]["per_second"]
    rows.append(("RabbitMQ publish (confirms) + consume, msg/s", rabbit, "", ""))
    for concurrency in result["concurrencies"]:
        rows.append((f"PostgreSQL commits/s c{concurrency}",
                     ceiling[f"postgresql_c{concurrency}"]["per_second"], "", ""))
        rows.append((f"bare nameko RPC calls/s c{concurrency}",
                     ceiling[f"rpc_c{concurrency}"]["per_second"],
                     f"p50 {ceiling[f'rpc_c{concurrency}']['p50_ms']} ms, "
                     f"p99 {ceiling[f'rpc_c{concurrency}']['p99_ms']} ms", ""))
    for replicas in result["replicas"]:
        figures = result["contributions"][f"replicas_{replicas}"]
        label = f"{replicas} funding replica" + ("s" if replicas > 1 else "")
        for concurrency in result["concurrencies"]:
            run = figures[f"c{concurrency}"]
            rpc = ceiling[f"rpc_c{concurrency}"]["per_second"]
            pg = ceiling[f"postgresql_c{concurrency}"]["per_second"]
            rows.append((f"contributions/s c{concurrency}, {label}", run["per_second"],
                         f"/ RPC {rpc:.0f}, / PG {pg:.0f}, / RabbitMQ {rabbit:.0f}",
                         f"{run['per_second'] / rpc:.2f}, {run['per_second'] / pg:.3f}, "
                         f"{run['per_second'] / rabbit:.3f}"))
            rows.append((f"  p50 / p99 ms c{concurrency}, {label}",
                         f"{run['p50_ms']} / {run['p99_ms']}",
                         f"/ bare RPC p99 {ceiling[f'rpc_c{concurrency}']['p99_ms']} ms",
                         f"{run['p99_ms'] / ceiling[f'rpc_c{concurrency}']['p99_ms']:.1f}"))
            cpu = run["cpu_ms_per_request"]
            rows.append((f"  CPU ms per contribution c{concurrency}, {label}",
                         round(sum(cpu.values()), 1),
                         ", ".join(f"{name} {value}" for name, value in
                                   sorted(cpu.items(), key=lambda item: -item[1])
                                   if value >= 0.1), ""))
        propagation = figures["propagation"]
        for name, text in (("pledge_to_archive", "pledge answer -> reporting archive"),
                           ("confirm_to_summary", "payer confirms -> reporting summary")):
            rows.append((f"{text} p50 / p99 ms, {label} (c"
                         f"{propagation['background_concurrency']} load)",
                         f"{propagation[name]['p50_ms']} / {propagation[name]['p99_ms']}",
                         f"aim p99 < {AIMS['propagation_p99_ms']} ms",
                         f"{propagation[name]['p99_ms'] / AIMS['propagation_p99_ms']:.2f}"))
    if len(result["replicas"]) > 1:
        first, last = (result["contributions"][f"replicas_{n}"]
                       for n in (result["replicas"][0], result["replicas"][-1]))
        for concurrency in result["concurrencies"]:
            before, after = first[f"c{concurrency}"], last[f"c{concurrency}"]
            rows.append((f"{result['replicas'][-1]} vs {result['replicas'][0]} replicas, "
                         f"contributions/s c{concurrency}",
                         f"{before['per_second']} -> {after['per_second']}", "",
                         f"x{after['per_second'] / before['per_second']:.2f}"))
    if "reports" in result:
        figures = result["reports"]
        dashboard = figures["dashboard"]
        rows.append((f"dashboard API (5 tables, one call) p50 / p99 ms, {figures['contributions']} "
                     f"contributions, {figures['archive_events']} archived events",
                     f"{dashboard['p50_ms']} / {dashboard['p99_ms']}",
                     f"aim p99 < {AIMS['dashboard_p99_ms']} ms",
                     f"{dashboard['p99_ms'] / AIMS['dashboard_p99_ms']:.2f}"))
        rows.append(("projection, live rules, events/s", figures["projection"]["per_second"],
                     f"{figures['projection']['events']} events", ""))
        rows.append(("rebuild, events replayed/s", figures["rebuild"]["per_second"],
                     f"{figures['rebuild']['events']} events in "
                     f"{figures['rebuild']['seconds']} s", ""))
    return rows


def print_table(rows):
    widths = [max(len(str(row[i])) for row in rows) for i in range(4)]
    header = ("figure", "value", "compared with", "ratio")
    widths = [max(width, len(name)) for width, name in zip(widths, header, strict=True)]
    for row in (header, tuple("-" * width for width in widths), *rows):
        print("  ".join(str(cell).ljust(width) for cell, width in
                        zip(row, widths, strict=True)).rstrip())


def main():
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split(
        "\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small counts: a few minutes")
    parser.add_argument("--concurrency", type=int, action="append",
                        help="load concurrency (repeatable; default 16 and 64)")
    parser.add_argument("--replicas", type=int, action="append",
                        help="funding replicas (repeatable; default 1 and 2)")
    for name, value in FULL.items():
        parser.add_argument("--" + name.replace("_", "-"), type=int,
                            help=f"default {value} ({QUICK[name]} with --quick)")
    parser.add_argument("--no-reports", action="store_true", help="skip the reports phase")
    parser.add_argument("--profile", type=Path,
                        help="py-spy funding and the gateway during the first load, into DIR")
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.json")
    args = parser.parse_args()
    if not os.environ.get("TEST_DATABASE_URL"):
        parser.error("set TEST_DATABASE_URL to a PostgreSQL admin URL (the Makefile finds "
                     "one on 127.0.0.1:5432)")
    settings = {name: getattr(args, name) or (QUICK if args.quick else FULL)[name]
                for name in FULL}
    concurrencies = tuple(args.concurrency or (16, 64))
    replicas = tuple(args.replicas or (1, 2))
    started = time.perf_counter()
    result = {"started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "cpus": os.cpu_count(), "load_average_before": os.getloadavg(),
              "quick": args.quick, "settings": settings, "concurrencies": concurrencies,
              "replicas": replicas}

    log("ceilings")
    result["ceilings"] = ceilings.measure(concurrencies, settings["ceiling_count"],
                                          settings["ceiling_count"], settings["ceiling_count"],
                                          log=lambda line: log("  " + line))
    log("contributions through the gateway")
    after = None if args.no_reports else (lambda platform, _staff:
                                          reports_at_scale(platform, settings))
    measured = contributions.run(settings["requests"], concurrencies, settings["probes"],
                                 replicas, background=concurrencies[0],
                                 profile_dir=args.profile, log=log, after=after)
    result.update({"reports": measured.pop("reports")} if "reports" in measured else {})
    result["contributions"] = measured
    result["seconds"] = round(time.perf_counter() - started)
    result["load_average_after"] = os.getloadavg()

    print()
    print(f"{result['cpus']} CPUs, load average before {result['load_average_before'][0]:.2f}, "
          f"{result['seconds']} s" + (" (--quick)" if args.quick else ""))
    print_table(table(result))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwritten to {args.out}")
    if args.profile:
        from bench.profile import summarise
        print(summarise(args.profile, settings["requests"]))


if __name__ == "__main__":
    main()
