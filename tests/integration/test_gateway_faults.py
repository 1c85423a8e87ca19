"""The gateway never hangs and never answers 500 when the broker goes away: a 503, then
it recovers by itself when the broker is back."""
import time

from gateway.app import create_app
from services.reporting.service import ReportingService
from shared.config import Settings


def test_the_broker_going_away_is_a_503_and_its_return_heals(
        proxy, container_factory, service_config, broker_uri):
    container_factory(ReportingService, service_config("reporting")).start()
    app = create_app(Settings(amqp_uri=proxy.uri_for(broker_uri), jwt_secret="s" * 32,
                              rpc_timeout=2.0), pool_size=2)
    client = app.test_client()
    assert client.get("/api/v1/reports/summary").status_code == 200

    proxy.cut()
    started = time.monotonic()
    answer = client.get("/api/v1/reports/summary")
    assert time.monotonic() - started < 10
    assert answer.status_code == 503
    assert answer.json["code"] in ("broker_unavailable", "service_timeout")
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert client.get("/readyz").status_code == 503

    proxy.restore()
    deadline = time.monotonic() + 20
    while client.get("/api/v1/reports/summary").status_code != 200:
        assert time.monotonic() < deadline, "the gateway did not recover"
        time.sleep(0.2)
    app.extensions["rpc_pool"].close()


def test_a_client_the_broker_dropped_while_idle_is_replaced_not_used(
        proxy, container_factory, service_config, broker_uri):
    """The broker restarted, or the gateway's node of a cluster stopped, between two
    requests: the pooled client's reply queue, exclusive to its connection, went with
    it. The next request takes a new client and gets its answer, without waiting for a
    reply that could not come."""
    container_factory(ReportingService, service_config("reporting")).start()
    app = create_app(Settings(amqp_uri=proxy.uri_for(broker_uri), jwt_secret="s" * 32,
                              rpc_timeout=5.0), pool_size=1)
    client = app.test_client()
    assert client.get("/api/v1/reports/summary").status_code == 200

    proxy.cut()
    proxy.restore()
    started = time.monotonic()
    assert client.get("/api/v1/reports/summary").status_code == 200
    assert time.monotonic() - started < 4
    app.extensions["rpc_pool"].close()
