"""Which mails the facts known call for: under which key (one fact, one key, one mail),
to which account, and from when; and which mails not yet sent a later fact makes moot.

The events that tell a contribution's story come on separate queues, in any order: each
rule reads everything known so far of the contribution (or membership), so the same
mails follow whatever the order, and a key already claimed is never claimed again.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

# The same rule as members' (one place decides when dues are late), imported, not copied.
from services.members.domain.memberships import dues_deadline

INVESTMENTS = ("loan", "shares")
# A contribution ended by its campaign's outcome still hears of the outcome; one ended
# before it (refunded, withdrawn) does not, whichever of the two events comes first here.
ENDED_BY_OUTCOME = ("campaign_failed", "campaign_closed")
OUTCOMES = ("succeeded", "failed")
# The investor is reminded a day before the reflection period ends (EU 2020/1503 art.
# 22): they read the period's terms when they invested, and what they need then is a
# prompt while withdrawing is still possible, not a second copy of those terms. One
# mail: sent a day before the end, or at once when less than a day is left; not at all
# once the period is over or the investment has ended.
REFLECTION_REMINDER = timedelta(days=1)
# When an investment's payment is authorized, its reflection period starts: the investor
# is told at once what was offered, until when it may be withdrawn and how (Art. 22(2)-
# (3)); while the period runs only, as the reminder. A withdrawal is confirmed once.
REFLECTION_MAILS = ("investment_received", "reflection_period_ending")
WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Due:
    key: str
    kind: str
    account_id: str
    not_before: datetime


def contribution_mails(c: dict, campaign: dict, now: datetime) -> list:
    """`c`: a contribution as known here (models.Contribution's columns)."""
    account, cid = c["account_id"], c["id"]
    if account is None:  # cash, cheque, or a transfer recorded by hand: nobody to write to
        return []

    def due(kind, not_before=now):
        return Due(f"{kind}:{cid}", kind, account, not_before)

    mails = []
    if c["confirmed_at"] is not None:
        mails.append(due("contribution_confirmed"))
        outcome = campaign.get("outcome")
        if outcome and not ended_before_outcome(c, campaign):
            mails.append(due(f"campaign_{outcome}"))
    if c["ended"] == "refunded":
        mails.append(due("contribution_refunded"))
    if c["receipt_number"]:
        mails.append(due("receipt_issued"))
    if in_reflection_period(c, now):
        mails.append(due("investment_received"))
        mails.append(due("reflection_period_ending",
                         max(now, c["reflection_ends_at"] - REFLECTION_REMINDER)))
    if c["ended"] == "cancelled" and c["ended_reason"] == WITHDRAWN:
        mails.append(due("withdrawal_confirmed"))
    return mails


def ended_before_outcome(c: dict, campaign: dict) -> bool:
    if c["ended"] is None or c["ended_reason"] in ENDED_BY_OUTCOME:
        return False
    decided, ended = campaign.get("decided_at"), c.get("ended_at")
    # At the decision's very moment: given back in the deciding transaction, before the
    # outcome (a share subscription the board did not approve in its time).
    return decided is None or ended is None or ended <= decided


def in_reflection_period(c: dict, now: datetime) -> bool:
    """An investment authorized, neither ended nor counted yet, whose period runs."""
    ends = c["reflection_ends_at"]
    return (c["kind"] in INVESTMENTS and ends is not None and now < ends
            and not c["ended"] and c["confirmed_at"] is None)


def contribution_moot(c: dict, campaign: dict) -> list:
    """Keys of mails not to send any more, if not sent yet: no reminder for a period
    that is over; no outcome for a contribution that had ended before it (its events
    came here late, after a backlog)."""
    moot = []
    if c["ended"] or c["confirmed_at"] is not None:
        moot += [f"{kind}:{c['id']}" for kind in REFLECTION_MAILS]
    if ended_before_outcome(c, campaign):
        moot += [f"campaign_{outcome}:{c['id']}" for outcome in OUTCOMES]
    return moot


def news_mails(post_id: str, contributions: list, now: datetime) -> list:
    """A project's news, once to each person who contributed to one of its campaigns
    (a contribution confirmed, and not cancelled or failed since): one key per (news,
    account), however many contributions they made."""
    accounts = sorted({c["account_id"] for c in contributions
                       if c["account_id"] and c["confirmed_at"] is not None
                       and c["ended"] not in ("cancelled", "failed")})
    return [Due(f"project_news:{post_id}:{account}", "project_news", account, now)
            for account in accounts]


def membership_dues_key(membership_id: str, account_id: str) -> str:
    return f"membership_dues_due:{membership_id}:{account_id}"


def dues_mails(m: dict, admins: list, now: datetime, grace: timedelta) -> list:
    """A mail to each member admin of the organisation when its membership is active and
    its dues are owed, until their deadline."""
    if not dues_owed(m):
        return []
    deadline = dues_deadline(m["year"], m["activated_at"], grace)
    if now >= deadline:
        return []  # late already: members lapses the membership, it does not remind
    return [Due(membership_dues_key(m["id"], account), "membership_dues_due", account, now)
            for account in admins]


def dues_owed(m: dict) -> bool:
    return (m["status"] == "active" and m["dues_cents"] is not None
            and m["activated_at"] is not None and m["paid_cents"] < m["dues_cents"])


# A membership only moves forward here: applied, then active, then lapsed or resigned.
# Its events may come in any order, so the furthest status heard of wins; a lapse or a
# resignation stops that year's dues mails for good (a lapsed membership is active again
# only once paid, when there is nothing left to call).
STATUS_ORDER = {"applied": 0, "active": 1, "lapsed": 2, "resigned": 2}


def next_membership_status(current, heard):
    if current is None or STATUS_ORDER.get(heard, 0) > STATUS_ORDER.get(current, 0):
        return heard
    return current
