"""Campaigns: their kinds and models, their lifecycle, who may see them, what they
accept, how they end.

Amounts are integer cents of EUR. Lifecycle:
draft -> in_review -> live -> succeeded | failed -> closed; a campaign in review may be
sent back (sent_back), edited and submitted again. `in_review` is the submitted state.
A campaign is drafted and edited by the cluster's staff or by a member admin of the
organisation carrying its project, while it is a draft or sent back.
"""
import uuid
from dataclasses import dataclass
from datetime import timedelta

from shared.errors import FORBIDDEN, DomainError, conflict, invalid

DONATION, REWARD, LOAN, SHARES = "donation", "reward", "loan", "shares"
KINDS = (DONATION, REWARD, LOAN, SHARES)
INVESTMENT_KINDS = (LOAN, SHARES)
ALL_OR_NOTHING, KEEP_IT_ALL = "all_or_nothing", "keep_it_all"
MODELS = (ALL_OR_NOTHING, KEEP_IT_ALL)

DRAFT, IN_REVIEW, SENT_BACK, LIVE = "draft", "in_review", "sent_back", "live"
SUCCEEDED, FAILED, CLOSED = "succeeded", "failed", "closed"
STATUSES = (DRAFT, IN_REVIEW, SENT_BACK, LIVE, SUCCEEDED, FAILED, CLOSED)
MOVES = {  # (from, action) -> to
    (DRAFT, "submit"): IN_REVIEW,
    (SENT_BACK, "submit"): IN_REVIEW,
    (IN_REVIEW, "send_back"): SENT_BACK,
    (IN_REVIEW, "approve"): LIVE,
}
# Its authors change a campaign while it is theirs: before review, or sent back from it.
EDITABLE_STATUSES = (DRAFT, SENT_BACK)
# What only the cluster's staff set on a campaign: an institution's matchfunding is the
# cluster's agreement with it, not the carrier's to declare.
STAFF_ONLY_FIELDS = ("matchfunding",)
# Rewards are sent by post or picked up (at the carrier's, at an event).
DELIVERY, PICK_UP = "delivery", "pick_up"
HANDOVERS = (DELIVERY, PICK_UP)

# The cover picture: what a browser sends, at most this big; stored re-encoded as WebP at
# most this wide (metadata gone), and served forever at an address naming its hash.
IMAGE_MEDIA_TYPES = ("image/jpeg", "image/png", "image/webp")
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_WIDTH = 1200
MAX_IMAGE_PIXELS = 40_000_000  # a decompression bomb is refused before it is decoded

# The campaign list's phases (a status each, or several) and orders.
PHASE_LIVE, PHASE_SUCCEEDED, PHASE_ENDED = "live", "succeeded", "ended"
PHASES = (PHASE_LIVE, PHASE_SUCCEEDED, PHASE_ENDED)
SORT_RECENT, SORT_ENDING, SORT_SUPPORTED = "recent", "ending", "supported"
SORTS = (SORT_RECENT, SORT_ENDING, SORT_SUPPORTED)

# Published once approved: from then on anyone reads them, whatever becomes of them.
PUBLIC_STATUSES = (LIVE, SUCCEEDED, FAILED, CLOSED)
STAFF_ROLES = ("animator", "operator")
MEMBER_ADMIN = "member_admin"

# A cooperative's board approves or declines each share subscription once its
# reflection period is over; only approved ones make shares and members.
APPROVED, DECLINED = "approved", "declined"

MIN_CONTRIBUTION_CENTS = 100
MAX_AMOUNT_CENTS = 100_000_000_000  # one billion euros: beyond, it is a typing mistake


def new_campaign(data: dict, now, key_information_errors=None) -> dict:
    """The values of a draft campaign, from validated input; every rule that ties
    several fields together is checked here, with the field it is about."""
    return {"id": str(uuid.uuid4()), "project_id": str(data["project_id"]), "status": DRAFT,
            **_checked(data, now, key_information_errors)}


def _checked(data: dict, now, key_information_errors) -> dict:
    starts_at = data.get("starts_at") or now
    errors = {}
    if data["deadline"] <= now:
        errors["deadline"] = ["The deadline must be in the future."]
    elif data["deadline"] <= starts_at:
        errors["deadline"] = ["The deadline must come after the start."]
    cap, goal, optimum = data.get("cap_cents"), data["goal_cents"], data.get("optimum_cents")
    if cap is not None and cap < goal:
        errors["cap_cents"] = ["The cap cannot be below the goal."]
    if optimum is not None and (optimum <= goal or (cap is not None and optimum > cap)):
        errors["optimum_cents"] = ["The optimum goal must be above the goal and within the cap."]
    minimum = data.get("min_contribution_cents") or MIN_CONTRIBUTION_CENTS
    for index, reward in enumerate(data.get("rewards") or []):
        if reward["min_amount_cents"] < minimum:
            errors[f"rewards.{index}.min_amount_cents"] = [
                f"A reward cannot ask less than the campaign's minimum ({minimum} cents)."]
    if data["kind"] == REWARD and not data.get("rewards"):
        errors["rewards"] = ["A reward campaign offers at least one reward."]
    if data["kind"] != REWARD and data.get("rewards"):
        errors["rewards"] = ["Only a reward campaign offers rewards."]
    if data["kind"] in INVESTMENT_KINDS:
        sheet_errors = key_information_errors(data["kind"], data.get("key_information") or {})
        errors.update({f"key_information.{name}": messages
                       for name, messages in sheet_errors.items()})
    elif data.get("key_information"):
        errors["key_information"] = ["Only loan and shares campaigns have an information sheet."]
    if data.get("people_goal") is not None and data["kind"] != SHARES:
        errors["people_goal"] = ["A goal in new members is for cooperative shares campaigns."]
    if errors:
        raise invalid(errors)
    matchfunding = data.get("matchfunding")
    return {
        "title": " ".join(data["title"].split()),
        "description": data.get("description") or "",
        "kind": data["kind"],
        "model": data["model"],
        "goal_cents": goal,
        "optimum_cents": optimum,
        "cap_cents": cap,
        "people_goal": data.get("people_goal"),
        "min_contribution_cents": minimum,
        "starts_at": starts_at,
        "deadline": data["deadline"],
        "key_information": data.get("key_information"),
        "matchfunder": matchfunding["funder"] if matchfunding else None,
        "match_per_contribution_cents": matchfunding["per_contribution_cap_cents"]
        if matchfunding else None,
        "match_per_contributor_cents": matchfunding["per_contributor_cap_cents"]
        if matchfunding else None,
        "match_total_cents": matchfunding["total_cap_cents"] if matchfunding else None,
    }


def edited_campaign(current: dict, changes: dict, now, key_information_errors=None) -> dict:
    """The values of a campaign after an edit: `current` is its input as it stands (the
    fields of CreateCampaign), `changes` the validated fields an edit names. The whole
    is checked again, as a new draft would be, so an edit cannot break a rule that ties
    fields together."""
    values = _checked({**current, **changes}, now, key_information_errors)
    if "starts_at" not in changes:
        values["starts_at"] = current["starts_at"]
    return values


def check_editable(status: str) -> None:
    """Its authors edit a campaign while it is a draft or sent back, never once submitted
    (the reviewer reads what was submitted) nor once published (people gave to it)."""
    if status not in EDITABLE_STATUSES:
        raise conflict("campaign_not_editable", f"A {status} campaign cannot be changed: "
                       "only a draft or a campaign sent back.", status=status)


def check_author(reader: "Sight", carrier_organisation_id, fields=()) -> None:
    """Whether the reader may draft, edit or submit a campaign of a project carried by
    that organisation: the cluster's staff, or a member admin of the carrier. Staff only
    set STAFF_ONLY_FIELDS (`fields`: those the input names)."""
    if not sees_unpublished(reader, carrier_organisation_id):
        raise DomainError(FORBIDDEN, "other_organisation",
                          "Only a member admin of the organisation carrying the project "
                          "(or the cluster's staff) drafts its campaigns.")
    if not reader.everything:
        reserved = [name for name in STAFF_ONLY_FIELDS if name in fields]
        if reserved:
            raise invalid({name: ["Only the cluster's staff set this."] for name in reserved})


def check_image(media_type: str, size: int) -> None:
    """A cover picture's type and size, before anything decodes it (415 and 413 are the
    gateway's; this says the same to any other caller)."""
    if media_type not in IMAGE_MEDIA_TYPES:
        raise invalid({"file": ["Send a JPEG, PNG or WebP picture."]})
    if size > MAX_IMAGE_BYTES:
        raise invalid({"file": [f"A picture is at most {MAX_IMAGE_BYTES // (1024 * 1024)} "
                                "MiB."]})
    if size == 0:
        raise invalid({"file": ["The picture is empty."]})


def resized(width: int, height: int) -> tuple:
    """The size a picture is stored at: no wider than MAX_IMAGE_WIDTH, proportions kept,
    never enlarged."""
    if width <= MAX_IMAGE_WIDTH:
        return width, height
    return MAX_IMAGE_WIDTH, max(1, round(height * MAX_IMAGE_WIDTH / width))


def move(status: str, action: str) -> str:
    """The status a campaign takes when a person submits, approves or sends it back."""
    try:
        return MOVES[(status, action)]
    except KeyError:
        raise conflict("campaign_wrong_status", f"A {status} campaign cannot be {action}d "
                       "now.", status=status, action=action) from None


@dataclass(frozen=True)
class Sight:
    """How far a reader sees into campaigns not published yet (drafts, those in review,
    those sent back) and into review notes: all of them (`everything`), those of the
    projects one organisation carries (`carrier_organisation_id`), or none."""

    everything: bool = False
    carrier_organisation_id: str | None = None


def sight(viewer) -> Sight:
    """The sight of a reader, from the roles and organisation the gateway read in their
    token (None or no roles: anonymous). Staff see everything; an organisation's member
    admins see what their organisation carries; citizens, funders and anyone else see
    published campaigns only."""
    roles = set((viewer or {}).get("roles") or ())
    if roles & set(STAFF_ROLES):
        return Sight(everything=True)
    organisation_id = (viewer or {}).get("organisation_id")
    if MEMBER_ADMIN in roles and organisation_id:
        return Sight(carrier_organisation_id=str(organisation_id))
    return Sight()


def is_public(status: str) -> bool:
    return status in PUBLIC_STATUSES



def sees_unpublished(reader: Sight, carrier_organisation_id) -> bool:
    """Whether the reader sees a project's campaigns before they are published, and the
    notes their review left."""
    return reader.everything or (reader.carrier_organisation_id is not None
                                 and carrier_organisation_id is not None
                                 and str(carrier_organisation_id)
                                 == reader.carrier_organisation_id)


def may_see(reader: Sight, status: str, carrier_organisation_id) -> bool:
    """Whether a campaign in `status`, of a project carried by that organisation (None:
    no carrier known), exists for the reader. One it may not see is answered as unknown,
    never as forbidden: its existence is not disclosed."""
    return is_public(status) or sees_unpublished(reader, carrier_organisation_id)


def as_seen(view: dict, reader: Sight, carrier_organisation_id) -> dict:
    """A campaign's view as the reader may read it: the review note for those who see
    the campaign before its publication only."""
    if sees_unpublished(reader, carrier_organisation_id):
        return view
    return {**view, "review_note": None}


def asks_confirmation(amount_cents: int, goal_cents: int, confirm_above_cents: int) -> bool:
    """Whether a contributor confirms this amount once more before paying: from the
    configured amount up, or above the campaign's whole goal (1 500 € typed for 15 €)."""
    return amount_cents >= confirm_above_cents or amount_cents > goal_cents


def accept_contribution(campaign, amount_cents: int, reward, now) -> None:
    """Refuse a contribution the campaign cannot take now. `campaign` and `reward` are
    rows (or anything with their attributes), read under the campaign's lock."""
    if campaign.status != LIVE or now >= campaign.deadline:
        raise conflict("campaign_closed" if campaign.status in (LIVE, SUCCEEDED, FAILED, CLOSED)
                       else "campaign_not_live",
                       "This campaign does not take contributions.", status=campaign.status)
    if now < campaign.starts_at:
        raise conflict("campaign_not_started", "This campaign has not started yet.",
                       starts_at=campaign.starts_at.isoformat())
    if amount_cents < campaign.min_contribution_cents:
        raise invalid({"amount_cents": [
            f"The smallest contribution to this campaign is "
            f"{campaign.min_contribution_cents} cents."]})
    if reward is not None:
        accept_reward(campaign, reward, amount_cents)
    if campaign.cap_cents is not None and campaign.committed_cents + amount_cents > \
            campaign.cap_cents:
        raise conflict("campaign_cap_reached", "This contribution would take the campaign "
                       "beyond its cap.",
                       remaining_cents=max(0, campaign.cap_cents - campaign.committed_cents))


def accept_reward(campaign, reward, amount_cents: int) -> None:
    if reward.campaign_id != campaign.id:
        raise invalid({"reward_id": ["This reward belongs to another campaign."]})
    if amount_cents < reward.min_amount_cents:
        raise invalid({"amount_cents": [
            f"This reward asks for at least {reward.min_amount_cents} cents."]})
    if reward.stock is not None and reward.taken >= reward.stock:
        raise conflict("reward_sold_out", "This reward is sold out.", reward_id=reward.id)


def matched_cents(amount_cents: int, campaign, matched_for_contributor: int) -> int:
    """What the matchfunder adds to a contribution that counts: as much again, within its
    caps per contribution, per contributor and in total."""
    if campaign.matchfunder is None:
        return 0
    return max(0, min(amount_cents, campaign.match_per_contribution_cents,
                      campaign.match_per_contributor_cents - matched_for_contributor,
                      campaign.match_total_cents - campaign.matched_cents))


def outcome(campaign) -> str:
    """Succeeded when the money (matchfunding included) and, if set, the people goal are
    met; failed otherwise. A keep-it-all campaign that fails still keeps its money."""
    money = campaign.raised_cents + campaign.matched_cents >= campaign.goal_cents
    people = campaign.people_goal is None or campaign.new_members >= campaign.people_goal
    return SUCCEEDED if money and people else FAILED


def board_decision_due_at(deadline, reflection_ends_at, board_decision_days: int):
    """Until when the campaign's decision waits for the board's word on a share
    subscription: the board has `board_decision_days` after the later of the deadline
    and the end of the subscription's reflection period (before which it may not
    decide). Silent by then, the subscription counts as not approved."""
    return max(deadline, reflection_ends_at or deadline) + timedelta(days=board_decision_days)


def counts_at_decision(campaign, board_decision) -> bool:
    """Whether a held contribution counts when its campaign is decided: a share
    subscription only if the board approved it (the others are given back first)."""
    return campaign.kind != SHARES or board_decision == APPROVED


def ready_to_decide(campaign, now, still_open: int, undecided_reflection_ends=(),
                    board_decision_days: int = 0) -> bool:
    """A campaign is decided at its deadline, once no payment is pending and no investor
    can still withdraw (`still_open`), and once the board has decided each share
    subscription still held or its time to do so is over (`undecided_reflection_ends`:
    when those undecided subscriptions' reflection periods end). The wait is bounded:
    at most the reflection period, then `board_decision_days`, after the deadline."""
    if campaign.status != LIVE or now < campaign.deadline or still_open:
        return False
    if campaign.kind != SHARES:
        return True
    return all(now >= board_decision_due_at(campaign.deadline, ends, board_decision_days)
               for ends in undecided_reflection_ends)
