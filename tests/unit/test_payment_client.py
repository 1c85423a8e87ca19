"""Funding's payment client: what it sends, and how the provider's failures become
DomainErrors. Answers come from a real local HTTP server scripted per test (a kept-alive
connection it drops, an answer it is slow to give); tests/integration/test_paysim.py runs
the same client against the real paysim."""
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest.mock import Mock, patch

import pytest

from services.funding.payments import PaymentProvider, Payments
from shared.errors import DomainError
from tests.support.platform import free_port

PAYMENT = {"id": "pay_1", "status": "pending"}
DROP = "drop"  # read the request, close the connection without answering
SLOW = "slow"  # say nothing for SLOW_SECONDS, past the client's SHORT_TIMEOUT, then drop
SLOW_SECONDS, SHORT_TIMEOUT = 1.0, 0.2


class ScriptedProvider:
    """An HTTP/1.1 server on 127.0.0.1 (kept-alive connections) that answers each request
    with the next of `answers`: (status, JSON-able body or bytes), DROP or SLOW; the last
    answer is given again once the others are used. `received` holds what it was sent."""

    def __init__(self, *answers):
        self.answers, self.received = list(answers), []
        script = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                script.received.append({
                    "method": self.command, "path": self.path, "headers": self.headers,
                    "json": json.loads(body) if body else None,
                    "client_port": self.client_address[1]})
                answer = script.answers.pop(0) if len(script.answers) > 1 else script.answers[0]
                if answer in (DROP, SLOW):
                    time.sleep(SLOW_SECONDS if answer == SLOW else 0)
                    self.close_connection = True
                    return
                status, content = answer
                if not isinstance(content, bytes):
                    content = json.dumps(content).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def scripted(monkeypatch):
    """Starts ScriptedProvider(*answers), a client of it, and stops both after the test."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    started = []

    def start(*answers, timeout=3.0):
        server = ScriptedProvider(*answers)
        provider = PaymentProvider(server.url + "/", "sk_test", timeout=timeout)
        started.append((server, provider))
        return server, provider

    yield start
    for server, provider in started:
        provider.close()
        server.close()


def create(provider):
    return provider.create_payment(amount_cents=2500, reference="c-1", description="Don",
                                   capture="manual", return_url=None,
                                   idempotency_key="idem-1")


def refusal(scripted, *answers, call=lambda provider: provider.get_payment("pay_1")):
    _, provider = scripted(*answers, timeout=SHORT_TIMEOUT)
    with pytest.raises(DomainError) as caught:
        call(provider)
    return caught.value


def test_create_sends_the_fields_the_key_and_the_idempotency_key(scripted):
    server, provider = scripted((201, PAYMENT))
    assert create(provider) == PAYMENT
    sent = server.received[0]
    assert (sent["method"], sent["path"]) == ("POST", "/v1/payments")
    assert sent["headers"]["Authorization"] == "Bearer sk_test"
    assert sent["headers"]["Idempotency-Key"] == "idem-1"
    assert sent["headers"]["Content-Type"] == "application/json"
    assert sent["json"] == {"amount_cents": 2500, "currency": "EUR", "reference": "c-1",
                            "description": "Don", "capture": "manual", "return_url": None}


@pytest.mark.parametrize("call, method, path, body", [
    (lambda p: p.get_payment("pay_1"), "GET", "/v1/payments/pay_1", None),
    (lambda p: p.capture("pay_1"), "POST", "/v1/payments/pay_1/capture", None),
    (lambda p: p.cancel("pay_1"), "POST", "/v1/payments/pay_1/cancel", None),
    (lambda p: p.refund("pay_1"), "POST", "/v1/payments/pay_1/refunds", {}),
    (lambda p: p.refund("pay_1", 300), "POST", "/v1/payments/pay_1/refunds",
     {"amount_cents": 300}),
])
def test_each_call_reaches_its_route_with_the_key(scripted, call, method, path, body):
    server, provider = scripted((200, PAYMENT))
    assert call(provider) == PAYMENT
    sent = server.received[0]
    assert (sent["method"], sent["path"], sent["json"]) == (method, path, body)
    assert sent["headers"]["Authorization"] == "Bearer sk_test"
    assert "Idempotency-Key" not in sent["headers"]


def test_calls_reuse_one_kept_alive_connection(scripted):
    server, provider = scripted((200, PAYMENT))
    provider.get_payment("pay_1")
    provider.capture("pay_1")
    provider.get_payment("pay_1")
    assert len({sent["client_port"] for sent in server.received}) == 1


@pytest.mark.parametrize("answer", [(500, {}), (503, b"<html>down</html>"),
                                    (200, b"not json"), (302, {}), SLOW],
                         ids=["500", "503-html", "not-json", "redirect", "slow"])
def test_an_absent_or_broken_provider_is_unavailable(scripted, answer):
    error = refusal(scripted, answer)
    assert (error.kind, error.code) == ("unavailable", "payment_provider_unavailable")


@pytest.mark.parametrize("call", [create, lambda p: p.get_payment("pay_1")],
                         ids=["create", "get"])
def test_a_dropped_kept_alive_connection_is_tried_once_more_when_that_is_safe(scripted, call):
    server, provider = scripted((200, PAYMENT), DROP, (201, PAYMENT))
    provider.get_payment("pay_1")  # the connection the provider then drops, kept alive
    assert call(provider) == PAYMENT
    first, dropped, again = server.received
    assert dropped["client_port"] == first["client_port"] != again["client_port"]
    assert (dropped["method"], dropped["path"], dropped["json"]) == \
        (again["method"], again["path"], again["json"])
    assert dropped["headers"].get("Idempotency-Key") == again["headers"].get("Idempotency-Key")


def test_a_provider_too_slow_to_answer_is_waited_for_once(scripted):
    server, provider = scripted(SLOW, (200, PAYMENT), timeout=SHORT_TIMEOUT)
    with pytest.raises(DomainError) as caught:
        provider.get_payment("pay_1")
    assert caught.value.code == "payment_provider_unavailable" and len(server.received) == 1


def test_a_provider_too_slow_to_connect_is_waited_for_once():
    """A listening socket whose backlog is full: the kernel drops the client's SYN, so
    connecting times out."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        waiting = [socket.socket() for _ in range(3)]
        for sock in waiting:
            sock.setblocking(False)
            sock.connect_ex(("127.0.0.1", port))
        provider = PaymentProvider(f"http://127.0.0.1:{port}", "sk_test",
                                   timeout=SHORT_TIMEOUT)
        with patch.object(provider._pool, "urlopen", wraps=provider._pool.urlopen) as sent:
            with pytest.raises(DomainError) as caught:
                provider.get_payment("pay_1")
        for sock in waiting:
            sock.close()
    assert caught.value.code == "payment_provider_unavailable"
    assert "timed out" in caught.value.message and sent.call_count == 1


@pytest.mark.parametrize("call", [lambda p: p.capture("pay_1"), lambda p: p.refund("pay_1"),
                                  lambda p: p.cancel("pay_1")],
                         ids=["capture", "refund", "cancel"])
def test_a_call_that_moves_money_is_never_sent_twice(scripted, call):
    server, provider = scripted((200, PAYMENT), DROP, (200, PAYMENT))
    provider.get_payment("pay_1")
    with pytest.raises(DomainError) as caught:
        call(provider)
    assert caught.value.code == "payment_provider_unavailable"
    assert [sent["method"] for sent in server.received] == ["GET", "POST"]


def test_a_closed_port_is_unavailable_at_once():
    provider = PaymentProvider(f"http://127.0.0.1:{free_port()}", "sk_test", timeout=2)
    with pytest.raises(DomainError) as caught:
        provider.get_payment("pay_1")
    assert caught.value.code == "payment_provider_unavailable"
    assert "Failed to establish a new connection" in caught.value.message


def test_an_unknown_payment_is_not_found(scripted):
    error = refusal(scripted, (404, {"error": {"code": "payment_not_found",
                                               "message": "No payment."}}))
    assert (error.kind, error.code, error.message) == ("not_found", "payment_not_found",
                                                       "No payment.")


def test_an_impossible_move_is_a_conflict_carrying_the_current_status(scripted):
    error = refusal(scripted, (409, {"error": {"code": "invalid_transition", "message": "No.",
                                               "status": "captured"}}),
                    call=lambda provider: provider.cancel("pay_1"))
    assert (error.kind, error.code) == ("conflict", "payment_invalid_transition")
    assert error.details == {"status": "captured"}


@pytest.mark.parametrize("status", [400, 401, 409, 422])
def test_other_refusals_are_bad_requests_with_the_provider_code(scripted, status):
    error = refusal(scripted, (status, {"error": {"code": "validation_failed",
                                                  "message": "Bad.",
                                                  "fields": {"amount_cents": ["Too big."]}}}))
    assert (error.kind, error.code, error.message) == ("bad_request", "payment_rejected", "Bad.")
    assert error.details == {"provider_code": "validation_failed",
                             "fields": {"amount_cents": ["Too big."]}}


def test_the_dependency_gives_every_worker_the_container_s_one_provider(scripted):
    server, _ = scripted((200, PAYMENT))
    container = Mock(config={"PAYMENT_PROVIDER_URL": server.url, "PAYMENT_API_KEY": "sk_live"})
    dependency = Payments().bind(container, "payments")
    dependency.setup()
    provider = dependency.get_dependency(Mock())
    assert isinstance(provider, PaymentProvider)
    assert dependency.get_dependency(Mock()) is provider
    assert provider.get_payment("pay_1") == PAYMENT
    assert server.received[0]["headers"]["Authorization"] == "Bearer sk_live"
    dependency.stop()


def test_the_environment_is_read_once_and_its_proxy_still_used(scripted, monkeypatch):
    """Proxies, NO_PROXY and a CA bundle from the environment, as requests reads them,
    but read when the client is made, not on every call."""
    monkeypatch.setenv("HTTPS_PROXY", "http://egress.test:3128")
    monkeypatch.setenv("NO_PROXY", "paysim.internal")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/provider.pem")
    provider = PaymentProvider("https://provider.test", "sk_test")
    assert (provider.proxy, provider.ca_bundle) == ("http://egress.test:3128",
                                                    "/etc/ssl/provider.pem")
    assert PaymentProvider("https://paysim.internal:8000", "sk_test").proxy is None
    provider.close()

    proxy, _ = scripted((200, PAYMENT))
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    provider = PaymentProvider("http://provider.test", "sk_test")
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{free_port()}")  # read once: ignored
    assert provider.get_payment("pay_1") == PAYMENT
    sent = proxy.received[0]
    assert (sent["method"], sent["path"]) == ("GET", "http://provider.test/v1/payments/pay_1")
    assert sent["headers"]["Authorization"] == "Bearer sk_test"
    provider.close()


@pytest.mark.parametrize("no_proxy", ["127.0.0.1", "bad/entry, 10.1.0.0/16,127.0.0.0/8"])
def test_no_proxy_sends_straight_to_the_provider(scripted, monkeypatch, no_proxy):
    """A host NO_PROXY names, or an address in a network it names (requests honoured
    CIDR entries; the stdlib's matcher does not), goes straight to the provider."""
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{free_port()}")  # nothing there
    monkeypatch.setenv("NO_PROXY", no_proxy)
    server, provider = scripted((200, PAYMENT))
    assert provider.proxy is None
    assert provider.get_payment("pay_1") == PAYMENT
    assert server.received[0]["path"] == "/v1/payments/pay_1"



def test_only_addresses_inside_a_no_proxy_network_bypass_the_proxy(monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://egress.test:3128")
    monkeypatch.setenv("NO_PROXY", "provider.test,10.1.0.0/16")
    assert PaymentProvider("http://10.1.2.3:8000", "sk_test").proxy is None
    assert PaymentProvider("http://10.2.0.1:8000", "sk_test").proxy == "http://egress.test:3128"
    assert PaymentProvider("http://provider.test", "sk_test").proxy is None
