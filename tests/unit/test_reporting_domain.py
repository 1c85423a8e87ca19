import pytest

from services.reporting import domain


@pytest.mark.parametrize("event_type, data, changes", [
    ("members.organisation_registered", {}, {"organisations": 1}),
    ("projects.project_submitted", {}, {"projects": 1}),
    ("funding.campaign_created", {}, {}),
    ("funding.campaign_published", {}, {"campaigns": 1}),
    ("funding.contribution_confirmed", {"amount_cents": 1234},
     {"contributions": 1, "amount_raised_cents": 1234}),
    ("members.something_new", {"x": 1}, {}),
])
def test_each_event_moves_the_summary_by_its_increment(event_type, data, changes):
    assert domain.summary_changes(event_type, data) == changes


@pytest.mark.parametrize("amount", [-5, 0, 12.5, "1234", True])
def test_an_amount_that_is_not_positive_integer_cents_is_refused(amount):
    with pytest.raises(ValueError):
        domain.summary_changes("funding.contribution_confirmed", {"amount_cents": amount})
