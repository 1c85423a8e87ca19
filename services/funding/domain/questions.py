"""Public questions on a campaign's page: a signed-in person asks, the project's carrier
(its organisation's member admins) or the cluster's team (animators, operators) answers,
once; anyone who reads the campaign reads both. Pure: no I/O."""
from services.funding.domain.campaigns import Sight, is_public
from shared.errors import FORBIDDEN, DomainError, conflict

CARRIER, TEAM = "carrier", "team"
ANSWERERS = (CARRIER, TEAM)


def new_question(data: dict, campaign_status: str, account_id: str, now) -> dict:
    """The values of a question asked on a published campaign."""
    if not is_public(campaign_status):
        raise conflict("campaign_not_published",
                       "Questions are asked on published campaigns only.",
                       status=campaign_status)
    name = (data.get("asker_name") or "").strip() or None
    return {"body": data["body"].strip(), "asker_name": name, "account_id": account_id,
            "asked_at": now}


def answerer(reader: Sight, carrier_organisation_id) -> str:
    """Who answers, as the page says it: the team (staff), or the carrier (a member admin
    of the organisation carrying the project). Anyone else is refused."""
    if reader.everything:
        return TEAM
    if carrier_organisation_id and reader.carrier_organisation_id == carrier_organisation_id:
        return CARRIER
    raise DomainError(FORBIDDEN, "not_your_campaign",
                      "Only the project's carrier or the cluster's team answers its "
                      "questions.", {})


def check_unanswered(answered_at) -> None:
    """A question is answered once: the answer stays as its readers read it."""
    if answered_at is not None:
        raise conflict("question_already_answered", "This question is already answered.",
                       answered_at=answered_at.isoformat())
