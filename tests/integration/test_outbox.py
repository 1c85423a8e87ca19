"""The outbox: a change commits with its event, and the event reaches the broker once,
even when the broker was away at the time."""
import kombu
import pytest
import sqlalchemy as sa
from nameko.standalone.rpc import ClusterRpcProxy
from nameko.testing.services import entrypoint_hook

from services.members import models, schemas
from services.members.service import MembersService
from shared.database import UnitsOfWork, create_engine
from shared.outbox import OutboxRelay
from tests.support.events import organisation_registered
from tests.support.queues import bind_spy_queue, drain
from tests.support.waiting import wait_until

ORGANISATION = {"name": "Recyclerie de la Dombes", "legal_form": "association",
                "postal_code": "01400", "commune": "Châtillon-sur-Chalaronne"}


@pytest.fixture
def members_db(databases):
    engine = create_engine(databases.new("members"))
    yield engine
    engine.dispose()


def register(units, name="Recyclerie"):
    with units() as uow:
        organisation = models.Organisation(id=f"{name:0>36}"[-36:], name=name, legal_form="other",
                                           postal_code="01000", commune="Bourg")
        uow.session.add(organisation)
        return uow.emit(schemas.ORGANISATION_REGISTERED, organisation_registered(name))


def outbox_rows(engine):
    with engine.connect() as connection:
        return connection.execute(sa.select(models.messaging.outbox)).mappings().all()


def test_with_the_broker_away_the_change_commits_and_its_event_waits_then_goes_once(
        broker_uri, proxy, members_db):
    spy = bind_spy_queue(broker_uri, "members", "spy-members")
    units = UnitsOfWork(members_db, models.messaging, "members")
    relay = OutboxRelay(members_db, models.messaging.outbox, proxy.uri_for(broker_uri))

    proxy.cut()
    envelope = register(units)
    with pytest.raises(RuntimeError):
        relay.relay_pending()

    [row] = outbox_rows(members_db)
    assert row["published_at"] is None and row["attempts"] == 1 and row["last_error"]
    with members_db.connect() as connection:
        assert connection.scalar(sa.select(sa.func.count()).select_from(models.Organisation)) == 1

    proxy.restore()
    assert relay.relay_pending() == 1
    assert relay.relay_pending() == 0
    [row] = outbox_rows(members_db)
    assert row["published_at"] is not None
    [(message_id, body)] = drain(broker_uri, spy)
    assert message_id == envelope["event_id"] == body["event_id"]
    assert body["type"] == "members.organisation_registered"


def test_a_change_that_rolls_back_sends_nothing(broker_uri, members_db):
    spy = bind_spy_queue(broker_uri, "members", "spy-members")
    units = UnitsOfWork(members_db, models.messaging, "members")
    relay = OutboxRelay(members_db, models.messaging.outbox, broker_uri)

    with pytest.raises(ZeroDivisionError):
        with units() as uow:
            uow.session.add(models.Organisation(id="x" * 36, name="Ghost", legal_form="other",
                                                postal_code="01000", commune="Bourg"))
            uow.emit(schemas.ORGANISATION_REGISTERED, organisation_registered("Ghost"))
            raise ZeroDivisionError("the change fails after its event was emitted")

    assert outbox_rows(members_db) == []
    assert relay.relay_pending() == 0
    assert drain(broker_uri, spy) == []


def test_an_unroutable_event_stays_pending_instead_of_vanishing(broker_uri, members_db):
    """No queue bound yet: RabbitMQ would drop the message; the relay keeps the row."""
    units = UnitsOfWork(members_db, models.messaging, "members")
    relay = OutboxRelay(members_db, models.messaging.outbox, broker_uri)
    register(units)
    with pytest.raises(RuntimeError, match="Unroutable"):
        relay.relay_pending()
    [row] = outbox_rows(members_db)
    assert row["published_at"] is None and "no queue is bound" in row["last_error"]

    spy = bind_spy_queue(broker_uri, "members", "spy-members")
    assert relay.relay_pending() == 1
    assert len(drain(broker_uri, spy)) == 1


def test_the_service_relay_delivers_after_the_broker_comes_back(
        proxy, container_factory, service_config, broker_uri):
    """The same, through a running members service and its relay thread. (The proxy
    comes first so that it outlives the container, which needs it to stop cleanly.)"""
    spy = bind_spy_queue(broker_uri, "members", "spy-members")
    config = service_config("members", AMQP_URI=proxy.uri_for(broker_uri),
                            OUTBOX_POLL_INTERVAL=0.1)
    container = container_factory(MembersService, config)
    container.start()

    proxy.cut()
    with entrypoint_hook(container, "register_organisation") as register_organisation:
        organisation = register_organisation(ORGANISATION)
    engine = next(ext for ext in container.dependencies if ext.attr_name == "db").engine
    [row] = outbox_rows(engine)
    assert row["published_at"] is None

    proxy.restore()
    messages = wait_until(lambda: drain(broker_uri, spy), timeout=20, message="the event")
    assert [body["data"]["organisation_id"] for _, body in messages] == [organisation["id"]]
    wait_until(lambda: outbox_rows(engine)[0]["published_at"] is not None, message="the mark")
    assert drain(broker_uri, spy) == []
    # The service's own consumers reconnect too: it answers RPC again.
    with ClusterRpcProxy({"AMQP_URI": broker_uri}, timeout=30) as rpc:
        assert rpc.members.ping() == {"service": "members", "status": "ok", "database": "ok"}



def test_a_batch_goes_out_in_one_go_and_only_its_unroutable_row_stays_pending(
        broker_uri, members_db):
    """The relay publishes a batch and waits for the broker's confirms together: each
    routed row is marked, in order, and an unroutable one keeps its error until a queue
    is bound."""
    spy = bind_spy_queue(broker_uri, "members", "spy-members")
    units = UnitsOfWork(members_db, models.messaging, "members")
    relay = OutboxRelay(members_db, models.messaging.outbox, broker_uri)
    envelopes = [register(units, f"Recyclerie {n}") for n in range(5)]
    outbox = models.messaging.outbox
    with members_db.begin() as connection:  # the third row goes where nothing listens
        connection.execute(outbox.update().where(outbox.c.event_id == envelopes[2]["event_id"])
                           .values(exchange="projects.events"))

    with pytest.raises(RuntimeError, match="Unroutable"):
        relay.relay_pending()
    rows = {row["event_id"]: row for row in outbox_rows(members_db)}
    assert [rows[e["event_id"]]["published_at"] is not None for e in envelopes] == \
        [True, True, False, True, True]
    assert rows[envelopes[2]["event_id"]]["attempts"] == 1
    assert [message_id for message_id, _ in drain(broker_uri, spy)] == \
        [e["event_id"] for n, e in enumerate(envelopes) if n != 2]

    bind_spy_queue(broker_uri, "projects", "spy-projects")
    assert relay.relay_pending() == 1
    assert relay.relay_pending() == 0


def test_confirms_lost_with_the_broker_link_leave_the_whole_batch_pending(
        broker_uri, proxy, members_db, monkeypatch):
    """The broker link breaks after the batch went out, before its confirms came back:
    nothing is known of the batch, so every row of it stays pending (the first carrying
    the error) and goes again once the broker is back. The broker may then hold a row
    twice, which consumers' inboxes absorb; a row is never marked unconfirmed."""
    spy = bind_spy_queue(broker_uri, "members", "spy-members")
    units = UnitsOfWork(members_db, models.messaging, "members")
    relay = OutboxRelay(members_db, models.messaging.outbox, proxy.uri_for(broker_uri))
    envelopes = [register(units, f"Recyclerie {n}") for n in range(3)]

    def confirms_lost(connection, **kwargs):
        proxy.cut()
        raise ConnectionResetError("the broker link broke before the confirms came back")
    monkeypatch.setattr(kombu.Connection, "drain_events", confirms_lost)
    with pytest.raises(RuntimeError, match="ConnectionResetError"):
        relay.relay_pending()
    monkeypatch.undo()
    rows = sorted(outbox_rows(members_db), key=lambda row: row["seq"])
    assert [row["published_at"] for row in rows] == [None, None, None]
    assert [row["attempts"] for row in rows] == [1, 0, 0]

    proxy.restore()
    assert relay.relay_pending() == 3
    assert all(row["published_at"] is not None for row in outbox_rows(members_db))
    delivered = [message_id for message_id, _ in drain(broker_uri, spy)]
    assert set(delivered) == {e["event_id"] for e in envelopes} and len(delivered) <= 6
