"""RPC conventions: DomainError crosses the wire as itself; every call has a timeout;
a database away is a 503, not a 500; a reply the broker cannot take is lost, not fatal."""
import logging
import socket

import amqp.exceptions
import kombu.exceptions
import sqlalchemy.exc
from nameko.exceptions import RpcTimeout, UnknownService, deserialize_to_instance
from nameko.rpc import Rpc

from shared.errors import NOT_FOUND, UNAVAILABLE, DomainError

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


class RpcEntrypoint(Rpc):
    """nameko's RPC entrypoint, with two changes.

    A database away is an answer: `unavailable` (the gateway's 503), never a 500. The
    entrypoint's unit of work rolled back, so nothing of the command was written.

    A reply that cannot be published (the broker went away while the worker ran) is
    logged and dropped. nameko lets that error escape the worker, which kills the whole
    service container: the process stayed up with no consumer left, deaf until
    restarted by hand. The caller has timed out (the gateway's 503) and retries; a
    command's Idempotency-Key finds what it did."""

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
