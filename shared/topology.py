"""Exchanges and queues, declared before any event flows.

An event published to an exchange with no bound queue is dropped by RabbitMQ. So every
service process, before it starts, declares the whole topology: each service's event
exchange, each event handler's durable queue (named as nameko names it), and the
reporting archive queue bound to every exchange. An event is then never lost because
its consumer had not started yet.

Queues are classic (one broker) or quorum (AMQP_QUEUE_TYPE=quorum: replicated on the
nodes of a RabbitMQ cluster, a majority of them keeps them). Everything that declares a
queue of the platform (this module, the event and RPC consumers) gives it the same
arguments: RabbitMQ refuses a declaration that differs from the queue's. RPC reply
queues stay classic, exclusive to their client's connection (shared.rpc).
"""
import copy
import importlib

from kombu import Exchange, Queue, binding
from nameko.constants import PERSISTENT
from nameko.events import SERVICE_POOL, SINGLETON, EventHandler

from shared.config import SERVICE_NAMES

ARCHIVE_QUEUE = "reporting.archive"
QUEUE_TYPES = ("classic", "quorum")


def queue_arguments(queue_type: str) -> dict:
    """The declaration arguments of a durable queue of `queue_type`."""
    if queue_type not in QUEUE_TYPES:
        raise ValueError(f"AMQP_QUEUE_TYPE is {queue_type!r}: one of {', '.join(QUEUE_TYPES)}")
    return {"x-queue-type": "quorum"} if queue_type == "quorum" else {}


def typed(queue: Queue, queue_type: str) -> Queue:
    """A copy of `queue` declared as `queue_type` (quorum queues are durable, shared:
    never exclusive nor auto-deleted)."""
    arguments = queue_arguments(queue_type)
    if arguments and (queue.exclusive or queue.auto_delete or not queue.durable):
        raise ValueError(f"queue {queue.name!r}: a quorum queue is durable, neither "
                         "exclusive nor auto-deleted")
    copied = copy.copy(queue)
    copied.queue_arguments = {**(queue.queue_arguments or {}), **arguments}
    return copied


def queue_type_of(config) -> str:
    """The queue type a nameko container's config says (shared.config.Settings)."""
    return config.get("AMQP_QUEUE_TYPE") or "classic"


def event_exchange(service_name: str) -> Exchange:
    """The same exchange nameko's EventHandler declares for `service_name`."""
    return Exchange(f"{service_name}.events", type="topic", durable=True,
                    delivery_mode=PERSISTENT, auto_delete=False)


def archive_queue(queue_type: str = "classic") -> Queue:
    """Reporting's queue: a copy of every event of every service."""
    return Queue(
        ARCHIVE_QUEUE, durable=True, auto_delete=False,
        bindings=[binding(event_exchange(name), routing_key="#") for name in SERVICE_NAMES],
        queue_arguments=queue_arguments(queue_type),
    )


def service_class(service_name: str):
    module = importlib.import_module(f"services.{service_name}.service")
    for value in vars(module).values():
        if isinstance(value, type) and getattr(value, "name", None) == service_name:
            return value
    raise LookupError(f"services.{service_name}.service has no class named {service_name!r}")


def handler_queues(service_cls, queue_type: str = "classic"):
    """The durable queue of each event handler of `service_cls`, as nameko names it."""
    queues = []
    for method_name in dir(service_cls):
        method = getattr(service_cls, method_name)
        for entrypoint in getattr(method, "nameko_entrypoints", ()):
            if not isinstance(entrypoint, EventHandler):
                continue
            if entrypoint.handler_type not in (SERVICE_POOL, SINGLETON) \
                    or not entrypoint.reliable_delivery:
                raise ValueError(f"{service_cls.name}.{method_name}: business events use "
                                 "reliable, pooled handlers")
            name = f"evt-{entrypoint.source_service}-{entrypoint.event_type}"
            if entrypoint.handler_type is SERVICE_POOL:
                name += f"--{service_cls.name}.{method_name}"
            queues.append(Queue(name, exchange=event_exchange(entrypoint.source_service),
                                routing_key=entrypoint.event_type, durable=True,
                                auto_delete=False, exclusive=False,
                                queue_arguments=queue_arguments(queue_type)))
    return queues


def all_queues(queue_type: str = "classic"):
    queues = [archive_queue(queue_type)]
    for name in SERVICE_NAMES:
        queues.extend(handler_queues(service_class(name), queue_type))
    return queues


def declare(connection, queue_type: str = "classic") -> list:
    """Declare every exchange and queue of the platform on `connection`, its queues of
    `queue_type`; idempotent."""
    channel = connection.channel()
    try:
        for name in SERVICE_NAMES:
            event_exchange(name)(channel).declare()
        queues = all_queues(queue_type)
        for queue in queues:
            queue(channel).declare()
        return queues
    finally:
        channel.close()

