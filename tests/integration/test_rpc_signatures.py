"""A call's arguments are checked against the method's signature, made once per
entrypoint (shared.rpc.RpcEntrypoint.check_signature): a wrong call still gets nameko's
IncorrectSignature, with nameko's own message, and the method never runs."""
import inspect

import pytest
from nameko.exceptions import IncorrectSignature
from nameko.standalone.rpc import ClusterRpcProxy

from shared.rpc import rpc

RAN = []


class Signed:
    name = "signed"

    @rpc
    def contribute(self, campaign_id, payload, key, *, email_verified=True):
        RAN.append(key)
        return [campaign_id, payload, key, email_verified]

    @rpc
    def positional_only(self, value, /):
        return value


def nameko_message(method, *args, **kwargs):
    """What nameko's own check (inspect.getcallargs) says of this call."""
    with pytest.raises(TypeError) as refused:
        inspect.getcallargs(method, None, *args, **kwargs)
    return str(refused.value)


@pytest.fixture
def signed(container_factory, broker_uri):
    container_factory(Signed, {"AMQP_URI": broker_uri}).start()
    with ClusterRpcProxy({"AMQP_URI": broker_uri}, timeout=30) as cluster:
        yield cluster.signed


@pytest.mark.parametrize("args, kwargs", [
    (("c1", {}), {}),                                    # one missing
    (("c1", {}, "k", True), {}),                         # keyword-only given by position
    (("c1", {}, "k"), {"amount": 1}),                    # unknown keyword
    (("c1", {}, "k"), {"campaign_id": "c2"}),            # given twice
    ((), {}),                                            # none at all
])
def test_a_wrong_call_gets_nameko_s_incorrect_signature_and_runs_nothing(signed, args, kwargs):
    RAN.clear()
    with pytest.raises(IncorrectSignature) as refused:
        signed.contribute(*args, **kwargs)
    assert str(refused.value) == nameko_message(Signed.contribute, *args, **kwargs)
    assert RAN == []
    # The next call, right, runs (the cached signature is not spoiled by a refusal).
    assert signed.contribute("c1", {"a": 1}, "k2", email_verified=False) == \
        ["c1", {"a": 1}, "k2", False]
    assert RAN == ["k2"]


def test_right_calls_are_answered_however_the_arguments_are_given(signed):
    assert signed.contribute("c1", {}, "k") == ["c1", {}, "k", True]
    assert signed.contribute(campaign_id="c1", payload={}, key="k", email_verified=False) \
        == ["c1", {}, "k", False]
    assert signed.contribute("c1", key="k", payload=[]) == ["c1", [], "k", True]


def test_what_nameko_lets_through_goes_through_still(signed):
    """A positional-only parameter given by keyword: nameko's check (getcallargs) lets it
    pass and the method itself refuses it, a TypeError, not an IncorrectSignature."""
    assert signed.positional_only(3) == 3
    with pytest.raises(Exception) as refused:
        signed.positional_only(value=3)
    assert not isinstance(refused.value, IncorrectSignature)
    assert "TypeError" in str(refused.value)
