"""RabbitMQ stopped and restarted while citizens contribute and pay.

"Stopped" means unreachable for every process of the platform: their connections go
through a proxy (tests/faults/conftest.py) that the test cuts, breaking the open
connections and refusing new ones, then restores; the machine's broker, shared with
other suites, keeps running.
"""
import time

import pytest

from tests.faults.support import (
    Contributors,
    assert_clear_answer,
    contributions_in_funding,
    wait_for_agreement,
)
from tests.support.funding import contribute, live_campaign, payment_id
from tests.support.waiting import wait_until

pytestmark = pytest.mark.timeout(240)


def test_contributions_flowing_through_a_broker_restart_are_each_counted_once(platform):
    campaign = live_campaign(platform)
    contributors = Contributors(platform, campaign["id"]).start()
    try:
        wait_until(lambda: len(contributors.created) >= 8, timeout=30,
                   message="contributions to flow before the fault")
        with platform.broker_stopped():
            time.sleep(4)
            during = contributors.statuses.copy()
        wait_until(lambda: contributors.statuses[201] > during[201] + 8, timeout=60,
                   message="contributions to flow again after the broker came back")
    finally:
        contributors.stop()
    # The fault was real: the platform said so while it lasted, and never answered 500.
    assert contributors.statuses[503] > 0, contributors.statuses
    assert set(contributors.statuses) <= {201, 409, 503}, contributors.statuses

    # A client retries what was answered 503 with the same key: a pledge that was
    # taken although its answer was lost is found again, never taken twice.
    for key, amount in contributors.unanswered:
        answer = contribute(platform, campaign["id"], amount, headers=contributors.headers,
                            key=key)
        assert_clear_answer(answer, allowed=(201,))
        assert answer.status_code == 201, answer.text
        contribution = answer.json()
        if contribution["id"] not in contributors.created:
            if contribution["status"] == "pending":
                assert platform.paysim.pay(payment_id(contribution)).status_code == 303
            contributors.created[contribution["id"]] = amount

    # Funding holds exactly the contributions the API answered, each paid and captured
    # once the provider's webhooks (retried through the outage) came through.
    def all_captured():
        found = contributions_in_funding(platform, campaign["id"])
        return set(found) == set(contributors.created) and all(
            status == "captured" for status, _, _ in found.values()) and found
    found = wait_until(all_captured, timeout=120, interval=0.5,
                       message="every contribution answered 201 to be captured")
    assert {cid: amount for cid, (_, amount, _) in found.items()} == contributors.created

    # Reporting counts each of them exactly once.
    wait_for_agreement(platform, contributors.created)
    raised = platform.get(f"/campaigns/{campaign['id']}").json()["raised_cents"]
    assert raised == sum(contributors.created.values())
    # The provider's webhooks met a 503 at worst, never a 500.
    assert '"status_code": 500' not in platform.processes.log("paysim")
