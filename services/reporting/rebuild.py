"""Empty every projection and build it again from the archive, in the archive's order.

    python -m services.reporting.rebuild            (in compose: docker compose exec
                                                     reporting python -m services.reporting.rebuild)

It runs in one transaction, with the same rules as the live handler (projector.py), so
the result is the live one (tests/integration/test_reporting.py compares them row by
row). It reads the archive page by page and folds every event into the projections
kept in memory (memory.py), then writes each table in batches of rows: a few statements
per thousand events instead of several per event.

On PostgreSQL it first locks the archive against writes: events that arrive meanwhile
wait in their queue, then apply on top of the rebuilt figures; a handler that archived
an event before the lock is waited for, and its event is replayed. Readers are not
blocked: they see the old figures until the rebuild commits.
"""
import argparse
import json
import logging
import sys
import time

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.reporting import models, projector
from services.reporting.memory import Memory
from shared import logs
from shared.config import Settings, database_url
from shared.database import create_engine

log = logging.getLogger("services.reporting.rebuild")
BATCH = 5000


def _envelope(row) -> dict:
    return {"event_id": row.event_id, "type": row.type, "version": row.version,
            "source": row.source, "occurred_at": row.occurred_at,
            "correlation_id": row.correlation_id, "data": json.loads(row.data)}


def archived_events(session, batch=BATCH):
    """Every archived event in the order (occurred_at, event_id), page by page (rows of
    its columns, not ORM objects)."""
    archived = models.ArchivedEvent.__table__
    query = sa.select(archived).order_by(archived.c.occurred_at, archived.c.event_id)
    after = None
    while True:
        page = query if after is None else query.where(
            sa.tuple_(archived.c.occurred_at, archived.c.event_id) > sa.tuple_(*after))
        rows = session.execute(page.limit(batch)).all()
        yield from rows
        if len(rows) < batch:
            return
        after = (rows[-1].occurred_at, rows[-1].event_id)


def rebuild(engine) -> int:
    """Rebuild every projection (the summary too) from the archive; the number of events
    replayed."""
    with Session(engine) as session, session.begin():
        if engine.dialect.name == "postgresql":
            session.execute(sa.text("LOCK TABLE event_archive IN SHARE MODE"))
        state, replayed = Memory(), 0
        for row in archived_events(session):
            projector.project_into(state, _envelope(row))
            replayed += 1
        for table in models.PROJECTION_TABLES:
            session.execute(table.delete())
        summary = models.Summary.__table__
        session.execute(summary.update().where(summary.c.id == models.SUMMARY_ID).values(
            organisations=0, projects=0, campaigns=0, contributions=0, amount_raised_cents=0))
        state.write(session)
    return replayed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.reporting.rebuild",
                                     description=__doc__.split("\n\n")[0])
    parser.parse_args(argv)
    settings = Settings()
    logs.configure("reporting-rebuild", settings.log_level)
    engine = create_engine(database_url("reporting"))
    started = time.monotonic()
    try:
        replayed = rebuild(engine)
    finally:
        engine.dispose()
    elapsed = time.monotonic() - started
    log.info("projections rebuilt", extra={"events": replayed, "seconds": round(elapsed, 1)})
    print(f"{replayed} events replayed into the projections in {elapsed:.1f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
