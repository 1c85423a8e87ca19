"""A pool of started nameko RPC clients, shared by the gateway's threads.

One client is one broker connection with its own reply queue; it serves one request at
a time. Opening one per request would cost a connection and a queue declaration each
time, so clients are kept and reused. A client that saw a timeout or a broken
connection is thrown away, never reused: a late reply must not reach the next request.
Nor is one whose connection the broker closed while it waited idle (the broker
restarted, or its node of a cluster stopped): its reply queue, exclusive to that
connection, went with it, and a reply would never reach it.
"""
import queue
import socket
import sys
import threading
from contextlib import contextmanager

import amqp.exceptions
import kombu.exceptions
from nameko.exceptions import RpcTimeout, UnknownService

from shared.rpc import ClusterRpcProxy  # DomainError crosses RPC as itself

# nameko builds a kombu Connection for every message it publishes, and kombu then tries
# `import librabbitmq` (outside eventlet). We don't install it, and a failed import is not
# cached: every RPC searched sys.path again (3-4% of the gateway's CPU in py-spy).
# Marked absent, the import fails at once and kombu uses py-amqp as it does anyway.
sys.modules.setdefault("librabbitmq", None)

# What leaves a client unusable; any other exception (a DomainError) is an answer.
CONNECTION_LOST = (socket.error, amqp.exceptions.ConnectionError,
                   kombu.exceptions.OperationalError, RuntimeError)  # nameko: "disconnected"


class GatewayBusy(Exception):
    """Every client stayed busy for the whole RPC timeout."""


class BrokerUnavailable(Exception):
    """The broker could not be reached, or the connection to it broke."""


class _Client:
    def __init__(self, amqp_uri: str, timeout: float):
        self._standalone = ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=timeout)
        self.cluster = self._standalone.start()

    def use_context(self, context: dict):
        # nameko sends the worker context's data as message headers on every call.
        self._standalone._worker_ctx.data = dict(context)

    def alive(self) -> bool:
        """Whether the broker still holds this client's connection: reads what it sent
        meanwhile, without waiting (a connection closed shows as an error)."""
        try:
            self._standalone._reply_listener.queue_consumer.connection.drain_events(timeout=0)
        except socket.timeout:
            return True
        except (*CONNECTION_LOST, OSError):
            return False
        return True

    def close(self):
        try:
            self._standalone.stop()
        except Exception:  # the connection is already gone
            pass


class RpcPool:
    def __init__(self, amqp_uri: str, size: int, timeout: float):
        self.amqp_uri = amqp_uri
        self.timeout = timeout
        self._idle = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(size)

    @contextmanager
    def cluster(self, context: dict):
        """A cluster proxy (`proxy.members.ping()`) for the length of the block."""
        if not self._slots.acquire(timeout=self.timeout):
            raise GatewayBusy()
        try:
            client = self._idle_or_new_client()
            client.use_context(context)
            try:
                yield client.cluster
            except (RpcTimeout, UnknownService):
                client.close()
                raise
            except CONNECTION_LOST as exc:
                client.close()
                raise BrokerUnavailable(str(exc)) from exc
            except BaseException:
                self._idle.put(client)
                raise
            self._idle.put(client)
        finally:
            self._slots.release()

    def _idle_or_new_client(self):
        while True:
            try:
                client = self._idle.get_nowait()
            except queue.Empty:
                break
            if client.alive():
                return client
            client.close()
        try:
            return _Client(self.amqp_uri, self.timeout)
        except CONNECTION_LOST as exc:
            raise BrokerUnavailable(str(exc)) from exc

    def close(self):
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return
