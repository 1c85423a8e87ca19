"""The whole platform, with its links to RabbitMQ and PostgreSQL going through proxies a
test can cut and restore (tests/support/tcp_proxy.py).

Nothing here stops the machine's broker or database, which other suites share: "the
broker is stopped" means every process of the platform finds it unreachable through
its proxy (new connections refused, open ones broken), and "funding's database is
unavailable" means the same for funding's link to PostgreSQL only.
"""
import signal
import subprocess
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import pytest

from shared.config import SERVICE_NAMES
from tests.support.running_platform import Platform, running_platform
from tests.support.tcp_proxy import TcpProxy


def through(proxy: TcpProxy, url: str) -> str:
    """`url` (a database URL), reached through `proxy`."""
    parts = urlsplit(url)
    credentials = parts.netloc.rpartition("@")[0]
    netloc = f"{credentials}@127.0.0.1:{proxy.port}" if credentials else f"127.0.0.1:{proxy.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


class FaultyPlatform(Platform):
    """The platform, and the proxies between it and its broker and databases."""

    def __init__(self, *args, amqp_uri, broker_proxy, database_proxies, **kwargs):
        super().__init__(*args, **kwargs)
        self.amqp_uri = amqp_uri  # the platform's vhost, reached directly (not cut)
        self.broker_proxy = broker_proxy
        self.database_proxies = database_proxies

    @contextmanager
    def broker_stopped(self):
        """The broker unreachable for the whole platform for the length of the block;
        reachable again after it, whatever happened inside."""
        self.broker_proxy.cut()
        try:
            yield
        finally:
            self.broker_proxy.restore()

    @contextmanager
    def database_unavailable(self, service):
        proxy = self.database_proxies[service]
        proxy.cut()
        try:
            yield
        finally:
            proxy.restore()

    def kill(self, name):
        """SIGKILL, as the kernel's OOM killer or a pulled plug would: no teardown."""
        process, log = self.processes.children.pop(name)
        process.send_signal(signal.SIGKILL)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL cannot be ignored
            raise AssertionError(f"{name} survived SIGKILL") from None
        log.close()
        return process.returncode


@pytest.fixture
def platform(vhosts, databases, tmp_path_factory, broker_address):
    """A fresh platform for each test (its own vhost and databases), every process
    reaching RabbitMQ through one proxy and each service reaching its database through
    a proxy of its own. Every proxy is restored (or closed) when the test ends."""
    broker_proxy = TcpProxy(*broker_address).start()
    database_urls = {name: databases.new(name) for name in SERVICE_NAMES}
    database_proxies, service_urls = {}, {}
    for name, url in database_urls.items():
        if url.startswith("sqlite"):
            service_urls[name] = url
            continue
        parts = urlsplit(url)
        database_proxies[name] = TcpProxy(parts.hostname, parts.port or 5432).start()
        service_urls[name] = through(database_proxies[name], url)
    proxies = (broker_proxy, *database_proxies.values())
    amqp_uri = vhosts.create()
    try:
        with running_platform(broker_proxy.uri_for(amqp_uri), database_urls,
                              tmp_path_factory.mktemp("faulty-platform-logs"),
                              env={"OUTBOX_POLL_INTERVAL": "0.5"},
                              service_database_urls=service_urls,
                              platform_class=FaultyPlatform, amqp_uri=amqp_uri,
                              broker_proxy=broker_proxy,
                              database_proxies=database_proxies) as platform:
            try:
                yield platform
            finally:
                for proxy in proxies:
                    if proxy._listener is None:  # cut by a test that failed before restoring
                        proxy.restore()
                # All at once: after a broker outage a service can take its whole grace
                # time to stop, and one after the other that adds up.
                for process, _ in platform.processes.children.values():
                    if process.poll() is None:
                        process.send_signal(signal.SIGTERM)
    finally:
        for proxy in proxies:
            proxy.cut()
