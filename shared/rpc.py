"""RPC conventions: DomainError crosses the wire as itself; every call has a timeout;
a database away is a 503, not a 500; a reply the broker cannot take is lost, not fatal.

Queues: a service's RPC queue (rpc-<service>) is of the type AMQP_QUEUE_TYPE says
(quorum on a cluster). Reply queues are classic, exclusive to their client's connection
(RpcProxy in services, ClusterRpcProxy elsewhere): a quorum queue cannot be exclusive,
and nameko's own durable reply queue lives on one node, whose loss would leave its
client unable to declare it again (elsewhere) until it expires. An exclusive queue goes
with its connection; the client's next connection declares its own on a node that runs.
"""
import inspect
import logging
import socket
import threading
import uuid

import amqp.exceptions
import kombu.exceptions
import nameko.rpc
import nameko.standalone.rpc
import sqlalchemy.exc
from kombu import Connection, Producer, Queue
from nameko.constants import (
    AMQP_SSL_CONFIG_KEY, AMQP_URI_CONFIG_KEY, DEFAULT_SERIALIZER, LOGIN_METHOD_CONFIG_KEY,
    PERSISTENT, SERIALIZER_CONFIG_KEY,
)
from nameko.exceptions import RpcTimeout, UnknownService, deserialize_to_instance
from nameko.rpc import (
    RPC_REPLY_QUEUE_TEMPLATE, Responder, Rpc, RpcConsumer, get_rpc_exchange,
)

import shared.json_codec  # noqa: F401  (registers kombu's json, decoded faster)
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


class ReplyConnection:
    """One connection to the broker that a service container's replies share, published
    without publisher confirms.

    nameko's Responder builds a kombu Connection per reply, takes a producer from kombu's
    pool and waits for the broker's confirm: about a sixth of funding's CPU under load.
    What the confirm bought is noticing a pooled connection the broker closed (a broker
    restart, a cluster node stopped): a reply written into it would be lost silently and
    its caller would wait its whole timeout. The connection is checked before each reply
    instead: py-amqp's basic_publish first reads, without waiting, whatever the broker
    sent meanwhile (it does so when the `connection.blocked` capability is negotiated,
    py-amqp's default), so a close or an end of stream fails the publish before anything
    is written; the reply is then published once more, on a new connection.
    (tests/integration/test_rpc_replies.py fails if that check ever goes.)

    Lost now and not before: a reply written in the instant between that check and the
    broker going away, or read by a broker that dies before routing it. Lost before as
    now: a reply to a caller whose connection, hence its exclusive reply queue, is gone.
    Either way the caller times out (the gateway's 503) and retries with its
    Idempotency-Key. Replies are not `mandatory`: the broker drops one to a gone client
    either way.

    Writes are serialised by a lock (green under eventlet): the frames of two replies
    must not interleave on the one socket."""

    def __init__(self, amqp_uri, ssl=None, login_method=None):
        self._lock = threading.Lock()
        # Connected at the first reply; keeps its place among AMQP_URI's addresses (a
        # cluster's nodes) across reconnections.
        self._connection = Connection(amqp_uri, ssl=ssl, login_method=login_method)
        self._producer = None

    def publish(self, payload, *, exchange, routing_key, correlation_id, serializer):
        message = dict(exchange=exchange, routing_key=routing_key, serializer=serializer,
                       correlation_id=correlation_id, delivery_mode=PERSISTENT, retry=False)
        with self._lock:
            try:
                self._open_producer().publish(payload, **message)
            except (*BROKER_LOST, amqp.exceptions.ChannelError):
                # The broker closed the connection (or the channel) since the last reply.
                self._forget()
                self._open_producer().publish(payload, **message)

    def close(self):
        with self._lock:
            self._producer = None
            try:
                self._connection.release()
            except Exception:  # already broken: nothing left to close cleanly
                pass

    def _open_producer(self):
        if self._producer is None:
            try:
                # Each address once, no wait: a caller's reply queue dies with its
                # connection, so a reply held back until the broker is back would have
                # nowhere to go.
                addresses = len(self._connection.alt) or 1
                self._connection.ensure_connection(max_retries=addresses - 1)
                self._producer = Producer(self._connection.channel())
            except BaseException:
                self._forget()
                raise
        return self._producer

    def _forget(self):
        """Drop a connection the broker left: its socket closed without a word."""
        self._producer = None
        try:
            self._connection.collect()
        except Exception:  # already broken: nothing left to close
            pass


class ReplyThrough(Responder):
    """nameko's Responder (the reply's payload, its serializer), publishing through
    `replies`, a ReplyConnection, in place of a Publisher per reply."""

    def __init__(self, replies, exchange, serializer, message):
        super().__init__(None, exchange, serializer, message)
        self.publisher_cls = lambda *args, **kwargs: replies


class TypedRpcConsumer(RpcConsumer):
    """nameko's consumer of a service's RPC queue, the queue of AMQP_QUEUE_TYPE, whose
    replies go through one ReplyConnection per container."""

    def setup(self):
        super().setup()  # the queue is consumed, hence declared, once the service starts
        config = self.container.config
        self.queue = typed(self.queue, queue_type_of(config))
        self.replies = ReplyConnection(config[AMQP_URI_CONFIG_KEY],
                                       ssl=config.get(AMQP_SSL_CONFIG_KEY),
                                       login_method=config.get(LOGIN_METHOD_CONFIG_KEY))
        self.exchange = get_rpc_exchange(config)
        self.serializer = config.get(SERIALIZER_CONFIG_KEY, DEFAULT_SERIALIZER)

    def handle_result(self, message, result, exc_info):
        """nameko's RpcConsumer.handle_result, through the container's ReplyConnection."""
        responder = ReplyThrough(self.replies, self.exchange, self.serializer, message)
        result, exc_info = responder.send_response(result, exc_info)
        self.queue_consumer.ack_message(message)
        return result, exc_info

    def stop(self):
        super().stop()
        self.replies.close()  # the workers are done: the container stops them first

    def kill(self):
        super().kill()
        self.replies.close()


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

    Its queue is of the type AMQP_QUEUE_TYPE says (TypedRpcConsumer).

    The arguments of a call are checked against the method's signature made once
    (`check_signature`), not rebuilt by inspect on every call."""

    rpc_consumer = TypedRpcConsumer()
    _signed = None  # (the method, its inspect.Signature)

    def check_signature(self, args, kwargs):
        """nameko's check, against a cached signature: inspect.getcallargs rebuilt the
        method's signature on each call (about 5% of an echo service's CPU). Calls it
        refuses are checked again by nameko's own check, so that a wrong call gets the
        same IncorrectSignature, message included, as before."""
        method = getattr(self.container.service_cls, self.method_name)
        if self._signed is None or self._signed[0] is not method:
            # getcallargs reads the function itself, not what functools.wraps points at.
            self._signed = (method, inspect.signature(method, follow_wrapped=False))
        try:
            self._signed[1].bind(None, *args, **kwargs)  # None: the unbound method's self
        except TypeError:
            super().check_signature(args, kwargs)  # raises nameko's IncorrectSignature

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
