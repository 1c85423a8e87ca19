"""A service process killed with SIGKILL in the middle of its work, then started again:
what it was handling is delivered again, and takes effect once."""
import json
import time
import uuid
from datetime import datetime, timezone

import kombu
import pytest

from services.funding.schemas import CONTRIBUTION_CONFIRMED
from shared.envelope import make_envelope
from shared.topology import event_exchange
from tests.faults.support import (
    Contributors,
    wait_for_agreement,
)
from tests.support.funding import live_campaign
from tests.support.waiting import wait_until

pytestmark = pytest.mark.timeout(240)

BURST = 400


def confirmed(amount_cents):
    now = datetime.now(timezone.utc).isoformat()
    return make_envelope(CONTRIBUTION_CONFIRMED, {
        "contribution_id": str(uuid.uuid4()), "campaign_id": str(uuid.uuid4()),
        "project_id": str(uuid.uuid4()), "kind": "donation", "model": "keep_it_all",
        "channel": "online", "amount_cents": amount_cents, "status": "captured", "at": now,
        "matched_cents": 0, "contributor_account_id": None, "confirmed_at": now},
        "corr-faults")


def publish(amqp_uri, envelopes):
    """As funding's outbox relay does: persistent, with the event id as message id."""
    with kombu.Connection(amqp_uri, connect_timeout=5) as connection:
        producer = connection.Producer()
        for envelope in envelopes:
            producer.publish(json.dumps(envelope), exchange=event_exchange("funding"),
                             routing_key="contribution_confirmed", delivery_mode=2,
                             content_type="application/json", content_encoding="utf-8",
                             message_id=envelope["event_id"], retry=True)


def archived(platform):
    return platform.query("reporting", "SELECT count(*) FROM event_archive "
                                       "WHERE type = 'funding.contribution_confirmed'")[0][0]


def test_reporting_killed_in_a_burst_of_events_counts_each_once_after_restart(platform):
    events = [confirmed(100 + number) for number in range(BURST)]
    publish(platform.amqp_uri, events)
    wait_until(lambda: archived(platform) >= 20, timeout=60, interval=0.02,
               message="reporting to be handling the burst")
    platform.kill("reporting")
    at_kill = archived(platform)
    assert 0 < at_kill < BURST, f"the kill came outside the burst ({at_kill} archived)"
    # Some events come twice, as a relay that crashed between confirm and mark sends them.
    publish(platform.amqp_uri, events[:10] + events[-10:])

    platform.processes.start("reporting")
    counted = {event["data"]["contribution_id"]: event["data"]["amount_cents"]
               for event in events}
    wait_for_agreement(platform, counted, timeout=120)
    [(inbox,)] = platform.query("reporting", "SELECT count(*) FROM inbox "
                                             "WHERE consumer = 'reporting.archive'")
    assert inbox == BURST
    assert platform.get("/reports/summary").json()["contributions"] == BURST


def test_funding_killed_while_pledges_and_webhooks_flow_takes_each_payment_once(platform):
    campaign = live_campaign(platform)
    contributors = Contributors(platform, campaign["id"]).start()
    try:
        wait_until(lambda: len(contributors.created) >= 8, timeout=30,
                   message="contributions to flow before the fault")
        platform.kill("funding")
        time.sleep(2)
        during = contributors.statuses.copy()
        platform.processes.start("funding")
        wait_until(lambda: contributors.statuses[201] > during[201] + 8, timeout=90,
                   message="funding to take contributions again after its restart")
    finally:
        contributors.stop()
    assert contributors.statuses[503] > 0, contributors.statuses
    assert set(contributors.statuses) <= {201, 409, 503}, contributors.statuses
    assert '"status_code": 500' not in platform.processes.log("paysim")

    contributors.retry_unanswered()  # same keys: found again, never taken twice
    contributors.wait_all_captured()
    # Each payment moved its contribution once, whatever the provider or the broker
    # delivered again: one confirmation event per contribution in funding's outbox.
    rows = platform.query("funding", "SELECT payload FROM outbox "
                                     "WHERE routing_key = 'contribution_confirmed'")
    confirmations = [json.loads(payload)["data"]["contribution_id"] for (payload,) in rows]
    assert sorted(confirmations) == sorted(contributors.created)
    wait_for_agreement(platform, contributors.created)
    raised = platform.get(f"/campaigns/{campaign['id']}").json()["raised_cents"]
    assert raised == sum(contributors.created.values())
