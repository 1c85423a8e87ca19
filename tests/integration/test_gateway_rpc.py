"""The gateway's RPC pool speaks nameko's protocol to real nameko services: what a
service sees of a call, and each kind of answer as the gateway's routes expect it."""
import time
from datetime import datetime, timezone

import eventlet
import pytest
from nameko.exceptions import RpcTimeout, UnknownService
from nameko.extensions import DependencyProvider

from gateway.rpc import RpcPool
from shared.errors import NOT_FOUND, DomainError
from shared.rpc import rpc


class CallerContext(DependencyProvider):
    def get_dependency(self, worker_ctx):
        return worker_ctx


class Probe:
    name = "gateway_rpc_probe"
    context = CallerContext()

    @rpc
    def what_i_received(self, *args, **kwargs):
        return {"args": list(args), "kwargs": kwargs,
                "correlation_id": self.context.data.get("correlation_id"),
                "parent_calls": self.context.call_id_stack[:-1],
                "at": datetime(2026, 12, 7, 3, 0, tzinfo=timezone.utc)}

    @rpc
    def refuse(self, campaign_id):
        raise DomainError(NOT_FOUND, "campaign_not_found", "No such campaign.",
                          {"campaign_id": campaign_id})

    @rpc
    def slow(self, seconds):
        eventlet.sleep(seconds)
        return "late"


@pytest.fixture
def pool(container_factory, broker_uri):
    container_factory(Probe, {"AMQP_URI": broker_uri}).start()
    pool = RpcPool(broker_uri, size=2, timeout=1.0)
    yield pool
    pool.close()


def test_a_service_receives_the_arguments_and_the_context_as_nameko_sends_them(pool):
    with pool.cluster({"correlation_id": "abc-123"}) as cluster:
        answer = cluster.gateway_rpc_probe.what_i_received("one", {"two": 2}, three=3)
    assert answer["args"] == ["one", {"two": 2}]
    assert answer["kwargs"] == {"three": 3}
    assert answer["correlation_id"] == "abc-123"
    [caller] = answer["parent_calls"]  # nameko's call id stack: the gateway's call
    assert caller.startswith("standalone_rpc_proxy.call.")
    assert answer["at"] == datetime(2026, 12, 7, 3, 0, tzinfo=timezone.utc)  # kombu's json

    with pool.cluster({"correlation_id": "def-456"}) as cluster:  # the same client, reused
        assert cluster.gateway_rpc_probe.what_i_received()["correlation_id"] == "def-456"


def test_a_domain_error_arrives_as_itself_and_the_client_is_kept(pool):
    with pytest.raises(DomainError) as refused:
        with pool.cluster({"correlation_id": "c"}) as cluster:
            cluster.gateway_rpc_probe.refuse("42")
    assert (refused.value.kind, refused.value.code) == (NOT_FOUND, "campaign_not_found")
    assert pool._idle.qsize() == 1
    with pool.cluster({"correlation_id": "c"}) as cluster:
        assert cluster.gateway_rpc_probe.what_i_received()["correlation_id"] == "c"


def test_an_unknown_service_is_said_at_once(pool):
    started = time.monotonic()
    with pytest.raises(UnknownService):
        with pool.cluster({"correlation_id": "c"}) as cluster:
            cluster.no_such_service.ping()
    assert time.monotonic() - started < 1.0  # not the RPC timeout: the broker returned it
    assert pool._idle.qsize() == 0  # thrown away, as after a timeout


def test_a_timed_out_client_is_thrown_away_and_its_late_reply_reaches_nobody(pool):
    with pytest.raises(RpcTimeout):
        with pool.cluster({"correlation_id": "c"}) as cluster:
            cluster.gateway_rpc_probe.slow(1.5)
    assert pool._idle.qsize() == 0
    eventlet.sleep(1.0)  # the late reply was sent meanwhile
    with pool.cluster({"correlation_id": "d"}) as cluster:
        assert cluster.gateway_rpc_probe.what_i_received()["correlation_id"] == "d"


def test_the_nodes_of_a_cluster_are_tried_in_turn(container_factory, broker_uri):
    container_factory(Probe, {"AMQP_URI": broker_uri}).start()
    pool = RpcPool(f"amqp://guest:guest@127.0.0.1:1/;{broker_uri}", size=1, timeout=1.0)
    with pool.cluster({"correlation_id": "c"}) as cluster:  # the first node is down
        assert cluster.gateway_rpc_probe.what_i_received()["correlation_id"] == "c"
    pool.close()
