"""Funding's payment client: what it sends, and how the provider's failures become
DomainErrors. Answers come from a fake transport; tests/integration/test_paysim.py runs
the same client against the real paysim."""
import json
from unittest.mock import Mock

import pytest
import requests
from requests.adapters import BaseAdapter

from services.funding.payments import PaymentProvider, Payments
from shared.errors import DomainError
from tests.support.platform import free_port

PAYMENT = {"id": "pay_1", "status": "pending"}


class FakeProvider(BaseAdapter):
    """Answers every request with `answer` (status, json body) or raises it."""

    def __init__(self, answer):
        super().__init__()
        self.answer, self.requests = answer, []

    def send(self, request, **kwargs):
        self.requests.append(request)
        answer = self.answer.pop(0) if isinstance(self.answer, list) else self.answer
        if isinstance(answer, Exception):
            raise answer
        status, body = answer
        response = requests.Response()
        response.status_code, response.request, response.url = status, request, request.url
        response._content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return response

    def close(self):
        pass


def provider_answering(answer):
    provider = PaymentProvider("http://paysim.test/", "sk_test")
    fake = FakeProvider(answer)
    provider.session.mount("http://paysim.test", fake)
    return provider, fake


def refusal(answer, call=lambda provider: provider.get_payment("pay_1")):
    provider, _ = provider_answering(answer)
    with pytest.raises(DomainError) as caught:
        call(provider)
    return caught.value


def test_create_sends_the_fields_the_key_and_the_idempotency_key():
    provider, fake = provider_answering((201, PAYMENT))
    assert provider.create_payment(amount_cents=2500, reference="c-1", description="Don",
                                   capture="manual", return_url=None,
                                   idempotency_key="idem-1") == PAYMENT
    sent = fake.requests[0]
    assert (sent.method, sent.url) == ("POST", "http://paysim.test/v1/payments")
    assert sent.headers["Authorization"] == "Bearer sk_test"
    assert sent.headers["Idempotency-Key"] == "idem-1"
    assert json.loads(sent.body) == {"amount_cents": 2500, "currency": "EUR", "reference": "c-1",
                                     "description": "Don", "capture": "manual",
                                     "return_url": None}


@pytest.mark.parametrize("call, method, path, body", [
    (lambda p: p.get_payment("pay_1"), "GET", "/v1/payments/pay_1", None),
    (lambda p: p.capture("pay_1"), "POST", "/v1/payments/pay_1/capture", None),
    (lambda p: p.cancel("pay_1"), "POST", "/v1/payments/pay_1/cancel", None),
    (lambda p: p.refund("pay_1"), "POST", "/v1/payments/pay_1/refunds", {}),
    (lambda p: p.refund("pay_1", 300), "POST", "/v1/payments/pay_1/refunds",
     {"amount_cents": 300}),
])
def test_each_call_reaches_its_route(call, method, path, body):
    provider, fake = provider_answering((200, PAYMENT))
    assert call(provider) == PAYMENT
    sent = fake.requests[0]
    assert (sent.method, sent.url) == (method, "http://paysim.test" + path)
    assert (json.loads(sent.body) if sent.body else None) == body


@pytest.mark.parametrize("answer", [
    requests.ConnectionError("refused"), requests.Timeout("slow"), (500, {}),
    (503, b"<html>down</html>"), (200, b"not json")])
def test_an_absent_or_broken_provider_is_unavailable(answer):
    error = refusal(answer)
    assert (error.kind, error.code) == ("unavailable", "payment_provider_unavailable")


DROPPED = requests.ConnectionError(
    "('Connection aborted.', RemoteDisconnected('Remote end closed connection without "
    "response'))")


@pytest.mark.parametrize("call", [
    lambda p: p.create_payment(amount_cents=2500, reference="c-1", description="Don",
                               capture="manual", return_url=None, idempotency_key="idem-1"),
    lambda p: p.get_payment("pay_1")], ids=["create", "get"])
def test_a_dropped_kept_alive_connection_is_tried_once_more_when_that_is_safe(call):
    provider, fake = provider_answering([DROPPED, (201, PAYMENT)])
    assert call(provider) == PAYMENT
    assert len(fake.requests) == 2
    assert fake.requests[0].headers.get("Idempotency-Key") == \
        fake.requests[1].headers.get("Idempotency-Key")


def test_a_provider_too_slow_to_connect_is_waited_for_once():
    provider, fake = provider_answering([requests.ConnectTimeout("slow"), (201, PAYMENT)])
    with pytest.raises(DomainError) as caught:
        provider.get_payment("pay_1")
    assert caught.value.code == "payment_provider_unavailable" and len(fake.requests) == 1


@pytest.mark.parametrize("call", [lambda p: p.capture("pay_1"), lambda p: p.refund("pay_1"),
                                  lambda p: p.cancel("pay_1")],
                         ids=["capture", "refund", "cancel"])
def test_a_call_that_moves_money_is_never_sent_twice(call):
    provider, fake = provider_answering([DROPPED, (200, PAYMENT)])
    with pytest.raises(DomainError) as caught:
        call(provider)
    assert caught.value.code == "payment_provider_unavailable"
    assert len(fake.requests) == 1


def test_a_closed_port_is_unavailable_at_once():
    provider = PaymentProvider(f"http://127.0.0.1:{free_port()}", "sk_test", timeout=2)
    with pytest.raises(DomainError) as caught:
        provider.get_payment("pay_1")
    assert caught.value.code == "payment_provider_unavailable"


def test_an_unknown_payment_is_not_found():
    error = refusal((404, {"error": {"code": "payment_not_found", "message": "No payment."}}))
    assert (error.kind, error.code, error.message) == ("not_found", "payment_not_found",
                                                       "No payment.")


def test_an_impossible_move_is_a_conflict_carrying_the_current_status():
    error = refusal((409, {"error": {"code": "invalid_transition", "message": "No.",
                                     "status": "captured"}}),
                    call=lambda provider: provider.cancel("pay_1"))
    assert (error.kind, error.code) == ("conflict", "payment_invalid_transition")
    assert error.details == {"status": "captured"}


@pytest.mark.parametrize("status", [400, 401, 409, 422])
def test_other_refusals_are_bad_requests_with_the_provider_code(status):
    error = refusal((status, {"error": {"code": "validation_failed", "message": "Bad.",
                                        "fields": {"amount_cents": ["Too big."]}}}))
    assert (error.kind, error.code) == ("bad_request", "payment_rejected")
    assert error.details == {"provider_code": "validation_failed",
                             "fields": {"amount_cents": ["Too big."]}}


def test_the_dependency_gives_every_worker_the_container_s_one_provider():
    container = Mock(config={"PAYMENT_PROVIDER_URL": "http://paysim.test",
                             "PAYMENT_API_KEY": "sk_test"})
    dependency = Payments().bind(container, "payments")
    dependency.setup()
    provider = dependency.get_dependency(Mock())
    assert isinstance(provider, PaymentProvider)
    assert provider.base_url == "http://paysim.test"
    assert provider.session.headers["Authorization"] == "Bearer sk_test"
    assert dependency.get_dependency(Mock()) is provider
    dependency.stop()


def test_the_environment_is_read_once_and_its_proxy_still_used(monkeypatch):
    """Proxies, NO_PROXY and a CA bundle from the environment, as requests reads them,
    but read when the client is made, not on every call (trust_env off)."""
    monkeypatch.setenv("HTTPS_PROXY", "http://egress.test:3128")
    monkeypatch.setenv("NO_PROXY", "paysim.internal")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/provider.pem")
    provider = PaymentProvider("https://provider.test", "sk_test")
    assert provider.session.trust_env is False
    assert provider.session.proxies.get("https") == "http://egress.test:3128"
    assert provider.session.verify == "/etc/ssl/provider.pem"
    assert PaymentProvider("http://paysim.internal:8000", "sk_test").session.proxies == {}

    fake = FakeProvider((200, PAYMENT))
    provider.session.mount("https://provider.test", fake)
    monkeypatch.setenv("HTTPS_PROXY", "http://elsewhere.test:3128")  # read once: ignored
    seen = Mock(wraps=fake.send)
    fake.send = seen
    provider.get_payment("pay_1")
    assert seen.call_args.kwargs["proxies"]["https"] == "http://egress.test:3128"
    assert seen.call_args.kwargs["verify"] == "/etc/ssl/provider.pem"
