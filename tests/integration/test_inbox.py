"""The inbox: an event delivered twice changes the projection once; an event the
handler cannot apply goes to the dead-letter table and does not block the queue."""
import json
import time
from types import SimpleNamespace

import greenlet

import pytest
import sqlalchemy as sa
from nameko.testing.services import entrypoint_hook, entrypoint_waiter
from psycopg2.extensions import TRANSACTION_STATUS_IDLE

from services.funding.schemas import CONTRIBUTION_CONFIRMED
from services.reporting import models
from services.reporting.service import ReportingService
from shared.database import UnitsOfWork, create_engine
from shared.inbox import apply_once
from tests.support.events import (confirmed_contribution, pledged_contribution, publish_confirmed,
                                  publish_raw)


@pytest.fixture
def reporting(container_factory, service_config):
    container = container_factory(ReportingService, service_config("reporting"))
    container.start()
    return container


def summary(container):
    with entrypoint_hook(container, "get_summary") as get_summary:
        return get_summary()


def test_an_event_delivered_twice_changes_the_projection_once(reporting, broker_uri):
    envelope = confirmed_contribution(1234)
    with entrypoint_waiter(reporting, "archive") as first:
        publish_confirmed(broker_uri, envelope)
    with entrypoint_waiter(reporting, "archive") as second:
        publish_confirmed(broker_uri, envelope)
    assert (first.get(), second.get()) == ("applied", "duplicate")
    assert summary(reporting)["amount_raised_cents"] == 1234
    assert summary(reporting)["contributions"] == 1


def test_a_poison_event_is_dead_lettered_and_the_next_one_still_counts(reporting, broker_uri):
    poison = confirmed_contribution(-5)
    with entrypoint_waiter(reporting, "archive") as outcome:
        publish_confirmed(broker_uri, poison)
    assert outcome.get() == "dead_lettered"

    with entrypoint_waiter(reporting, "archive") as outcome:
        publish_confirmed(broker_uri, confirmed_contribution(700))
    assert outcome.get() == "applied"
    assert summary(reporting)["amount_raised_cents"] == 700

    with entrypoint_hook(reporting, "dead_letters") as dead_letters:
        [letter] = dead_letters()
    assert letter["event_id"] == poison["event_id"]
    assert letter["consumer"] == "reporting.archive"
    assert "amount_cents must be a positive integer" in letter["error"]
    # Nothing of the poison event was half-written.
    engine = next(ext for ext in reporting.dependencies if ext.attr_name == "db").engine
    with engine.connect() as connection:
        archived = connection.scalars(sa.select(models.ArchivedEvent.event_id)).all()
    assert poison["event_id"] not in archived

    # An operator replays it: it fails again, and is recorded again, not lost.
    with entrypoint_hook(reporting, "replay_dead_letter") as replay:
        assert replay(letter["id"]) == {"id": letter["id"], "outcome": "dead_lettered"}
    with entrypoint_hook(reporting, "dead_letters") as dead_letters:
        assert [d["event_id"] for d in dead_letters()] == [poison["event_id"]]


def test_a_dead_letter_for_a_missing_field_names_the_event_and_the_field(reporting, broker_uri):
    lacking = confirmed_contribution(900)
    del lacking["data"]["amount_cents"]
    with entrypoint_waiter(reporting, "archive") as outcome:
        publish_confirmed(broker_uri, lacking)
    assert outcome.get() == "dead_lettered"
    with entrypoint_hook(reporting, "dead_letters") as dead_letters:
        [letter] = dead_letters()
    assert letter["event_id"] == lacking["event_id"]
    assert letter["error"] == (f"funding.contribution_confirmed v{CONTRIBUTION_CONFIRMED.version}"
                               ": its data has no field 'amount_cents'")


def test_an_event_the_inbox_forgot_but_the_archive_kept_is_claimed_again_and_moves_nothing(
        reporting, broker_uri):
    """Reporting claims its delivery and archives the event in one statement: after the
    inbox forgot the event (30 days), the claim is new but the archive's row is not, and
    the projections do not move twice."""
    envelope = confirmed_contribution(1500)
    with entrypoint_waiter(reporting, "archive") as first:
        publish_confirmed(broker_uri, envelope)
    engine = next(ext for ext in reporting.dependencies if ext.attr_name == "db").engine
    inbox = models.messaging.inbox
    with engine.begin() as connection:
        assert connection.execute(inbox.delete().where(
            inbox.c.event_id == envelope["event_id"])).rowcount == 1
    with entrypoint_waiter(reporting, "archive") as again:
        publish_confirmed(broker_uri, envelope)
    with entrypoint_waiter(reporting, "archive") as third:
        publish_confirmed(broker_uri, envelope)
    assert (first.get(), again.get(), third.get()) == ("applied", "applied", "duplicate")
    assert (summary(reporting)["contributions"], summary(reporting)["amount_raised_cents"]) \
        == (1, 1500)


def test_an_event_that_moves_no_projection_is_archived_by_one_statement_as_its_own_transaction(
        reporting, broker_uri):
    """A pledge moves no projection: its claim and archive row, one statement, run as
    their own transaction (sent without BEGIN: the server holds no transaction after
    it, and no COMMIT follows). A confirmation, which moves the projections, still
    runs every statement in one transaction, on a connection the pool handed back
    clean."""
    engine = next(ext for ext in reporting.dependencies if ext.attr_name == "db").engine
    seen = []  # (the worker's green thread, the statement's verb, in a transaction after)

    def record(connection, cursor, statement, parameters, context, executemany):
        seen.append((greenlet.getcurrent(), statement.split()[0],
                     cursor.connection.get_transaction_status() != TRANSACTION_STATUS_IDLE,
                     parameters))

    def run_for(envelope):
        """The statements of the handler that archived `envelope` (events other tests
        left in the queue may be handled meanwhile, by other workers)."""
        [worker] = {thread for thread, _, _, parameters in seen
                    if (parameters or {}).get("inbox_event_id") == str(envelope["event_id"])}
        return [(verb, open_after) for thread, verb, open_after, _ in seen if thread is worker]

    pledge, confirmation = pledged_contribution(2500), confirmed_contribution(800)
    wanted = {str(pledge["event_id"]), str(confirmation["event_id"])}
    archive = models.ArchivedEvent.__table__
    sa.event.listen(engine, "after_cursor_execute", record)
    try:
        publish_raw(broker_uri, json.dumps(pledge).encode(), "application/json",
                    routing_key="contribution_pledged")
        publish_confirmed(broker_uri, confirmation)
        deadline = time.monotonic() + 30
        while True:
            with engine.connect() as connection:
                archived = set(connection.scalars(sa.select(archive.c.event_id).where(
                    archive.c.event_id.in_(wanted))))
            if archived == wanted or time.monotonic() > deadline:
                break
            time.sleep(0.1)
    finally:
        sa.event.remove(engine, "after_cursor_execute", record)
    assert archived == wanted
    assert run_for(pledge) == [("WITH", False)]
    confirmation_statements = run_for(confirmation)
    assert len(confirmation_statements) > 1
    assert all(open_after for _, open_after in confirmation_statements)


def test_a_statement_alone_after_another_in_its_unit_of_work_is_refused(databases):
    engine = create_engine(databases.new("reporting"))
    units = UnitsOfWork(engine, models.messaging, "reporting")
    try:
        with pytest.raises(RuntimeError, match="first"):
            with units() as uow:
                uow.session.execute(models.Summary.__table__.update().values(contributions=5))
                uow.delivery = ("reporting.archive", "an-event")
                uow.first_delivery_with(models.ArchivedEvent.__table__, {}, alone=True)
        with engine.connect() as connection:  # the unit rolled back: nothing written
            assert connection.scalar(sa.select(models.Summary.contributions)) == 0
    finally:
        engine.dispose()


def test_a_handler_that_claims_itself_but_did_not_claim_is_dead_lettered(databases):
    engine = create_engine(databases.new("reporting"))
    service = SimpleNamespace(name="reporting",
                              db=UnitsOfWork(engine, models.messaging, "reporting"))

    def forgetful(service, uow, envelope):
        uow.session.execute(models.Summary.__table__.update().values(contributions=99))
    forgetful.claims_itself = True
    envelope = confirmed_contribution(100)
    try:
        assert apply_once(service, forgetful, envelope) == "dead_lettered"
        with engine.connect() as connection:
            assert connection.scalar(sa.select(models.Summary.contributions)) == 0
            [error] = connection.scalars(sa.select(models.messaging.dead_letters.c.error))
            assert connection.scalar(sa.select(sa.func.count()).select_from(
                models.messaging.inbox)) == 0
    finally:
        engine.dispose()
    assert "did not claim" in error
