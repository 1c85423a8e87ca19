"""The platform's headline figures, one row. Every change is an increment, so the
figures do not depend on the order events arrive in; the inbox makes sure each event is
counted once."""

SUMMARY_FIGURES = ("organisations", "projects", "campaigns", "contributions",
                   "amount_raised_cents")


def summary_changes(event_type: str, data: dict) -> dict:
    """The increment each summary figure takes for one event (empty if none)."""
    if event_type == "members.organisation_registered":
        return {"organisations": 1}
    if event_type == "projects.project_submitted":
        return {"projects": 1}
    if event_type == "funding.campaign_published":
        return {"campaigns": 1}
    if event_type == "funding.contribution_confirmed":
        amount = data["amount_cents"]
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise ValueError(f"amount_cents must be a positive integer, got {amount!r}")
        return {"contributions": 1, "amount_raised_cents": amount}
    return {}
