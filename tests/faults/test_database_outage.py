"""Funding's PostgreSQL unavailable for a moment while citizens contribute.

"Unavailable" means unreachable for the funding service only: its connections go
through a proxy (tests/faults/conftest.py) that the test cuts, breaking the open
connections and refusing new ones, then restores; the machine's PostgreSQL, shared with
other suites, keeps running, and the test reads funding's database directly.
"""
import time

import pytest

from shared.config import SERVICE_NAMES
from tests.faults.support import (
    Contributors,
    assert_clear_answer,
    contributions_in_funding,
    wait_for_agreement,
)
from tests.support.funding import contribute, live_campaign
from tests.support.waiting import wait_until

pytestmark = pytest.mark.timeout(240)


def test_funding_losing_its_database_answers_503_writes_nothing_half_and_heals(
        platform, databases):
    assert databases.backend == "postgresql", \
        "this test cuts a link to PostgreSQL: set TEST_DATABASE_URL (CI does)"
    campaign = live_campaign(platform)
    contributors = Contributors(platform, campaign["id"]).start()
    try:
        wait_until(lambda: len(contributors.created) >= 6, timeout=30,
                   message="contributions to flow before the fault")
        with platform.database_unavailable("funding"):
            time.sleep(1)
            # Whatever a citizen asks of funding now is a clear 503, quickly.
            pledge = contribute(platform, campaign["id"], 4321, headers=contributors.headers)
            read = platform.get(f"/campaigns/{campaign['id']}")
            for answer in (pledge, read):
                assert answer.status_code == 503, answer.text
                assert_clear_answer(answer)
                assert answer.json()["code"] == "service_unavailable"
            time.sleep(2)
            during = contributors.statuses.copy()
        # Other services never noticed.
        assert platform.post("/projects", {
            "title": "Jardin partagé", "summary": "Un jardin.", "field": "proximity_economy",
            "commune": "Trévoux", "founders": "Lou"}).status_code == 201
        contributors.wait_flowing_again(
            during, 6, "funding to take contributions again (pool_pre_ping)", timeout=60)
    finally:
        contributors.stop()
    contributors.assert_the_fault_was_said_clearly()
    assert '"status_code": 500' not in platform.processes.log("paysim")

    # Nothing half-written: the pledge answered 503 above left no trace, and each
    # contribution in funding's database is one the API answered, whole.
    found = contributions_in_funding(platform, campaign["id"])
    assert 4321 not in [amount for _, amount, _ in found.values()]
    contributors.retry_unanswered()  # same keys: found again, never taken twice
    found = contributors.wait_all_captured()
    assert all(payment for _, _, payment in found.values())
    # The campaign's running totals moved with its contributions, not apart from them.
    [(committed, keys)] = platform.query(
        "funding", "SELECT committed_cents, (SELECT count(*) FROM idempotency_keys "
                   "WHERE scope LIKE 'contribute:%' AND response IS NOT NULL) "
                   "FROM campaigns WHERE id = :c", c=campaign["id"])
    assert committed == sum(contributors.created.values())
    assert keys == len(contributors.created)
    assert platform.get(f"/campaigns/{campaign['id']}").json()["raised_cents"] == committed
    wait_for_agreement(platform, contributors.created)


def test_readiness_names_the_database_that_is_down_and_the_services_that_answer(platform):
    with platform.database_unavailable("funding"):
        answer = platform.http.get(platform.base_url + "/readyz", timeout=15)
        assert answer.status_code == 503
        report = answer.json()
        assert report["status"] == "not_ready"
        assert report["checks"]["funding"] == {"status": "degraded", "database": "down"}
        assert report["checks"]["broker"] == {"status": "ok"}
        for name in set(SERVICE_NAMES) - {"funding"}:
            assert report["checks"][name] == {"status": "ok", "database": "ok"}, name
    wait_until(lambda: platform.http.get(platform.base_url + "/readyz", timeout=15)
               .status_code == 200, timeout=60, message="funding's database to be back")
    assert platform.http.get(platform.base_url + "/readyz").json()["checks"]["funding"] == {
        "status": "ok", "database": "ok"}
