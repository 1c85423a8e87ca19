"""A TCP proxy in front of the real broker that a test can cut and restore, so that
"the broker is unreachable" is real for the code under test without stopping the
machine's RabbitMQ.

It runs on real OS threads and sockets, outside eventlet's hub, so that breaking its
connections never disturbs the green threads of the code under test."""
from urllib.parse import urlsplit, urlunsplit

from eventlet import patcher

socket = patcher.original("socket")
threading = patcher.original("threading")


class TcpProxy:
    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.port = None
        self._listener = None
        self._connections = []
        self._lock = threading.Lock()

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
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
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
