"""A service process killed with SIGKILL in the middle of its work, then started again:
what it was handling is delivered again, and takes effect once."""
import json
import time

import pytest

from tests.faults.support import (
    Contributors,
    wait_for_agreement,
)
from tests.support.events import confirmed_contribution, publish_confirmed
from tests.support.funding import live_campaign
from tests.support.waiting import wait_until

pytestmark = pytest.mark.timeout(240)

BURST = 400


def archived(platform):
    return platform.query("reporting", "SELECT count(*) FROM event_archive "
                                       "WHERE type = 'funding.contribution_confirmed'")[0][0]


def test_reporting_killed_in_a_burst_of_events_counts_each_once_after_restart(platform):
    events = [confirmed_contribution(100 + number) for number in range(BURST)]
    publish_confirmed(platform.amqp_uri, *events)
    wait_until(lambda: archived(platform) >= 20, timeout=60, interval=0.02,
               message="reporting to be handling the burst")
    platform.kill("reporting")
    at_kill = archived(platform)
    assert 0 < at_kill < BURST, f"the kill came outside the burst ({at_kill} archived)"
    # Some events come twice, as a relay that crashed between confirm and mark sends them.
    publish_confirmed(platform.amqp_uri, *events[:10], *events[-10:])

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
        contributors.wait_flowing_again(
            during, 8, "funding to take contributions again after its restart", timeout=90)
    finally:
        contributors.stop()
    contributors.assert_the_fault_was_said_clearly()
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
