"""The money of one contribution: its states, how the provider's word moves them, and
when it counts in the campaign's total.

pending -> authorized -> captured | cancelled | failed, then captured -> refunded.
cancelled, failed and refunded are final; captured is final once the campaign is closed.
"""
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
                  "not_approved", "payer_cancelled")

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


def move(ours: str, to: str) -> str:
    """A move we decide ourselves (capture, release, refund), refused if impossible."""
    if to not in NEXT.get(ours, ()):
        raise conflict("contribution_wrong_status",
                       f"A {ours} contribution cannot become {to}.", status=ours)
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
