"""Exchanges and queues, declared before any event flows.

An event published to an exchange with no bound queue is dropped by RabbitMQ. So every
service process, before it starts, declares the whole topology: each service's event
exchange, each event handler's durable queue (named as nameko names it), and the
reporting archive queue bound to every exchange. An event is then never lost because
its consumer had not started yet.
"""
import importlib

from kombu import Exchange, Queue, binding
from nameko.constants import PERSISTENT
from nameko.events import SERVICE_POOL, SINGLETON, EventHandler

from shared.config import SERVICE_NAMES

ARCHIVE_QUEUE = "reporting.archive"


def event_exchange(service_name: str) -> Exchange:
    """The same exchange nameko's EventHandler declares for `service_name`."""
    return Exchange(f"{service_name}.events", type="topic", durable=True,
                    delivery_mode=PERSISTENT, auto_delete=False)


def archive_queue() -> Queue:
    """Reporting's queue: a copy of every event of every service."""
    return Queue(
        ARCHIVE_QUEUE, durable=True, auto_delete=False,
        bindings=[binding(event_exchange(name), routing_key="#") for name in SERVICE_NAMES],
    )


def service_class(service_name: str):
    module = importlib.import_module(f"services.{service_name}.service")
    for value in vars(module).values():
        if isinstance(value, type) and getattr(value, "name", None) == service_name:
            return value
    raise LookupError(f"services.{service_name}.service has no class named {service_name!r}")


def handler_queues(service_cls):
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
                                auto_delete=False, exclusive=False))
    return queues


def all_queues():
    queues = [archive_queue()]
    for name in SERVICE_NAMES:
        queues.extend(handler_queues(service_class(name)))
    return queues


def declare(connection) -> list:
    """Declare every exchange and queue of the platform on `connection`; idempotent."""
    channel = connection.channel()
    try:
        for name in SERVICE_NAMES:
            event_exchange(name)(channel).declare()
        queues = all_queues()
        for queue in queues:
            queue(channel).declare()
        return queues
    finally:
        channel.close()

