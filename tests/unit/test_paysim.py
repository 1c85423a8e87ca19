"""paysim in process: its API, its payer page, its webhook queue (with a fake sender)."""
import json
import time

import pytest

from paysim.app import create_app
from paysim.french import format_euros
from paysim.settings import PaysimSettings
from paysim.webhooks import Webhooks
from shared.signatures import SIGNATURE_HEADER, verify
from tests.support.waiting import wait_until

KEY = "sk_test"
SECRET = "whsec_test"
AUTH = {"Authorization": f"Bearer {KEY}"}
NEW = {"amount_cents": 2500, "currency": "EUR", "reference": "contribution-1",
       "description": "Recyclerie de la Dombes", "capture": "manual",
       "return_url": "https://dombinnov.example/retour?campagne=7"}


class Receiver:
    """A fake webhook endpoint: records what it gets, answers the statuses it is told."""

    def __init__(self, statuses=()):
        self.statuses = list(statuses)
        self.received = []

    def __call__(self, url, body, headers):
        self.received.append((url, body, headers))
        return self.statuses.pop(0) if self.statuses else 200

    def types(self):
        return [json.loads(body)["type"] for _, body, _ in self.received]


@pytest.fixture
def receiver():
    return Receiver()


@pytest.fixture
def app(receiver):
    settings = PaysimSettings(api_key=KEY, webhook_secret=SECRET,
                              webhook_url="http://merchant.example/hook",
                              public_url="https://paysim.example")
    app = create_app(settings, send=receiver, first_retry_seconds=0.01)
    yield app
    app.extensions["paysim"].webhooks.stop()


@pytest.fixture
def client(app):
    return app.test_client()


def create(client, key="key-1", **changes):
    return client.post("/v1/payments", json={**NEW, **changes},
                       headers={**AUTH, "Idempotency-Key": key})


def pending(client, **changes):
    answer = create(client, key=json.dumps(changes, sort_keys=True), **changes)
    assert answer.status_code == 201, answer.json
    return answer.json["id"]


def authorized(client):
    payment_id = pending(client)
    assert client.post(f"/pay/{payment_id}", data={"decision": "confirm"}).status_code == 303
    return payment_id


def post(client, path, body=None):
    return client.post(path, json=body, headers=AUTH)


def test_a_new_payment_is_pending_and_sends_the_payer_to_its_page(client):
    answer = create(client)
    assert answer.status_code == 201
    payment = answer.json
    assert payment["id"].startswith("pay_")
    assert payment["redirect_url"] == f"https://paysim.example/pay/{payment['id']}"
    assert {key: payment[key] for key in NEW} == NEW
    assert (payment["status"], payment["refunded_cents"]) == ("pending", 0)
    assert payment["created_at"].endswith("Z")
    assert client.get(f"/v1/payments/{payment['id']}", headers=AUTH).json == payment


def test_the_api_wants_its_key(client):
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {KEY}"}):
        answer = client.get("/v1/events", headers=headers)
        assert answer.status_code == 401
        assert answer.json["error"]["code"] == "unauthenticated"
    assert client.get("/healthz").json == {"status": "ok"}


def test_an_idempotency_key_replays_the_same_payment_and_refuses_another_body(client):
    first = create(client)
    again = create(client)
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json["id"] == first.json["id"]
    other = create(client, amount_cents=2600)
    assert other.status_code == 422
    assert other.json["error"]["code"] == "idempotency_key_reused"
    missing = client.post("/v1/payments", json=NEW, headers=AUTH)
    assert missing.status_code == 400
    assert missing.json["error"]["code"] == "idempotency_key_required"


@pytest.mark.parametrize("changes, field", [
    ({"amount_cents": 0}, "amount_cents"), ({"amount_cents": "25"}, "amount_cents"),
    ({"amount_cents": True}, "amount_cents"), ({"currency": "USD"}, "currency"),
    ({"reference": " "}, "reference"), ({"description": None}, "description"),
    ({"capture": "later"}, "capture"), ({"return_url": "javascript:alert(1)"}, "return_url"),
    ({"tip": 1}, "tip")])
def test_invalid_fields_are_a_422_naming_them(client, changes, field):
    answer = create(client, **changes)
    assert answer.status_code == 422
    assert field in answer.json["error"]["fields"]


def test_a_body_that_is_not_a_json_object_is_a_400(client):
    answer = client.post("/v1/payments", data="[]", content_type="application/json",
                         headers={**AUTH, "Idempotency-Key": "k"})
    assert answer.status_code == 400 and answer.json["error"]["code"] == "invalid_json"


def test_manual_capture_authorizes_then_captures_then_refunds(client, receiver):
    payment_id = authorized(client)
    assert client.get(f"/v1/payments/{payment_id}", headers=AUTH).json["status"] == "authorized"
    assert post(client, f"/v1/payments/{payment_id}/capture").json["status"] == "captured"
    partial = post(client, f"/v1/payments/{payment_id}/refunds", {"amount_cents": 500})
    assert (partial.json["status"], partial.json["refunded_cents"]) == ("captured", 500)
    too_much = post(client, f"/v1/payments/{payment_id}/refunds", {"amount_cents": 2001})
    assert too_much.status_code == 422
    rest = post(client, f"/v1/payments/{payment_id}/refunds")
    assert (rest.json["status"], rest.json["refunded_cents"]) == ("refunded", 2500)
    wait_until(lambda: len(receiver.received) == 4)
    assert receiver.types() == ["payment.authorized", "payment.captured", "payment.refunded",
                                "payment.refunded"]


def test_automatic_capture_is_captured_when_the_payer_confirms(client, receiver):
    payment_id = pending(client, capture="automatic")
    client.post(f"/pay/{payment_id}", data={"decision": "confirm"})
    assert client.get(f"/v1/payments/{payment_id}", headers=AUTH).json["status"] == "captured"
    wait_until(lambda: receiver.types() == ["payment.captured"])


def test_asking_for_the_current_state_again_is_no_error_and_no_event(client, receiver):
    payment_id = authorized(client)
    for _ in range(2):
        assert post(client, f"/v1/payments/{payment_id}/capture").status_code == 200
    cancelled_id = pending(client, reference="other")
    for _ in range(2):
        assert post(client, f"/v1/payments/{cancelled_id}/cancel").json["status"] == "cancelled"
    wait_until(lambda: len(receiver.received) == 3)
    time.sleep(0.05)
    assert receiver.types() == ["payment.authorized", "payment.captured", "payment.cancelled"]


def test_cancelling_an_authorization_releases_it(client):
    payment_id = authorized(client)
    assert post(client, f"/v1/payments/{payment_id}/cancel").json["status"] == "cancelled"


@pytest.mark.parametrize("path", ["capture", "refunds"])
def test_an_impossible_move_is_a_409_with_the_current_status(client, path):
    payment_id = pending(client)
    answer = post(client, f"/v1/payments/{payment_id}/{path}")
    assert answer.status_code == 409
    assert answer.json["error"]["code"] == "invalid_transition"
    assert answer.json["error"]["status"] == "pending"


def test_a_captured_payment_cannot_be_cancelled(client):
    payment_id = authorized(client)
    post(client, f"/v1/payments/{payment_id}/capture")
    answer = post(client, f"/v1/payments/{payment_id}/cancel")
    assert answer.status_code == 409 and answer.json["error"]["status"] == "captured"


def test_an_unknown_payment_is_a_404(client):
    for answer in (client.get("/v1/payments/pay_nope", headers=AUTH),
                   post(client, "/v1/payments/pay_nope/capture")):
        assert answer.status_code == 404
        assert answer.json["error"]["code"] == "payment_not_found"


def test_the_payer_page_is_in_french_with_the_amount_and_two_buttons(client):
    payment_id = pending(client, amount_cents=123450)
    page = client.get(f"/pay/{payment_id}")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.text
    assert '<html lang="fr">' in html and 'name="viewport"' in html
    assert "Recyclerie de la Dombes" in html
    assert "1\u202f234,50\u00a0€" in html
    assert '<button type="submit" name="decision" value="confirm"' in html
    assert '<button type="submit" name="decision" value="fail"' in html
    assert ">Payer</button>" in html and ">Refuser le paiement</button>" in html
    assert "<script" not in html


def test_the_payer_page_escapes_what_the_merchant_wrote(client):
    payment_id = pending(client, description="<b>Don</b>")
    assert "&lt;b&gt;Don&lt;/b&gt;" in client.get(f"/pay/{payment_id}").text


def test_refusing_fails_the_payment_and_sends_the_payer_back_with_its_id(client, receiver):
    payment_id = pending(client)
    answer = client.post(f"/pay/{payment_id}", data={"decision": "fail"})
    assert answer.status_code == 303
    assert answer.headers["Location"] == \
        f"https://dombinnov.example/retour?campagne=7&payment_id={payment_id}"
    page = client.get(f"/pay/{payment_id}").text
    assert "Paiement refusé" in page and "<button" not in page
    wait_until(lambda: receiver.types() == ["payment.failed"])


def test_a_form_sent_twice_changes_nothing_the_second_time(client, receiver):
    payment_id = pending(client)
    client.post(f"/pay/{payment_id}", data={"decision": "confirm"})
    again = client.post(f"/pay/{payment_id}", data={"decision": "fail"})
    assert again.status_code == 303
    assert client.get(f"/v1/payments/{payment_id}", headers=AUTH).json["status"] == "authorized"
    wait_until(lambda: receiver.received)
    time.sleep(0.05)
    assert receiver.types() == ["payment.authorized"]


def test_without_return_url_the_payer_gets_a_french_confirmation(client):
    payment_id = pending(client, return_url=None)
    answer = client.post(f"/pay/{payment_id}", data={"decision": "confirm"})
    assert answer.status_code == 200
    assert "Votre réponse est enregistrée" in answer.text
    assert "Paiement autorisé" in answer.text


def test_the_payer_page_of_an_unknown_payment_is_a_french_404(client):
    for answer in (client.get("/pay/pay_nope"), client.post("/pay/pay_nope", data={})):
        assert answer.status_code == 404
        assert "Paiement introuvable" in answer.text


def test_a_missing_decision_is_a_400_that_keeps_the_buttons(client):
    payment_id = pending(client)
    answer = client.post(f"/pay/{payment_id}", data={"decision": "maybe"})
    assert answer.status_code == 400 and "Refuser le paiement" in answer.text


@pytest.mark.parametrize("cents, text", [
    (0, "0,00"), (5, "0,05"), (2500, "25,00"), (123450, "1\u202f234,50"),
    (123456789, "1\u202f234\u202f567,89"), (-1050, "-10,50")])
def test_amounts_are_written_the_french_way(cents, text):
    assert format_euros(cents) == f"{text}\u00a0€"


def test_webhooks_are_signed_over_the_exact_body_and_listed(client, receiver):
    payment_id = authorized(client)
    wait_until(lambda: receiver.received)
    url, body, headers = receiver.received[0]
    assert url == "http://merchant.example/hook"
    verify(SECRET, headers[SIGNATURE_HEADER], body, now=time.time())
    event = json.loads(body)
    assert event["id"].startswith("evt_") and isinstance(event["created"], int)
    assert event["data"]["id"] == payment_id and event["data"]["status"] == "authorized"
    listed = client.get(f"/v1/events?payment_id={payment_id}", headers=AUTH).json["data"]
    assert [item["id"] for item in listed] == [event["id"]]
    assert listed[0]["delivery"]["status"] == "delivered"
    assert listed[0]["delivery"]["attempts"] == 1


# The queue itself.

def payment(payment_id):
    return {"id": payment_id, "status": "captured"}


def test_the_delivery_thread_starts_with_the_first_event_not_before():
    webhooks = Webhooks("http://merchant.example/hook", SECRET, send=Receiver())
    assert not webhooks.running
    webhooks.publish("payment.captured", payment("pay_1"))
    assert webhooks.running
    webhooks.stop()


def test_a_failing_receiver_is_retried_until_it_answers_2xx():
    receiver = Receiver([500, 404])
    webhooks = Webhooks("http://merchant.example/hook", SECRET, send=receiver,
                        first_retry_seconds=0.01)
    webhooks.publish("payment.captured", payment("pay_1"))
    wait_until(lambda: webhooks.events()[0]["delivery"]["status"] == "delivered")
    assert webhooks.events()[0]["delivery"]["attempts"] == 3
    webhooks.stop()


def test_an_event_is_given_up_after_eight_attempts_with_doubling_waits():
    times = []

    def refusing(url, body, headers):
        times.append(time.monotonic())
        raise ConnectionError("refused")

    webhooks = Webhooks("http://merchant.example/hook", SECRET, send=refusing,
                        first_retry_seconds=0.005)
    webhooks.publish("payment.captured", payment("pay_1"))
    wait_until(lambda: webhooks.events()[0]["delivery"]["status"] == "failed", timeout=5)
    delivery = webhooks.events()[0]["delivery"]
    assert delivery["attempts"] == 8 and "refused" in delivery["last_error"]
    waits = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    assert waits[-1] >= 0.005 * 2 ** 6 * 0.9  # 0.005, 0.01 ... 0.32 s
    webhooks.stop()


def test_a_payment_waiting_for_a_retry_holds_back_its_own_events_only():
    sent = []

    def send(url, body, headers):
        event = json.loads(body)
        sent.append((event["data"]["id"], event["type"]))
        return 500 if sent == [("pay_1", "payment.authorized")] else 200

    webhooks = Webhooks("http://merchant.example/hook", SECRET, send=send,
                        first_retry_seconds=0.2)
    webhooks.publish("payment.authorized", payment("pay_1"))
    webhooks.publish("payment.captured", payment("pay_1"))
    webhooks.publish("payment.captured", payment("pay_2"))
    wait_until(lambda: len(sent) == 4)
    assert sent == [("pay_1", "payment.authorized"), ("pay_2", "payment.captured"),
                    ("pay_1", "payment.authorized"), ("pay_1", "payment.captured")]
    webhooks.stop()


def test_without_a_webhook_url_events_are_listed_and_never_sent():
    receiver = Receiver()
    webhooks = Webhooks("", SECRET, send=receiver)
    webhooks.publish("payment.captured", payment("pay_1"))
    assert webhooks.events()[0]["delivery"]["status"] == "disabled"
    assert not webhooks.running and receiver.received == []


def test_paysim_refuses_to_start_without_its_key_and_secret():
    with pytest.raises(RuntimeError, match="PAYSIM_API_KEY and PAYSIM_WEBHOOK_SECRET"):
        create_app(PaysimSettings(api_key="", webhook_secret=""))


def test_settings_come_from_the_environment():
    settings = PaysimSettings.from_env({"PAYSIM_BIND": "0.0.0.0:9100", "PAYSIM_API_KEY": "k",
                                        "PAYSIM_WEBHOOK_SECRET": "s"})
    assert settings.public_url == "http://0.0.0.0:9100" and settings.webhook_url == ""
    assert PaysimSettings.from_env({"PAYSIM_PUBLIC_URL": "https://pay.example"}).public_url \
        == "https://pay.example"
