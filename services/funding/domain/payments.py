"""The money of one contribution: its states, how the provider's word moves them, and
when it counts in the campaign's total.

pending -> authorized -> captured | cancelled | failed, then captured -> refunded.
cancelled, failed and refunded are final; captured is final once the campaign is closed.

A webhook is only a hint: funding reads the payment from the provider and moves toward
the state the provider reports. What a webhook claims, or what we hold, that the
provider's state denies is a discrepancy, kept for staff.
"""
from datetime import timedelta

from shared.errors import conflict

PENDING, AUTHORIZED, CAPTURED = "pending", "authorized", "captured"
CANCELLED, FAILED, REFUNDED = "cancelled", "failed", "refunded"
STATES = (PENDING, AUTHORIZED, CAPTURED, CANCELLED, FAILED, REFUNDED)
ENDED = (CANCELLED, FAILED, REFUNDED)  # no money held, nothing owed
HOLDING = (PENDING, AUTHORIZED, CAPTURED)  # keeps a reward and a place under the cap

NEXT = {
    PENDING: (AUTHORIZED, CAPTURED, CANCELLED, FAILED),
    AUTHORIZED: (CAPTURED, CANCELLED),
    CAPTURED: (REFUNDED,),
}
CHANNELS = ("online", "cash", "cheque", "transfer")
PAYMENT_METHODS = ("card", "transfer")  # what a citizen chooses when contributing
# Why a contribution was cancelled, as its event says.
# "declined": the cooperative's board refused a share subscription; "not_approved": it
# had not approved it in its time when the campaign was decided.
CANCEL_REASONS = ("expired", "withdrawn", "campaign_failed", "campaign_closed", "declined",
                  "not_approved", "payer_cancelled", "provider_contradicted")

# The provider's status of a payment -> what we then do, given our own state. A webhook
# may come twice, late, or out of order: only forward moves apply; money the provider
# holds for a contribution we already ended is given back.
VOID, REFUND = "void", "refund"


def reconcile(ours: str, theirs: str):
    """(our new state or None, what to ask the provider or None) for the provider's word."""
    if theirs in NEXT.get(ours, ()):
        return theirs, None
    if ours in (CANCELLED, FAILED):
        if theirs == AUTHORIZED:
            return None, VOID
        if theirs == CAPTURED:
            return None, REFUND
    return None, None


# The provider's own moves (paysim's, a real provider's): an automatic capture goes from
# pending to captured at once; a partial refund keeps a payment captured.
PROVIDER_NEXT = {
    PENDING: (AUTHORIZED, CAPTURED, FAILED, CANCELLED),
    AUTHORIZED: (CAPTURED, CANCELLED),
    CAPTURED: (REFUNDED,),
}

# What a discrepancy is, for staff: a webhook claimed what the provider denies (nothing
# moved beyond the provider's word); our state said money the provider denies and was
# corrected to the provider's; or it was left for a person to decide.
CLAIM_CONTRADICTED, STATE_CORRECTED, STATE_CONTRADICTED = (
    "claim_contradicted", "state_corrected", "state_contradicted")
DISCREPANCY_KINDS = (CLAIM_CONTRADICTED, STATE_CORRECTED, STATE_CONTRADICTED)

# The clock asks the provider about a waiting payment, then again later and later: an
# outage of the provider is not hammered, a payment waiting for weeks asked hourly.
LONGEST_CHECK_INTERVAL = timedelta(hours=1)


def _was_once(claimed: str, theirs: str) -> bool:
    """Whether the provider's payment, now `theirs`, can have been `claimed` before."""
    if claimed == theirs:
        return True
    seen, frontier = set(), [claimed]
    while frontier:
        for following in PROVIDER_NEXT.get(frontier.pop(), ()):
            if following == theirs:
                return True
            if following not in seen:
                seen.add(following)
                frontier.append(following)
    return False


def claim_contradicted(claimed: str, theirs: str) -> bool:
    """A webhook's claimed state the provider's state denies: `captured` while the
    provider holds it `pending`, `failed` while it holds it `authorized`. A late claim
    of a state the payment has since left (`authorized` once captured) is only stale."""
    return claimed not in STATES or not _was_once(claimed, theirs)


def state_contradicted(ours: str, theirs: str) -> bool:
    """Whether our state counts money the provider's state denies: reserved or taken
    while the provider holds it pending, failed or cancelled (a forward move aside, as
    an authorization the provider let go), taken while it holds it only reserved, or
    refunded while it still holds it."""
    if theirs in NEXT.get(ours, ()):
        return False
    if ours in (AUTHORIZED, CAPTURED):
        return theirs in (PENDING, FAILED, CANCELLED) or (
            ours == CAPTURED and theirs == AUTHORIZED)
    return ours == REFUNDED and theirs in (AUTHORIZED, CAPTURED)


def correction(ours: str, theirs: str, *, campaign_closed: bool, receipt_issued: bool):
    """The state our contradicted state is corrected to, or None when a person decides.
    Money we count that the provider never took (failed) or let go (cancelled) stops
    counting, as the provider says, while the campaign is open and no tax receipt was
    issued for it; a closed campaign's announced totals, a receipt, or money we hold
    the provider has not settled (pending, reserved only, not refunded) go to staff."""
    if campaign_closed or receipt_issued or not state_contradicted(ours, theirs):
        return None
    return theirs if theirs in (FAILED, CANCELLED) else None


def discrepancy(claimed, ours: str, theirs: str, corrected_to) -> str | None:
    """The kind of discrepancy seen when the provider says `theirs` (`claimed` by a
    webhook, None when the clock asked), our state being `ours`; None when all agree."""
    if corrected_to is not None:
        return STATE_CORRECTED
    if state_contradicted(ours, theirs):
        return STATE_CONTRADICTED
    if claimed is not None and claim_contradicted(claimed, theirs):
        return CLAIM_CONTRADICTED
    return None


def next_check_after(after_seconds: float, checks_done: int) -> timedelta:
    """How long until the clock asks the provider again about a waiting payment, after
    `checks_done` answers that changed nothing: doubling, at most an hour."""
    seconds = after_seconds * 2 ** min(checks_done, 20)
    return min(timedelta(seconds=seconds), LONGEST_CHECK_INTERVAL)


def move(ours: str, to: str) -> str:
    """A move we decide ourselves (capture, release, refund), refused if impossible."""
    if to not in NEXT.get(ours, ()):
        raise conflict("contribution_wrong_status",
                       f"A {ours} contribution cannot become {to}.", status=ours)
    return to


def correct(ours: str, to: str) -> str:
    """A correction to the provider's word (see `correction`), refused if not one."""
    if to not in (FAILED, CANCELLED) or not state_contradicted(ours, to):
        raise conflict("contribution_wrong_status",
                       f"A {ours} contribution cannot be corrected to {to}.", status=ours)
    return to


def counts_when(kind: str, state: str, reflection_over: bool) -> bool:
    """Whether a contribution in `state` counts in the campaign's total: a gift once the
    payer's money is reserved (authorized; keep-it-all ones are captured at once,
    all-or-nothing ones only if the campaign succeeds); an investment once reserved and
    past its reflection period (EU 2020/1503 art. 22)."""
    held = state in (AUTHORIZED, CAPTURED)
    if kind in ("loan", "shares"):
        return held and reflection_over
    return held


def capture_now(kind: str, model: str, reflection_over: bool, campaign_status: str) -> bool:
    """Whether an authorized payment is captured at once."""
    if campaign_status == "succeeded" or (campaign_status == "failed" and model == "keep_it_all"):
        return reflection_over
    if campaign_status != "live" or model == "all_or_nothing":
        return False
    return kind in ("donation", "reward") or reflection_over


def transfer_reference(contribution_id: str) -> str:
    """What a citizen writes on a bank transfer, for an animator to match it: short,
    unambiguous to read aloud, derived from the contribution."""
    return "DOMB-" + contribution_id.replace("-", "")[:10].upper()


def check_transfer(expected_cents: int, received_cents: int) -> None:
    """A transfer counts for the amount pledged; another amount is a person's question."""
    if received_cents != expected_cents:
        raise conflict("transfer_amount_differs", "The transfer received is not the amount "
                       "pledged: record it as an offline contribution, or refund it.",
                       expected_cents=expected_cents, received_cents=received_cents)
