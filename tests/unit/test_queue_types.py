"""AMQP_QUEUE_TYPE's pure pieces: the arguments each kind of queue is declared with, the
RPC reply queues that stay classic and exclusive, and passwords kept out of logs."""
import io
import json
import logging

import pytest
from kombu import Queue

from shared import logs, topology
from shared.config import Settings
from shared.rpc import reply_queue
from tests.support.queues import read_queue_listing

CLUSTER_URI = ("amqp://dombinnov:s3cret-pass@rabbitmq:5672/;"
               "amqp://dombinnov:s3cret-pass@rabbitmq-2:5672/")


def test_queue_arguments_by_type():
    assert topology.queue_arguments("classic") == {}
    assert topology.queue_arguments("quorum") == {"x-queue-type": "quorum"}
    with pytest.raises(ValueError, match="one of classic, quorum"):
        topology.queue_arguments("mirrored")


def test_the_setting_defaults_to_classic_and_reaches_the_services_config(monkeypatch):
    monkeypatch.delenv("AMQP_QUEUE_TYPE", raising=False)
    assert Settings().nameko_config("members")["AMQP_QUEUE_TYPE"] == "classic"
    monkeypatch.setenv("AMQP_QUEUE_TYPE", "quorum")
    config = Settings().nameko_config("members")
    assert topology.queue_type_of(config) == "quorum"
    assert topology.queue_type_of({}) == "classic"


def test_every_queue_of_the_topology_takes_the_type():
    quorum = topology.all_queues("quorum")
    assert quorum and all(queue.queue_arguments == {"x-queue-type": "quorum"}
                          for queue in quorum)
    assert all(queue.durable and not queue.exclusive and not queue.auto_delete
               for queue in quorum)
    assert all(not queue.queue_arguments for queue in topology.all_queues())


def test_typed_copies_a_queue_and_keeps_its_other_arguments():
    queue = Queue("rpc-members", durable=True, queue_arguments={"x-max-length": 10})
    copied = topology.typed(queue, "quorum")
    assert copied.queue_arguments == {"x-max-length": 10, "x-queue-type": "quorum"}
    assert queue.queue_arguments == {"x-max-length": 10}
    assert copied.name == "rpc-members" and copied is not queue


@pytest.mark.parametrize("options", [{"exclusive": True}, {"auto_delete": True},
                                     {"durable": False}])
def test_a_quorum_queue_is_never_exclusive_nor_transient(options):
    with pytest.raises(ValueError, match="a quorum queue is durable"):
        topology.typed(Queue("q", **options), "quorum")
    assert topology.typed(Queue("q", **options), "classic").queue_arguments == {}


def test_reply_queues_are_classic_exclusive_and_each_its_own():
    first, second = (reply_queue("gateway", {}) for _ in range(2))
    assert (first.durable, first.exclusive, first.auto_delete) == (False, True, True)
    assert not first.queue_arguments
    assert first.name == f"rpc.reply-gateway-{first.routing_key}"
    assert first.exchange.name == "nameko-rpc" and first.name != second.name


def test_passwords_in_uris_are_masked():
    assert logs.mask_passwords(f"cannot reach {CLUSTER_URI} (refused)") == (
        "cannot reach amqp://dombinnov:***@rabbitmq:5672/;amqp://dombinnov:***@rabbitmq-2:5672/"
        " (refused)")
    untouched = "amqp://guest@localhost/ amqp://rabbitmq:5672/vhost http://example.org/a@b"
    assert logs.mask_passwords(untouched) == untouched


def test_log_lines_never_carry_a_uri_password():
    stream = io.StringIO()
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        logs.configure("test", stream=stream)
        logging.getLogger("shared.cli").warning("waiting for RabbitMQ",
                                                extra={"error": f"at {CLUSTER_URI}"})
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    line = json.loads(stream.getvalue())
    assert "s3cret-pass" not in stream.getvalue()
    assert line["error"].startswith("at amqp://dombinnov:***@rabbitmq:5672/")


def test_a_queue_listing_is_read_as_flags_and_members():
    listing = json.dumps([
        {"name": "rpc-members", "type": "quorum", "durable": True, "exclusive": "",
         "auto_delete": False, "members": ["rabbit@rabbitmq", "rabbit@rabbitmq-2"]},
        {"name": "rpc.reply-x", "type": "classic", "durable": False, "exclusive": True,
         "auto_delete": True, "members": ""}])
    assert read_queue_listing(listing) == {
        "rpc-members": {"type": "quorum", "durable": True, "exclusive": False,
                        "auto_delete": False,
                        "members": ["rabbit@rabbitmq", "rabbit@rabbitmq-2"]},
        "rpc.reply-x": {"type": "classic", "durable": False, "exclusive": True,
                        "auto_delete": True, "members": []}}
