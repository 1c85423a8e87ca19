"""Reading what reached the broker, from the test's side."""
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
