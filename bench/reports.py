"""How long the funders' reports take to answer with many contributions archived, and
how fast the projections are built (live rules) and rebuilt from the archive.

    python -m bench.reports --contributions 1000000 [--rebuild]

On a fresh reporting database (PostgreSQL when TEST_DATABASE_URL is set, else SQLite):
archives and projects a cluster's story (20 years, 20 member organisations, 400 projects
in the three territories, grants from 12 funders, volunteering) and N contributions from
N/5 accounts, through the same rules as the live handler (several events per
transaction here, one in the service); then times each report table, unfiltered and
filtered, as the reporting RPC reads it, without the network. It prints its figures and
asserts nothing.
"""
import argparse
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.reporting import models, projector, queries
from services.reporting.rebuild import rebuild
from shared.database import create_engine
from tests.support import reporting as story
from tests.support.databases import Databases

UTC = timezone.utc
YEARS = range(2006, 2026)
TERRITORIES = ("dombes", "val_de_saone", "cotiere")
FUNDERS = [f"Fondation {n}" for n in range(10)] + ["Région Auvergne-Rhône-Alpes",
                                                     "Département de l'Ain"]
BATCH = 500


def stamp(year, rng):
    return datetime(year, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(365 * 86400))


def cluster(rng, projects):
    """Everything but the contributions."""
    events = []
    organisations = [story.new_id() for _ in range(20)]
    services = [story.new_id() for _ in range(4)]
    events += [story.service_added(service, 2.25) for service in services]
    for index, organisation in enumerate(organisations):
        events.append(story.organisation_registered(organisation, "association",
                                                    TERRITORIES[index % 3]))
        for year in YEARS:
            membership = story.new_id()
            events.append(story.membership_renewed(membership, organisation, year))
            events.append(story.dues_paid(membership, organisation, year, 5000))
        if index % 2 == 0:
            events.append(story.subscription_started(story.new_id(), organisation,
                                                     services[index % 4], "2015-01-01"))
    for index, (project, year) in enumerate(projects):
        events.append(story.project_submitted(project, TERRITORIES[index % 3], year))
        events.append(story.jobs_reported(project, f"{year}-12-31", 2, 1))
        events.append(story.support_given(project, 20, f"{year}-05-01"))
        events.append(story.resource_recorded("grant", 1_000_000, year, project,
                                              FUNDERS[index % len(FUNDERS)], "private"))
        events.append(story.volunteering_recorded(10_000, year, project))
        events.append(story.campaign_decided(project, index % 4 != 0, stamp(year, rng)))
        if index % 20 == 0:
            events.append(story.enterprise_created(project, f"{year}-09-01"))
    return events


def contributions(rng, projects, count):
    accounts = [story.new_id() for _ in range(max(1, count // 5))]
    for number in range(count):
        project, year = projects[rng.randrange(len(projects))]
        contribution = story.new_id()
        amount = rng.choice((1000, 2500, 5000, 10000))
        yield story.contribution_confirmed(contribution, project, amount, stamp(year, rng),
                                           rng.choice(accounts) if number % 10 else None)
        if number % 50 == 0:
            yield story.contribution_ended("refunded", contribution, project, amount,
                                           stamp(year, rng))


def load(engine, events):
    """Archive and project `events`, BATCH a transaction; events per second."""
    started, done, batch = time.perf_counter(), 0, []

    def flush():
        with Session(engine) as session, session.begin():
            session.execute(models.ArchivedEvent.__table__.insert(), [
                {"event_id": envelope["event_id"], "type": envelope["type"],
                 "version": envelope["version"], "source": envelope["source"],
                 "occurred_at": envelope["occurred_at"], "correlation_id": None,
                 "data": json.dumps(envelope["data"]), "archived_at": datetime.now(UTC)}
                for envelope in batch])
            for envelope in batch:
                projector.project(session, envelope)

    for event in events:
        envelope = dict(event.envelope(), occurred_at=event.occurred_at)
        batch.append(envelope)
        done += 1
        if len(batch) == BATCH:
            flush()
            batch = []
            if done % 50_000 < BATCH:
                print(f"  {done} events, {done / (time.perf_counter() - started):.0f}/s",
                      flush=True)
    if batch:
        flush()
    return done, done / (time.perf_counter() - started)


QUERIES = (
    ("members", {}), ("members-breakdown", {}), ("incubation", {}),
    ("incubation-stages", {}), ("funding", {}), ("funding-by-kind", {}), ("resources", {}),
    ("funding", {"territory": "dombes"}), ("funding", {"funder": FUNDERS[3]}),
    ("funding", {"funder": FUNDERS[3], "territory": "cotiere", "from_year": "2010",
                 "to_year": "2020"}),
    ("incubation", {"funder": FUNDERS[10]}), ("resources", {"territory": "val_de_saone"}),
)


def pad(engine, count, events_per_contribution=4, other_events=0):
    """Rows that `count` more contributions leave behind where no answer reads them (the
    archive, the contributions lookup, the tallies), made in SQL in seconds rather than
    projected in hours: the answers' time must not change with them; and `other_events`
    more archived events of other kinds. PostgreSQL only."""
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO event_archive SELECT md5('a' || i)::uuid::text, "
            "'funding.contribution_captured', 1, 'funding', "
            "timestamptz '2006-01-01' + i * interval '10 minutes', NULL, '{}', now() "
            "FROM generate_series(1, :n) AS i"), {"n": count * events_per_contribution})
        connection.execute(sa.text(
            "INSERT INTO event_archive SELECT md5('o' || i)::uuid::text, "
            "'projects.support_given', 1, 'projects', "
            "timestamptz '2006-01-01' + i * interval '1 hour', NULL, '{}', now() "
            "FROM generate_series(1, :n) AS i"), {"n": other_events})
        connection.execute(sa.text(
            "INSERT INTO report_contributions (contribution_id, confirmed_year, account_id) "
            "SELECT md5('c' || i)::uuid::text, 2006 + i % 20, md5('u' || i % (:n / 5))::uuid::text "
            "FROM generate_series(1, :n) AS i"), {"n": count})
        for scope in ("all", "territory:dombes", "funder:fondation 3"):
            connection.execute(sa.text(
                "INSERT INTO report_contributor_tallies SELECT :scope, 2006 + i % 20, "
                "md5('u' || i)::uuid::text, 1 FROM generate_series(1, :n) AS i"),
                {"scope": "padding-" + scope, "n": count})
    # As a database that grew to this size over years has been: vacuumed and analysed.
    # Otherwise autovacuum starts on the new million rows while the answers are timed.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")


def time_reports(engine, repeat=20):
    figures = {}
    for table, query in QUERIES:
        spent = []
        for _ in range(repeat):
            with Session(engine) as session:
                started = time.perf_counter()
                queries.report(session, table, query, 2026)
                spent.append((time.perf_counter() - started) * 1000)
        label = table + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
        figures[label] = (statistics.median(spent), max(spent))
        print(f"  {label:<75} p50 {figures[label][0]:6.1f} ms   max {figures[label][1]:6.1f} ms")
    return figures


def main():
    parser = argparse.ArgumentParser(prog="python -m bench.reports")
    parser.add_argument("--contributions", type=int, default=100_000)
    parser.add_argument("--projects", type=int, default=400)
    parser.add_argument("--rebuild", action="store_true", help="time a rebuild as well")
    parser.add_argument("--padding", type=int, default=0,
                        help="this many more contributions' rows, made in SQL (see pad)")
    args = parser.parse_args()
    rng = random.Random(2005)
    projects = [(str(uuid.UUID(int=rng.getrandbits(128))), YEARS[index % len(YEARS)])
                for index in range(args.projects)]
    databases = Databases(os.environ.get("TEST_DATABASE_URL") or None,
                          Path(tempfile.mkdtemp(prefix="bench-reports-")))
    engine = create_engine(databases.new("reporting"))
    try:
        print(f"{databases.backend}: loading the cluster and {args.contributions} "
              "contributions", flush=True)
        events, rate = load(engine, [*cluster(rng, projects),
                                     *contributions(rng, projects, args.contributions)])
        with engine.connect() as connection:
            rows = {table.name: connection.scalar(sa.select(sa.func.count()).select_from(table))
                    for table in (models.ArchivedEvent.__table__, *models.PROJECTION_TABLES)}
        print(f"{events} events archived and projected at {rate:.0f}/s; rows: "
              + ", ".join(f"{name} {count}" for name, count in rows.items() if count))
        print("report answers (queries.report, in process):")
        time_reports(engine)
        if args.padding:
            pad(engine, args.padding)
            print(f"with {args.padding} more contributions' rows (4 archived events each):")
            time_reports(engine)
        if args.rebuild:
            started = time.perf_counter()
            replayed = rebuild(engine)
            elapsed = time.perf_counter() - started
            print(f"rebuild: {replayed} events in {elapsed:.0f} s ({replayed / elapsed:.0f}/s)")
    finally:
        engine.dispose()
        databases.drop_all()


if __name__ == "__main__":
    main()
