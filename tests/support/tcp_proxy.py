"""A TCP proxy in front of the real broker that a test can cut and restore, so that
"the broker is unreachable" is real for the code under test without stopping the
machine's RabbitMQ.

It runs on real OS threads and sockets, outside eventlet's hub, so that breaking its
connections never disturbs the green threads of the code under test."""
import struct
from urllib.parse import urlsplit, urlunsplit

from eventlet import patcher

socket = patcher.original("socket")
threading = patcher.original("threading")
time = patcher.original("time")


class TcpProxy:
    def __init__(self, target_host: str, target_port: int, watch_client=None):
        """`watch_client`: called for each connection accepted, answers a callable fed
        every chunk of bytes that connection's client sends (see PostgresQueries)."""
        self.target = (target_host, target_port)
        self._watch_client = watch_client
        self.port = None
        self._listener = None
        self._connections = []
        self._lock = threading.Lock()
        self._answer_to_lose = None  # (after, request, held_for): see lose_answer

    def start(self):
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", self.port or 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()
        return self

    def cut(self):
        """Refuse new connections and break the open ones, as a dead broker would."""
        listener, self._listener = self._listener, None
        if listener:
            try:
                listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
            except OSError:
                pass
            listener.close()
        with self._lock:
            connections, self._connections = self._connections, []
        for sock in connections:
            for closer in (lambda s: s.shutdown(socket.SHUT_RDWR), lambda s: s.close()):
                try:
                    closer(sock)
                except OSError:
                    pass

    def restore(self):
        self.start()

    def lose_answer(self, request: bytes, after: bytes, held_for: float = 0.0):
        """Once: on the first connection whose client sends `after` and then a chunk
        holding `request`, the connection breaks before any answer comes back, as when
        a network fails mid-call: the server does what was asked, the client cannot
        know. The chunk reaches the server `held_for` seconds after the client saw the
        break (still in flight). (PostgreSQL: a COMMIT whose answer is lost.)"""
        with self._lock:
            self._answer_to_lose = (after, request, held_for)

    def uri_for(self, amqp_uri: str) -> str:
        """`amqp_uri`, reached through this proxy."""
        parts = urlsplit(amqp_uri)
        netloc = f"{parts.username}:{parts.password}@127.0.0.1:{self.port}"
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            # The timeout was for connecting only: left on, it would break any link
            # whose server stays silent for 5 s (an idle AMQP consumer, an idle
            # pooled PostgreSQL connection), which no real network does.
            upstream.settimeout(None)
            with self._lock:
                self._connections += [client, upstream]
            watch = self._watch_client() if self._watch_client else None
            muted = threading.Event()  # set: the server's answers are dropped
            threading.Thread(target=self._pipe, args=(client, upstream),
                             kwargs={"seen": watch, "last": self._trap(muted)},
                             daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client),
                             kwargs={"dropped": muted.is_set}, daemon=True).start()

    def _trap(self, muted):
        """For one connection: called with each chunk its client sends, before it is
        forwarded; when this chunk is the last (see lose_answer), how long it is held
        before it is sent, else None."""
        armed = [False]

        def last(data):
            with self._lock:
                if self._answer_to_lose is None:
                    return None
                after, request, held_for = self._answer_to_lose
                if not armed[0]:
                    armed[0] = after in data
                    return None
                if request not in data:
                    return None
                self._answer_to_lose = None
            muted.set()  # before the request leaves: no answer can slip through
            return held_for
        return last

    @staticmethod
    def _pipe(source, sink, seen=None, last=None, dropped=None):
        """Relay until either end closes. `last(data)` not None: break the link with
        the source, relay that chunk that many seconds later, and end; `dropped()`
        true: end without relaying."""
        try:
            while True:
                data = source.recv(65536)
                if not data or (dropped is not None and dropped()):
                    break
                if seen is not None:
                    seen(data)
                held_for = None if last is None else last(data)
                if held_for is not None:
                    source.shutdown(socket.SHUT_RDWR)  # the client sees the break now
                    time.sleep(held_for)
                sink.sendall(data)
                if held_for is not None:
                    break
        except OSError:
            pass
        finally:
            # shutdown() first: close() alone would neither wake the thread blocked in
            # recv() on the other direction nor tell the other end (a PostgreSQL backend
            # would keep its dead client's transaction and locks open).
            for sock in (source, sink):
                for closer in (lambda s: s.shutdown(socket.SHUT_RDWR), lambda s: s.close()):
                    try:
                        closer(sock)
                    except OSError:
                        pass


class PostgresQueries:
    """The queries PostgreSQL's clients send through a TcpProxy (`watch_client=
    queries.watch`), read off the wire: one simple-protocol query (psycopg2's only kind)
    is one round trip, whatever the driver sends on its own (BEGIN, COMMIT)."""

    _SSL_REQUEST, _GSSENC_REQUEST = 80877103, 80877104

    def __init__(self):
        self.sent = []  # (connection number, the query's text), in the order sent
        self._lock = threading.Lock()
        self._connections = 0

    def watch(self):
        with self._lock:
            self._connections += 1
            number = self._connections
        pending, started = bytearray(), [False]

        def feed(data):
            pending.extend(data)
            while True:
                if not started[0]:  # untyped: SSL or GSS request, then the startup
                    if len(pending) < 8:
                        return
                    length, code = struct.unpack("!II", pending[:8])
                    if len(pending) < length:
                        return
                    del pending[:length]
                    started[0] = code not in (self._SSL_REQUEST, self._GSSENC_REQUEST)
                    continue
                if len(pending) < 5:
                    return
                kind, (length,) = pending[0], struct.unpack("!I", pending[1:5])
                if len(pending) < 1 + length:
                    return
                body = bytes(pending[5:1 + length])
                del pending[:1 + length]
                if kind == ord("Q"):
                    with self._lock:
                        self.sent.append((number, body.rstrip(b"\0").decode()))
                elif kind in b"PBE":  # the extended protocol: counted apart, never here
                    with self._lock:
                        self.sent.append((number, f"<extended {chr(kind)}>"))
        return feed

    def clear(self):
        with self._lock:
            self.sent = []

    def texts(self):
        with self._lock:
            return [text for _, text in self.sent]


def postgres_through_proxy(url: str):
    """A PostgreSQL database's URL reached through a new TcpProxy that reads the queries
    sent: (that URL, the proxy, its PostgresQueries)."""
    from sqlalchemy.engine import make_url

    parts = make_url(url)
    queries = PostgresQueries()
    proxy = TcpProxy(parts.host or "127.0.0.1", parts.port or 5432,
                     watch_client=queries.watch).start()
    proxied = parts.set(host="127.0.0.1", port=proxy.port)
    return proxied.render_as_string(hide_password=False), proxy, queries
