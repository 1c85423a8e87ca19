"""Reading what reached the broker, from the test's side."""
import json
import subprocess
from urllib.parse import unquote, urlsplit

import kombu

from shared.topology import event_exchange


def bind_spy_queue(amqp_uri: str, source_service: str, name: str) -> str:
    """A durable queue receiving every event of `source_service`."""
    with kombu.Connection(amqp_uri) as connection:
        channel = connection.channel()
        kombu.Queue(name, exchange=event_exchange(source_service), routing_key="#",
                    durable=True, auto_delete=False)(channel).declare()
        channel.close()
    return name


def drain(amqp_uri: str, queue_name: str) -> list:
    """Every message waiting in `queue_name`, as (message_id, decoded body) pairs."""
    messages = []
    with kombu.Connection(amqp_uri) as connection:
        channel = connection.channel()
        queue = kombu.Queue(queue_name, durable=True, auto_delete=False)(channel)
        while True:
            message = queue.get(no_ack=True, accept=["json"])
            if message is None:
                break
            messages.append((message.properties.get("message_id"), message.decode()))
        channel.close()
    return messages


QUEUE_COLUMNS = ("name", "type", "durable", "exclusive", "auto_delete", "members")


def list_queues_command(vhost: str) -> list[str]:
    """rabbitmqctl's listing of a vhost's queues, as JSON (run here or in a container)."""
    return ["rabbitmqctl", "-q", "list_queues", "-p", vhost, *QUEUE_COLUMNS,
            "--formatter", "json"]


def read_queue_listing(output: str) -> dict[str, dict]:
    """`list_queues_command`'s output by queue name; flags as booleans, members a list
    (a quorum queue's nodes; empty for a classic queue)."""
    queues = {}
    for queue in json.loads(output or "[]"):
        queues[queue["name"]] = {"type": queue["type"], "durable": bool(queue["durable"]),
                                 "exclusive": bool(queue["exclusive"]),
                                 "auto_delete": bool(queue["auto_delete"]),
                                 "members": list(queue["members"] or [])}
    return queues


def declared_queues(amqp_uri: str) -> dict[str, dict]:
    """The queues of `amqp_uri`'s vhost on the broker of this machine."""
    vhost = unquote(urlsplit(amqp_uri).path[1:]) or "/"
    run = subprocess.run(list_queues_command(vhost), capture_output=True, text=True,
                         check=True)
    return read_queue_listing(run.stdout)
