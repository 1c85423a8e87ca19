"""Two replicas of one service, as two real processes on one database, relay every
outbox row exactly once."""
import time

import pytest
import sqlalchemy as sa

from services.members import models, schemas
from shared.database import UnitsOfWork, create_engine
from tests.support.events import organisation_registered
from tests.support.platform import Processes
from tests.support.queues import bind_spy_queue, drain
from tests.support.waiting import wait_until

ROWS = 400


@pytest.fixture
def two_replicas(broker_uri, databases, tmp_path):
    url = databases.new("members")
    processes = Processes({"AMQP_URI": broker_uri, "MEMBERS_DATABASE_URL": url,
                           "OUTBOX_POLL_INTERVAL": "0.02", "OUTBOX_BATCH_SIZE": "5"}, tmp_path)
    processes.start("members", "members#2")
    try:
        for name in ("members", "members#2"):
            wait_until(lambda name=name: "service started" in processes.log(name), timeout=60,
                       message=f"{name} to start")
        yield url, processes
    finally:
        processes.stop()


def test_each_outbox_row_is_published_exactly_once(two_replicas, broker_uri):
    url, processes = two_replicas
    spy = bind_spy_queue(broker_uri, "members", "spy-replicas")
    engine = create_engine(url)
    units = UnitsOfWork(engine, models.messaging, "members")
    emitted = []
    for batch in range(ROWS // 10):
        with units() as uow:  # written by "someone else": no relay is woken
            for i in range(10):
                emitted.append(uow.emit(schemas.ORGANISATION_REGISTERED,
                                      organisation_registered(f"Org {batch}-{i}"))["event_id"])

    received = []
    wait_until(lambda: received.extend(drain(broker_uri, spy)) or len(received) >= ROWS,
               timeout=60, message=f"{ROWS} events")
    time.sleep(1.0)  # a duplicate, if any, would arrive now
    received.extend(drain(broker_uri, spy))
    processes.assert_running()

    ids = [message_id for message_id, _ in received]
    assert len(ids) == ROWS, f"{len(ids) - len(set(ids))} duplicates"
    assert sorted(ids) == sorted(emitted)
    with engine.connect() as connection:
        pending = connection.scalar(sa.select(sa.func.count()).select_from(
            models.messaging.outbox).where(models.messaging.outbox.c.published_at.is_(None)))
    assert pending == 0
    engine.dispose()
