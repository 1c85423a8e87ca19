"""Funding's rules: campaigns and the contributions they accept. Pure Python.

Amounts are integer cents of EUR.
"""
import uuid

from shared.errors import conflict, invalid

KINDS = ("donation",)
MIN_CONTRIBUTION_CENTS = 100
MAX_AMOUNT_CENTS = 100_000_000_000  # one billion euros: beyond, it is a typing mistake
DRAFT, LIVE = "draft", "live"
STATUSES = (DRAFT, LIVE)


def new_campaign(data: dict, now) -> dict:
    """The values of a draft campaign, from validated input."""
    if data["deadline"] <= now:
        raise invalid({"deadline": ["The deadline must be in the future."]})
    return {
        "id": str(uuid.uuid4()),
        "project_id": str(data["project_id"]),
        "title": " ".join(data["title"].split()),
        "kind": data["kind"],
        "goal_cents": data["goal_cents"],
        "deadline": data["deadline"],
        "status": DRAFT,
        "raised_cents": 0,
        "contributions_count": 0,
    }


def publish(status: str) -> str:
    """The status a campaign takes when published."""
    if status != DRAFT:
        raise conflict("campaign_not_draft", "Only a draft campaign can be published.",
                       status=status)
    return LIVE


def accept_contribution(status: str, deadline, amount_cents: int, now) -> None:
    """Refuse a contribution the campaign cannot take now."""
    if amount_cents < MIN_CONTRIBUTION_CENTS:
        raise invalid({"amount_cents": [
            f"The smallest contribution is {MIN_CONTRIBUTION_CENTS} cents."]})
    if status != LIVE:
        raise conflict("campaign_not_live", "This campaign does not take contributions.",
                       status=status)
    if now >= deadline:
        raise conflict("campaign_closed", "This campaign's deadline has passed.")


def new_contribution(campaign_id: str, amount_cents: int, contributor_name,
                     contributor_account_id: str) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "campaign_id": campaign_id,
        "amount_cents": amount_cents,
        "contributor_name": contributor_name,
        "contributor_account_id": contributor_account_id,
        "status": "confirmed",
    }
