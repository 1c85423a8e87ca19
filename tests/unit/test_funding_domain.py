import uuid
from datetime import datetime, timedelta, timezone

import pytest

from services.funding import domain
from shared.errors import DomainError

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)
LATER = NOW + timedelta(days=30)


def campaign_input(**changes):
    return {"project_id": uuid.uuid4(), "title": " Un  camion ", "kind": "donation",
            "goal_cents": 500_000, "deadline": LATER, **changes}


def test_a_new_campaign_is_a_draft_with_nothing_raised():
    values = domain.new_campaign(campaign_input(), NOW)
    assert values["status"] == "draft"
    assert values["raised_cents"] == 0
    assert values["title"] == "Un camion"


def test_a_deadline_in_the_past_is_refused_on_its_field():
    with pytest.raises(DomainError) as raised:
        domain.new_campaign(campaign_input(deadline=NOW - timedelta(seconds=1)), NOW)
    assert list(raised.value.details["fields"]) == ["deadline"]


def test_only_a_draft_is_published():
    assert domain.publish("draft") == "live"
    with pytest.raises(DomainError) as raised:
        domain.publish("live")
    assert (raised.value.kind, raised.value.code) == ("conflict", "campaign_not_draft")


def test_a_live_campaign_accepts_a_contribution_before_its_deadline():
    assert domain.accept_contribution("live", LATER, 2500, NOW) is None


@pytest.mark.parametrize("status, deadline, amount, code", [
    ("draft", LATER, 2500, "campaign_not_live"),
    ("live", NOW, 2500, "campaign_closed"),
    ("live", LATER, 99, "validation_failed"),
])
def test_contributions_the_campaign_cannot_take(status, deadline, amount, code):
    with pytest.raises(DomainError) as raised:
        domain.accept_contribution(status, deadline, amount, NOW)
    assert raised.value.code == code
