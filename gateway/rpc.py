"""A pool of RPC clients speaking nameko's protocol, shared by the gateway's threads.

One client is one broker connection with its own reply queue; it serves one request at
a time. Opening one per request would cost a connection and a queue declaration each
time, so clients are kept and reused. A client that saw a timeout or a broken
connection is thrown away, never reused: a late reply must not reach the next request.
Nor is one whose connection the broker closed while it waited idle (the broker
restarted, or its node of a cluster stopped): its reply queue, exclusive to that
connection, went with it, and a reply would never reach it.

Why not nameko's standalone ClusterRpcProxy: it builds a kombu Connection and takes a
producer from kombu's pool for every request, publishes it on that other connection,
and acks each reply; py-amqp reads every frame in three reads. The gateway spent most
of its CPU there (bench/gateway_rpc.py). A client here publishes on the connection its
replies come back on, consumes them without acks (its queue is exclusive and goes with
it), and reads what the socket holds at once (_BufferedTransport). What a service sees
is what nameko sends: exchange nameko-rpc, routing key `service.method`, body `{args,
kwargs}` as JSON, reply_to and correlation_id, persistent, mandatory, the context's data
as `nameko.*` headers with a call id stack; the reply `{result, error}` decoded as nameko
does (a DomainError arrives as itself). A request no queue takes comes back before its
publisher confirm: UnknownService at once, not a wait for the timeout.
"""
import errno
import queue
import select
import socket
import sys
import threading
import time
import uuid
from contextlib import contextmanager

import amqp
import amqp.exceptions
import amqp.transport
import kombu.exceptions
import kombu.serialization
from kombu.utils.url import parse_url
from nameko.exceptions import RpcTimeout, UnknownService, deserialize

from shared.rpc import reply_queue  # and DomainError crosses RPC as itself

# kombu tries `import librabbitmq` (outside eventlet) when a kombu Connection is made
# (the readiness probe's, the CLI's). We don't install it, and a failed import is not
# cached: each one searched sys.path again. Marked absent, the import fails at once.
sys.modules.setdefault("librabbitmq", None)

# What leaves a client unusable; any other exception (a DomainError) is an answer.
CONNECTION_LOST = (socket.error, amqp.exceptions.ConnectionError,
                   kombu.exceptions.OperationalError, RuntimeError)

CLIENT_NAME = "standalone_rpc_proxy"  # as nameko's standalone proxy: reply queue, call ids
ACCEPT = {"application/json"}    # nameko's default serializer, json, is all it accepts
PERSISTENT = 2                   # nameko publishes requests persistent
CONNECT_TIMEOUT = 4.0            # kombu's default
CLOSE_TIMEOUT = 1.0              # a goodbye to a broker that does not answer is not awaited
READ_CHUNK = 64 * 1024


class GatewayBusy(Exception):
    """Every client stayed busy for the whole RPC timeout."""


class BrokerUnavailable(Exception):
    """The broker could not be reached, or the connection to it broke."""


class _BufferedTransport(amqp.transport.TCPTransport):
    """py-amqp's TCP transport, reading what the socket holds instead of exactly what
    the next frame part needs: a reply (deliver, header, body) and the confirm before
    it arrive together, and py-amqp read them in 3 recv calls per frame."""

    def _read(self, n, initial=False, _errnos=(errno.EAGAIN, errno.EINTR)):
        rbuf = self._read_buffer
        if len(rbuf) < n:
            recv = self._quick_recv
            try:
                while len(rbuf) < n:
                    try:
                        chunk = recv(max(n - len(rbuf), READ_CHUNK))
                    except OSError as exc:
                        if exc.errno in _errnos:
                            if initial and self.raise_on_initial_eintr:
                                raise socket.timeout()
                            continue
                        raise
                    if not chunk:
                        raise OSError("Server unexpectedly closed connection")
                    rbuf += chunk
            except:  # noqa: E722  (as py-amqp: keep what was read, whatever stopped it)
                self._read_buffer = rbuf
                raise
        result, self._read_buffer = rbuf[:n], rbuf[n:]
        return result


class _Connection(amqp.Connection):
    # Without the connection.blocked capability: py-amqp, when it is announced, reads the
    # socket before every publish for a "blocked" notice (three system calls), which would
    # change nothing here: a publish the broker holds back ends as RpcTimeout either way.
    negotiate_capabilities = {**amqp.Connection.negotiate_capabilities,
                              "connection.blocked": False}

    def Transport(self, host, connect_timeout, ssl=False, read_timeout=None,
                  write_timeout=None, socket_settings=None, **kwargs):
        if ssl:  # py-amqp's own, which reads TLS records its way
            return super().Transport(host, connect_timeout, ssl, read_timeout, write_timeout,
                                     socket_settings, **kwargs)
        return _BufferedTransport(host, connect_timeout=connect_timeout,
                                  read_timeout=read_timeout, write_timeout=write_timeout,
                                  socket_settings=socket_settings, **kwargs)


def _connect(amqp_uri: str) -> amqp.Connection:
    """A connection to the first broker that answers, of the URIs in `amqp_uri` (a
    cluster's nodes joined by ";", tried in turn as kombu does)."""
    failure = None
    for uri in filter(None, (part.strip() for part in amqp_uri.split(";"))):
        parts = parse_url(uri)
        connection = _Connection(
            host=f"{parts.get('hostname') or 'localhost'}:{parts.get('port') or 5672}",
            userid=parts.get("userid") or "guest", password=parts.get("password") or "guest",
            virtual_host=parts.get("virtual_host") or "/", ssl=parts.get("transport") == "amqps",
            connect_timeout=CONNECT_TIMEOUT)
        try:
            connection.connect()
            return connection
        except CONNECTION_LOST as exc:
            connection.collect()
            failure = exc
    raise failure or ValueError("AMQP_URI names no broker")


class _Client:
    """One connection, one channel in confirm mode, one exclusive reply queue."""

    def __init__(self, amqp_uri: str, timeout: float):
        self.timeout = timeout
        self.broken = False
        self._headers = {}
        self._call_id_stack = [f"{CLIENT_NAME}.call.{uuid.uuid4()}"]  # as nameko, per client
        self._replies = {}
        self._returned = []
        self.connection = _connect(amqp_uri)
        try:
            self.channel = self.connection.channel()
            replies = reply_queue(CLIENT_NAME, {})  # its name and flags, as everywhere
            exchange = replies.exchange
            self.channel.exchange_declare(exchange.name, exchange.type, durable=exchange.durable,
                                          auto_delete=exchange.auto_delete)
            self.channel.queue_declare(replies.name, durable=replies.durable,
                                       exclusive=replies.exclusive,
                                       auto_delete=replies.auto_delete)
            self.channel.queue_bind(replies.name, exchange.name, replies.routing_key)
            self.reply_to, self.exchange = replies.routing_key, exchange.name
            self.channel.events["basic_return"].add(self._on_return)
            self.channel.confirm_select()
            self.channel._confirm_selected = True  # py-amqp's flag: select once only
            self.channel.basic_consume(replies.name, no_ack=True, callback=self._on_reply)
        except BaseException:
            self.close()
            raise
        self.cluster = _ClusterProxy(self)

    def use_context(self, context: dict):
        """The worker context's data, sent as headers with every call (as nameko's
        `nameko.<key>` headers; None values are dropped as nameko drops them)."""
        data = {**context, "call_id_stack": self._call_id_stack}
        self._headers = {f"nameko.{key}": value for key, value in data.items()
                         if value is not None}

    def call(self, service: str, method: str, args: tuple, kwargs: dict):
        deadline = time.monotonic() + self.timeout
        correlation_id = str(uuid.uuid4())
        content_type, encoding, body = kombu.serialization.dumps(
            {"args": args, "kwargs": kwargs}, serializer="json")
        message = amqp.Message(
            body, content_type=content_type, content_encoding=encoding,
            application_headers=self._headers, delivery_mode=PERSISTENT, priority=0,
            correlation_id=correlation_id, reply_to=self.reply_to)
        self.broken = True  # until the answer is in: whatever interrupts leaves it unusable
        # The socket's own timeout bounds each read: py-amqp's per-read timeouts would
        # switch the socket's mode twice per frame (a system call each).
        sock = self.connection.transport.sock
        sock.settimeout(self.timeout)
        try:
            # Waits for the broker's confirm; a request no queue took came back before.
            self.channel.basic_publish_confirm(
                message, exchange=self.exchange, routing_key=f"{service}.{method}",
                mandatory=True)
            if self._returned:
                raise UnknownService(service)
            if correlation_id not in self._replies:
                sock.settimeout(max(deadline - time.monotonic(), 0.001))
            while correlation_id not in self._replies:  # our reply's frames, nothing else
                if time.monotonic() > deadline:
                    raise RpcTimeout(self.timeout)
                self.connection.drain_events()
        except socket.timeout:
            raise RpcTimeout(self.timeout) from None
        reply = self._replies.pop(correlation_id)
        self.broken = False
        error = reply.get("error")
        if error:
            raise deserialize(error)
        return reply["result"]

    def _on_return(self, exc, exchange, routing_key, message):
        self._returned.append(routing_key)

    def _on_reply(self, message):
        self._replies[message.properties.get("correlation_id")] = kombu.serialization.loads(
            message.body, message.content_type, message.content_encoding, accept=ACCEPT)

    def alive(self) -> bool:
        """Whether the broker still holds this client's connection: reads what it sent
        meanwhile, without waiting (a connection closed shows as an error)."""
        transport = self.connection.transport
        try:
            readable, _, _ = select.select([transport.sock], [], [], 0)
            if readable or transport._read_buffer:
                self.connection.drain_events(timeout=0)
        except socket.timeout:
            return True
        except (*CONNECTION_LOST, OSError, ValueError):  # ValueError: a closed socket
            return False
        return True

    def close(self):
        try:
            self.connection.transport.sock.settimeout(CLOSE_TIMEOUT)
            self.connection.close()
        except Exception:  # the connection is already gone
            try:
                self.connection.collect()
            except Exception:
                pass


class _ClusterProxy:
    """`proxy.service.method(*args, **kwargs)`, as nameko's cluster proxy."""

    def __init__(self, client: _Client):
        self._client = client

    def __getattr__(self, service: str):
        return _ServiceProxy(self._client, service)

    def __getitem__(self, service: str):
        return _ServiceProxy(self._client, service)


class _ServiceProxy:
    def __init__(self, client: _Client, service: str):
        self._client = client
        self._service = service

    def __getattr__(self, method: str):
        client, service = self._client, self._service
        return lambda *args, **kwargs: client.call(service, method, args, kwargs)


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
                self._put_back(client)
                raise
            self._put_back(client)
        finally:
            self._slots.release()

    def _put_back(self, client):
        """An answered client goes back to the pool; one left out of step (a channel
        error, a nack) is closed."""
        if client.broken:
            client.close()
        else:
            self._idle.put(client)

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
