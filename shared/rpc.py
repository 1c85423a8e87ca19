"""RPC conventions: DomainError crosses the wire as itself; every call has a timeout."""
from nameko.exceptions import RpcTimeout, UnknownService, deserialize_to_instance
from nameko.rpc import rpc as nameko_rpc

from shared.errors import NOT_FOUND, UNAVAILABLE, DomainError

deserialize_to_instance(DomainError)


def rpc(fn):
    """An RPC entrypoint whose DomainErrors are answers, not failures to log."""
    return nameko_rpc(expected_exceptions=(DomainError,))(fn)


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
