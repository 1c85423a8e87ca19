import shared.green  # noqa: F401,I001  (first: eventlet patches before anything else loads)

import os
from urllib.parse import urlsplit

import pytest

from shared.config import Settings
from tests.support.broker import Vhosts
from tests.support.databases import Databases
from tests.support.tcp_proxy import TcpProxy

BASE_AMQP_URI = os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/")


@pytest.fixture(scope="session")
def vhosts():
    manager = Vhosts(BASE_AMQP_URI, os.environ.get("RABBITMQ_MANAGEMENT_URL"))
    yield manager
    manager.delete_all()


@pytest.fixture
def broker_uri(vhosts):
    """A fresh, empty vhost for this test."""
    return vhosts.create()


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    factory = Databases(os.environ.get("TEST_DATABASE_URL") or None,
                        tmp_path_factory.mktemp("databases"))
    yield factory
    factory.drop_all()


@pytest.fixture
def service_config(broker_uri, databases):
    """`service_config("funding")`: the nameko config of a service on a fresh database."""
    def make(service_name, **overrides):
        config = Settings().nameko_config(service_name)
        config.update(AMQP_URI=broker_uri, DATABASE_URL=databases.new(service_name),
                      OUTBOX_POLL_INTERVAL=0.2)
        config.update(overrides)
        return config
    return make


@pytest.fixture
def broker_address():
    parts = urlsplit(BASE_AMQP_URI)
    return parts.hostname or "127.0.0.1", parts.port or 5672



@pytest.fixture
def proxy(broker_address):
    """A proxy to the real broker that the test can cut and restore. Ask for it before
    `container_factory` so that it outlives the containers, which need it to stop."""
    proxy = TcpProxy(*broker_address).start()
    yield proxy
    proxy.cut()
