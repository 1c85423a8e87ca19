"""Funding asks the provider. A webhook is only a hint of news: the payment is read from
the provider (`GET /v1/payments/<id>`) and the contribution moves toward the state the
provider reports, through settlement's moves. The clock asks too, about payments waiting
longer than PAYMENT_RECONCILE_AFTER_SECONDS, whose webhooks may never come (the provider
gives up after its last retry). What a webhook claims, or what we hold, that the
provider's state denies is logged and kept for staff (`payment_discrepancies`).
"""
import logging
import uuid
from datetime import timedelta

import sqlalchemy as sa

from services.funding import models, settlement
from services.funding.domain import campaigns as rules
from services.funding.domain import payments as money
from services.funding.domain.payments import AUTHORIZED, PENDING

log = logging.getLogger(__name__)

WAITING = (PENDING, AUTHORIZED)  # waiting for the payer, or for the capture


def heed_provider(uow, campaign, contribution, payment, now, payments, *, source,
                  claimed=None, event_id=None) -> bool:
    """Move `contribution` (locked, with its campaign) toward the provider's `payment`;
    True when it moved. `claimed` is what a webhook said.

    `payment` was read before the lock, so as not to hold the campaign's lock over a
    call: the provider's states and ours only move forward, so an answer a moment old
    at worst moves us less far. Only when it denies our state is it read again, under
    the lock, before anything is corrected or reported."""
    if money.state_contradicted(contribution.status, str(payment["status"])):
        payment = payments.get_payment(contribution.payment_id)
    theirs, before = str(payment["status"]), contribution.status
    corrected_to = money.correction(before, theirs,
                                    campaign_closed=campaign.status == rules.CLOSED,
                                    receipt_issued=contribution.receipt_number is not None)
    if corrected_to is not None:
        settlement.set_state(uow, campaign, contribution, corrected_to, now,
                             reason="provider_contradicted", correction=True)
        moved = True
    else:
        moved = settlement.apply_provider_status(uow, campaign, contribution, theirs, now,
                                                 payments)
    if moved:  # news: the next check waits again from this move
        contribution.provider_checks, contribution.provider_check_due_at = 0, None
    kind = money.discrepancy(claimed, before, theirs, corrected_to)
    if kind is not None:
        _keep(uow.session, kind, contribution, theirs, before, now, source=source,
              claimed=claimed, event_id=event_id)
    return moved


def _keep(session, kind, contribution, theirs, before, now, *, source, claimed, event_id):
    facts = {"kind": kind, "contribution_id": contribution.id,
             "payment_id": contribution.payment_id, "source": source, "event_id": event_id,
             "claimed_status": claimed and claimed[:50], "provider_status": theirs,
             "status_before": before, "status_after": contribution.status}
    # Money we count that the provider denies, left for a person: an error to act on.
    log.log(logging.ERROR if kind == money.STATE_CONTRADICTED else logging.WARNING,
            "payment discrepancy", extra=facts)
    Discrepancy = models.PaymentDiscrepancy
    last = session.execute(sa.select(Discrepancy).where(
        Discrepancy.contribution_id == contribution.id)
        .order_by(Discrepancy.detected_at.desc()).limit(1)).scalar()
    same = ("kind", "provider_status", "status_before", "status_after", "claimed_status")
    if last is not None and last.source == source == "clock" \
            and all(getattr(last, name) == facts[name] for name in same):
        return  # the clock seeing the same again, as it backs off: one row says it
    session.add(Discrepancy(id=str(uuid.uuid4()), detected_at=now, **facts))


def claim_checks(session, now, after_seconds, limit) -> list[tuple[str, str]]:
    """Up to `limit` payments waiting since `after_seconds` whose check is due, claimed
    by this replica: their rows taken with SKIP LOCKED and their next check set (later
    and later) before the provider is asked, so other replicas pass them by and a
    provider that does not answer is asked less and less often."""
    Contribution = models.Contribution
    claimed = session.execute(
        sa.select(Contribution).where(
            Contribution.status.in_(WAITING), Contribution.channel == "online",
            Contribution.payment_id.is_not(None),
            Contribution.updated_at <= now - timedelta(seconds=after_seconds),
            sa.or_(Contribution.provider_check_due_at.is_(None),
                   Contribution.provider_check_due_at <= now))
        .order_by(sa.func.coalesce(Contribution.provider_check_due_at,
                                   Contribution.updated_at))
        .limit(limit).with_for_update(skip_locked=True)).scalars().all()
    for contribution in claimed:
        contribution.provider_check_due_at = now + money.next_check_after(
            after_seconds, contribution.provider_checks)
        contribution.provider_checks += 1
    return [(contribution.id, contribution.payment_id) for contribution in claimed]
