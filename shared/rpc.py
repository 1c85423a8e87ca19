"""RPC conventions: DomainError crosses the wire as itself; every call has a timeout;
a database away is a 503, not a 500; a reply the broker cannot take is lost, not fatal.

Queues: a service's RPC queue (rpc-<service>) is of the type AMQP_QUEUE_TYPE says
(quorum on a cluster). Reply queues are classic, exclusive to their client's connection
(RpcProxy in services, ClusterRpcProxy elsewhere): a quorum queue cannot be exclusive,
and nameko's own durable reply queue lives on one node, whose loss would leave its
client unable to declare it again (elsewhere) until it expires. An exclusive queue goes
with its connection; the client's next connection declares its own on a node that runs.
"""
import logging
import socket
import uuid

import amqp.exceptions
import kombu.exceptions
import nameko.rpc
import nameko.standalone.rpc
import sqlalchemy.exc
from kombu import Queue
from nameko.exceptions import RpcTimeout, UnknownService, deserialize_to_instance
from nameko.rpc import RPC_REPLY_QUEUE_TEMPLATE, Rpc, RpcConsumer, get_rpc_exchange

from shared.errors import NOT_FOUND, UNAVAILABLE, DomainError
from shared.topology import queue_type_of, typed

deserialize_to_instance(DomainError)

log = logging.getLogger(__name__)

# What publishing a reply raises when the broker is unreachable.
BROKER_LOST = (socket.error, amqp.exceptions.ConnectionError, kombu.exceptions.OperationalError)


def _unavailable(service_name, exc):
    log.warning("database unavailable", extra={"error": str(exc).splitlines()[0]})
    error = DomainError(UNAVAILABLE, "service_unavailable",
                        f"The {service_name} service cannot reach its database; "
                        "try again in a moment.", {"service": service_name})
    return type(error), error, None


def database_away(exc: BaseException) -> bool:
    """The service's database is unreachable, dropped the connection, or has no
    connection to give in time: the caller should try again, not read a bug."""
    return isinstance(exc, (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError,
                            sqlalchemy.exc.TimeoutError)) or (
        isinstance(exc, sqlalchemy.exc.DBAPIError) and exc.connection_invalidated)


class TypedRpcConsumer(RpcConsumer):
    """nameko's consumer of a service's RPC queue, the queue of AMQP_QUEUE_TYPE."""

    def setup(self):
        super().setup()  # the queue is consumed, hence declared, once the service starts
        self.queue = typed(self.queue, queue_type_of(self.container.config))


def reply_queue(service_name: str, config) -> Queue:
    """A client's reply queue: classic, exclusive to its connection."""
    routing_key = str(uuid.uuid4())
    return Queue(RPC_REPLY_QUEUE_TEMPLATE.format(service_name, routing_key),
                 exchange=get_rpc_exchange(config), routing_key=routing_key,
                 durable=False, exclusive=True, auto_delete=True)


class ExclusiveReplies:
    """A reply listener whose queue is `reply_queue` (nameko's ReplyListener.setup,
    with that queue)."""

    def setup(self):
        self.queue = reply_queue(self.container.service_name, self.container.config)
        self.routing_key = self.queue.routing_key
        self.queue_consumer.register_provider(self)


class ExclusiveReplyListener(ExclusiveReplies, nameko.rpc.ReplyListener):
    pass


class StandaloneExclusiveReplyListener(ExclusiveReplies,
                                       nameko.standalone.rpc.SingleThreadedReplyListener):
    pass


class RpcProxy(nameko.rpc.RpcProxy):
    """nameko's RpcProxy (a service calling another), its replies on an exclusive queue."""

    rpc_reply_listener = ExclusiveReplyListener()


class ClusterRpcProxy(nameko.standalone.rpc.ClusterRpcProxy):
    """nameko's standalone ClusterRpcProxy (the gateway, the CLI, deploy.accounts), its
    replies on an exclusive queue."""

    def __init__(self, config, context_data=None, timeout=None):
        super().__init__(config, context_data, timeout,
                         reply_listener_cls=StandaloneExclusiveReplyListener)


class RpcEntrypoint(Rpc):
    """nameko's RPC entrypoint, with two changes.

    A database away is an answer: `unavailable` (the gateway's 503), never a 500. The
    entrypoint's unit of work rolled back, so nothing of the command was written.

    A reply that cannot be published (the broker went away while the worker ran) is
    logged and dropped. nameko lets that error escape the worker, which kills the whole
    service container: the process stayed up with no consumer left, deaf until
    restarted by hand. The caller has timed out (the gateway's 503) and retries; a
    command's Idempotency-Key finds what it did.

    Its queue is of the type AMQP_QUEUE_TYPE says (TypedRpcConsumer)."""

    rpc_consumer = TypedRpcConsumer()

    def handle_result(self, message, worker_ctx, result, exc_info):
        if exc_info is not None and database_away(exc_info[1]):
            exc_info = _unavailable(worker_ctx.service_name, exc_info[1])
        try:
            return super().handle_result(message, worker_ctx, result, exc_info)
        except BROKER_LOST as exc:
            log.warning("RPC reply lost: the broker is unreachable",
                        extra={"entrypoint": f"{worker_ctx.service_name}.{self.method_name}",
                               "error": str(exc)})
            try:  # a no-op when the consumer's connection is gone (the broker requeues)
                self.rpc_consumer.queue_consumer.ack_message(message)
            except BROKER_LOST:
                pass
            return result, exc_info


def rpc(fn):
    """An RPC entrypoint whose DomainErrors are answers, not failures to log."""
    return RpcEntrypoint.decorator(expected_exceptions=(DomainError,))(fn)


def call(method_proxy, *args, timeout: float, **kwargs):
    """Call another service from inside a service, giving up after `timeout` seconds.

    nameko's RpcProxy waits forever; a late reply to an abandoned call is discarded
    by its reply listener, so nothing leaks into the next call. A service that does not
    answer becomes a DomainError of kind `unavailable` (the gateway's 503).
    """
    import eventlet  # services only; the gateway imports this module without eventlet

    try:
        reply = method_proxy.call_async(*args, **kwargs)
        with eventlet.Timeout(timeout):
            return reply.result()
    except (eventlet.Timeout, RpcTimeout, UnknownService):
        service = method_proxy.service_name
        raise DomainError(UNAVAILABLE, "service_unavailable",
                          f"The {service} service did not answer in time.",
                          {"service": service}) from None


def fetch_or_none(method_proxy, entity_id, *, timeout: float):
    """`call`, with a not-found answer turned into None."""
    try:
        return call(method_proxy, entity_id, timeout=timeout)
    except DomainError as exc:
        if exc.kind == NOT_FOUND:
            return None
        raise
