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
    wait_for_agreement,
)
from tests.support.funding import live_campaign
from tests.support.waiting import wait_until

# Above the sum of its own waits (about 300 s on a slow machine), which say what failed.
pytestmark = pytest.mark.timeout(420)


def test_contributions_flowing_through_a_broker_restart_are_each_counted_once(platform):
    campaign = live_campaign(platform)
    contributors = Contributors(platform, campaign["id"]).start()
    try:
        wait_until(lambda: len(contributors.created) >= 8, timeout=30,
                   message="contributions to flow before the fault")
        with platform.broker_stopped():
            time.sleep(4)
            during = contributors.statuses.copy()
        contributors.wait_flowing_again(
            during, 8, "contributions to flow again after the broker came back", timeout=60)
    finally:
        contributors.stop()
    # The fault was real: the platform said so while it lasted, and never answered 500.
    contributors.assert_the_fault_was_said_clearly()

    contributors.retry_unanswered()  # same keys: found again, never taken twice
    contributors.wait_all_captured()

    # Reporting counts each of them exactly once.
    wait_for_agreement(platform, contributors.created)
    raised = platform.get(f"/campaigns/{campaign['id']}").json()["raised_cents"]
    assert raised == sum(contributors.created.values())
    # The provider's webhooks met a 503 at worst, never a 500.
    assert '"status_code": 500' not in platform.processes.log("paysim")
