"""paysim as a real gunicorn process, called with funding's own client, its webhooks
received by a small HTTP server here."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from shared.errors import DomainError
from shared.signatures import SIGNATURE_HEADER, verify
from tests.support.paysim import Paysim
from tests.support.waiting import wait_until

pytestmark = pytest.mark.timeout(60)
RETURN_URL = "http://merchant.test/retour"


class WebhookReceiver:
    """Records every delivery; answers 500 to the first `n` deliveries of a payment's
    events when told to with `fail_next`."""

    def __init__(self):
        self.deliveries = []  # (headers, body), in arrival order
        self.failures = {}
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                payment_id = json.loads(body)["data"]["id"]
                with receiver.lock:
                    receiver.deliveries.append((dict(self.headers), body))
                    failing = receiver.failures.get(payment_id, 0)
                    receiver.failures[payment_id] = max(0, failing - 1)
                self.send_response(500 if failing else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/webhook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def fail_next(self, payment_id, times):
        with self.lock:
            self.failures[payment_id] = times

    def received(self, payment_id):
        with self.lock:
            return [(headers, body) for headers, body in self.deliveries
                    if json.loads(body)["data"]["id"] == payment_id]

    def types(self, payment_id):
        return [json.loads(body)["type"] for _, body in self.received(payment_id)]

    def wait_for(self, payment_id, *types, timeout=10):
        wait_until(lambda: self.types(payment_id) == list(types), timeout=timeout,
                   message=f"{types} for {payment_id}, got {self.types(payment_id)}")
        return self.received(payment_id)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def receiver():
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


@pytest.fixture(scope="module")
def paysim(receiver, tmp_path_factory):
    with Paysim(tmp_path_factory.mktemp("paysim-logs"), webhook_url=receiver.url) as paysim:
        yield paysim


@pytest.fixture
def client(paysim):
    return paysim.client()


def new_payment(client, capture="manual", key=None, **fields):
    return client.create_payment(
        amount_cents=fields.get("amount_cents", 2500), reference="contribution-42",
        description="Recyclerie de la Dombes", capture=capture,
        return_url=fields.get("return_url", RETURN_URL),
        idempotency_key=key or f"key-{time.monotonic_ns()}")


def test_the_payer_confirms_and_the_merchant_hears_it_signed_then_captures(
        paysim, client, receiver):
    payment = new_payment(client)
    assert payment["status"] == "pending"
    assert payment["redirect_url"] == f"{paysim.base_url}/pay/{payment['id']}"
    page = requests.get(payment["redirect_url"], timeout=5)
    assert page.status_code == 200 and "25,00\u00a0€" in page.text

    back = paysim.pay(payment["id"])
    assert back.status_code == 303
    assert back.headers["Location"] == f"{RETURN_URL}?payment_id={payment['id']}"
    [(headers, body)] = receiver.wait_for(payment["id"], "payment.authorized")
    verify(paysim.webhook_secret, headers[SIGNATURE_HEADER], body, now=time.time())
    event = json.loads(body)
    assert event["data"]["status"] == "authorized" and event["id"].startswith("evt_")

    assert client.capture(payment["id"])["status"] == "captured"
    _, (headers, body) = receiver.wait_for(payment["id"], "payment.authorized",
                                           "payment.captured")
    verify(paysim.webhook_secret, headers[SIGNATURE_HEADER], body, now=time.time())
    assert client.get_payment(payment["id"])["status"] == "captured"


def test_the_payer_refusing_fails_the_payment(paysim, client, receiver):
    payment = new_payment(client)
    assert paysim.refuse(payment["id"]).status_code == 303
    receiver.wait_for(payment["id"], "payment.failed")
    assert client.get_payment(payment["id"])["status"] == "failed"


def test_an_idempotency_key_replays_its_payment_and_refuses_another_body(paysim, client):
    first = new_payment(client, key="replayed-key")
    assert new_payment(client, key="replayed-key") == first
    raw = requests.post(f"{paysim.base_url}/v1/payments", timeout=5, json={
        "amount_cents": 2500, "currency": "EUR", "reference": "contribution-42",
        "description": "Recyclerie de la Dombes", "capture": "manual",
        "return_url": RETURN_URL}, headers={"Authorization": f"Bearer {paysim.api_key}",
                                            "Idempotency-Key": "replayed-key"})
    assert raw.status_code == 200 and raw.headers["Idempotent-Replayed"] == "true"
    with pytest.raises(DomainError) as caught:
        new_payment(client, key="replayed-key", amount_cents=9900)
    assert (caught.value.code, caught.value.details["provider_code"]) == (
        "payment_rejected", "idempotency_key_reused")


def test_cancelling_an_authorization_releases_it(paysim, client, receiver):
    payment = new_payment(client)
    paysim.pay(payment["id"])
    assert client.cancel(payment["id"])["status"] == "cancelled"
    assert client.cancel(payment["id"])["status"] == "cancelled"  # a retry is harmless
    receiver.wait_for(payment["id"], "payment.authorized", "payment.cancelled")


def test_a_captured_payment_is_refunded_in_part_then_in_full(paysim, client, receiver):
    payment = new_payment(client, capture="automatic")
    paysim.pay(payment["id"])
    assert client.get_payment(payment["id"])["status"] == "captured"
    assert client.refund(payment["id"], 1000)["refunded_cents"] == 1000
    refunded = client.refund(payment["id"])
    assert (refunded["status"], refunded["refunded_cents"]) == ("refunded", 2500)
    receiver.wait_for(payment["id"], "payment.captured", "payment.refunded", "payment.refunded")


def test_an_impossible_move_is_a_conflict_with_the_current_status(client):
    payment = new_payment(client)
    with pytest.raises(DomainError) as caught:
        client.capture(payment["id"])
    assert (caught.value.kind, caught.value.code) == ("conflict", "payment_invalid_transition")
    assert caught.value.details == {"status": "pending"}


def test_an_unknown_payment_is_not_found(client):
    with pytest.raises(DomainError) as caught:
        client.get_payment("pay_unknown")
    assert (caught.value.kind, caught.value.code) == ("not_found", "payment_not_found")


def test_a_wrong_api_key_is_a_401(paysim):
    answer = requests.get(f"{paysim.base_url}/v1/payments/pay_1", timeout=5,
                          headers={"Authorization": "Bearer wrong"})
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "unauthenticated"
    with pytest.raises(DomainError) as caught:
        new_payment(paysim.client(api_key="wrong"))
    assert caught.value.details["provider_code"] == "unauthenticated"


def test_a_receiver_failing_twice_gets_the_event_a_third_time(paysim, client, receiver):
    payment = new_payment(client)
    receiver.fail_next(payment["id"], 2)
    started = time.monotonic()
    paysim.pay(payment["id"])
    deliveries = receiver.wait_for(payment["id"], *["payment.authorized"] * 3)
    assert time.monotonic() - started >= 1.4  # waited 0.5 s, then 1 s
    assert len({json.loads(body)["id"] for _, body in deliveries}) == 1  # one event, resent
    event = paysim.wait_for_event(payment["id"], "payment.authorized")
    assert event["delivery"]["attempts"] == 3
