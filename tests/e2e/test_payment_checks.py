"""Payments whose webhooks never arrive (the gateway or the broker down longer than the
provider's retries): funding's clock asks the provider itself and settles them. The real
processes (two funding replicas), with paysim's webhooks sent to a port where nothing
listens."""
from tests.support.funding import (
    contribute,
    live_campaign,
    pay,
    payment_id,
    wait_for_status,
)
from tests.support.platform import free_port
from tests.support.waiting import wait_until

PLATFORM_ENV = {"FUNDING_CLOCK_SECONDS": "0.5", "PAYMENT_RECONCILE_AFTER_SECONDS": "1",
                "PAYSIM_WEBHOOK_URL": f"http://127.0.0.1:{free_port()}/api/v1/payments/webhook"}


def undelivered(platform, payment, event_type):
    """The provider tried to tell, and could not."""
    return wait_until(lambda: next((
        event for event in platform.paysim.events(payment)
        if event["type"] == event_type and event["delivery"]["attempts"] >= 1
        and event["delivery"]["status"] != "delivered"), None),
        timeout=15, message=f"{event_type} of {payment} attempted")


def moves(platform, event_type, contribution):
    return [payload for (payload,) in platform.query(
        "funding", "SELECT payload FROM outbox WHERE routing_key = :type", type=event_type)
        if contribution["id"] in payload]


def test_payments_answered_while_webhooks_cannot_arrive_are_settled_by_funding_clock(
        platform, two_funding_replicas):
    campaign = live_campaign(platform, kind="reward", rewards=[
        {"title": "Panier", "min_amount_cents": 2000, "stock": 2}])
    reward_id = campaign["rewards"][0]["id"]
    paid, refused = (contribute(platform, campaign["id"], 3100, reward_id=reward_id).json()
                     for _ in range(2))
    pay(platform, paid)
    assert platform.paysim.refuse(payment_id(refused)).status_code == 303
    undelivered(platform, payment_id(paid), "payment.authorized")
    undelivered(platform, payment_id(refused), "payment.failed")

    assert wait_for_status(platform, paid["id"], "captured")["status"] == "captured"
    assert platform.paysim.client().get_payment(payment_id(paid))["status"] == "captured"
    assert wait_for_status(platform, refused["id"], "failed")["status"] == "failed"
    now = platform.get(f"/campaigns/{campaign['id']}").json()
    assert (now["raised_cents"], now["contributions_count"]) == (3100, 1)
    assert now["rewards"][0]["remaining"] == 1  # the refused one gave its reward back
    # None of this came by webhook: every event the provider sent is still undelivered.
    for payment in (payment_id(paid), payment_id(refused)):
        assert {event["delivery"]["status"] for event in platform.paysim.events(payment)} \
            <= {"pending", "failed"}
    # Two replicas ask, each payment moves once.
    assert len(moves(platform, "contribution_captured", paid)) == 1
    assert len(moves(platform, "contribution_failed", refused)) == 1
    assert [event["type"] for event in platform.paysim.events(payment_id(paid))] == [
        "payment.authorized", "payment.captured"]
    # Funding's own answers agree with the provider's: nothing for staff to look at.
    assert platform.get("/payments/discrepancies", as_="staff").json()["items"] == []
