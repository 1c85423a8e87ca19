"""How a contribution's money moves, inside a unit of work that holds its campaign's row
lock: totals, holds (reward stock, place under the cap), matchfunding, receipts, the
events that say so, and the payment provider calls that go with each move.

A provider call happens inside the transaction: the state moves only if the provider
agreed, and a failed call rolls everything back to be tried again (the webhook is
answered 503 and redelivered; the clock's sweep comes back).
"""
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from services.funding import models, schemas
from services.funding.domain import campaigns as rules
from services.funding.domain import payments as money
from services.funding.domain import receipts
from services.funding.domain.payments import (
    AUTHORIZED,
    CANCELLED,
    CAPTURED,
    ENDED,
    FAILED,
    PENDING,
    REFUNDED,
)
from shared.database import insert_ignoring_duplicate
from shared.errors import CONFLICT, DomainError, conflict, not_found

ENDED_EVENTS = {CANCELLED: schemas.CONTRIBUTION_CANCELLED, FAILED: schemas.CONTRIBUTION_FAILED,
                REFUNDED: schemas.CONTRIBUTION_REFUNDED}
# FOR NO KEY UPDATE: exclusive among writers; a foreign key check on the row passes.
CAMPAIGN_LOCK = {"key_share": True}


def lock(session, contribution_id):
    """(campaign, contribution), both row-locked, the campaign first: every writer
    takes them in this order, so writers never deadlock."""
    found = session.get(models.Contribution, str(contribution_id))
    if found is None:
        raise not_found("contribution", contribution_id)
    campaign = session.get(models.Campaign, found.campaign_id, with_for_update=CAMPAIGN_LOCK,
                           populate_existing=True)
    contribution = session.get(models.Contribution, found.id, with_for_update=True,
                               populate_existing=True)
    return campaign, contribution


def fact(campaign, contribution, now) -> dict:
    return {"contribution_id": contribution.id, "campaign_id": campaign.id,
            "project_id": campaign.project_id, "kind": campaign.kind, "model": campaign.model,
            "channel": contribution.channel, "amount_cents": contribution.amount_cents,
            "status": contribution.status, "at": now.isoformat(),
            "contributor_account_id": contribution.contributor_account_id,
            "reflection_ends_at": contribution.reflection_ends_at
            and contribution.reflection_ends_at.isoformat()}


def reflection_over(contribution, now) -> bool:
    return contribution.reflection_ends_at is None or now >= contribution.reflection_ends_at


def set_state(uow, campaign, contribution, to, now, *, reason=None, correction=False):
    """Move a contribution to `to` and keep every total, hold and event in step. A
    `correction` ends money we counted that the provider never took or let go (see
    domain.payments.correction): nothing was held, so nothing counts as given back."""
    held_money = not correction and contribution.status in (AUTHORIZED, CAPTURED)
    contribution.status = (money.correct if correction else money.move)(contribution.status, to)
    contribution.updated_at = now
    if to in ENDED:
        was_counted, matched = contribution.counted, contribution.matched_cents
        _uncount(campaign, contribution)
        _release(uow.session, campaign, contribution)
        if to == REFUNDED or held_money:
            campaign.refunded_cents += contribution.amount_cents
        contribution.cancel_reason = reason
        uow.emit(ENDED_EVENTS[to], {**fact(campaign, contribution, now),
                                    "was_counted": was_counted, "matched_cents": matched,
                                    "reason": reason})
        return
    uow.emit(schemas.CONTRIBUTION_AUTHORIZED if to == AUTHORIZED
             else schemas.CONTRIBUTION_CAPTURED, fact(campaign, contribution, now))
    recount(uow, campaign, contribution, now)
    if to == CAPTURED:
        issue_receipt_if_due(uow, campaign, contribution, now)


def recount(uow, campaign, contribution, now):
    """Count a contribution in its campaign's total once it should (a rule of
    domain.payments), with what the matchfunder adds."""
    if contribution.counted or not money.counts_when(
            campaign.kind, contribution.status, reflection_over(contribution, now)):
        return
    contribution.counted = True
    contribution.matched_cents = rules.matched_cents(
        contribution.amount_cents, campaign, _matched_for_contributor(uow.session, contribution))
    campaign.raised_cents += contribution.amount_cents
    campaign.matched_cents += contribution.matched_cents
    campaign.contributions_count += 1
    uow.emit(schemas.CONTRIBUTION_CONFIRMED, {
        **fact(campaign, contribution, now), "matched_cents": contribution.matched_cents,
        "contributor_account_id": contribution.contributor_account_id,
        "confirmed_at": now.isoformat()})


def _uncount(campaign, contribution):
    if contribution.counted:
        contribution.counted = False
        campaign.raised_cents -= contribution.amount_cents
        campaign.matched_cents -= contribution.matched_cents
        campaign.contributions_count -= 1
        contribution.matched_cents = 0


def hold_place(session, campaign, reward, amount_cents, now):
    """Hold a new contribution's place under the campaign's cap and its reward, each in
    one guarded UPDATE on the newest row. The campaign's lock is taken here, as late as
    the pledge can take it, and held only until the commit; the reward's after it, in
    the order every writer follows. When a rule no longer holds (another contribution
    took the last place, the campaign closed), the locked row says which, in the same
    words as the first check."""
    Campaign = models.Campaign
    held = session.execute(
        sa.update(Campaign).where(
            Campaign.id == campaign.id, Campaign.status == rules.LIVE,
            Campaign.starts_at <= now, Campaign.deadline > now,
            sa.or_(Campaign.cap_cents.is_(None),
                   Campaign.committed_cents + amount_cents <= Campaign.cap_cents))
        .values(committed_cents=Campaign.committed_cents + amount_cents)
        .returning(Campaign.committed_cents)
        .execution_options(synchronize_session=False)).scalar()
    if held is None:
        _refuse_on_newest(session, campaign, None, amount_cents, now)
    set_committed_value(campaign, "committed_cents", held)
    if reward is not None:
        Reward = models.Reward
        taken = session.execute(
            sa.update(Reward).where(Reward.id == reward.id, sa.or_(
                Reward.stock.is_(None), Reward.taken < Reward.stock))
            .values(taken=Reward.taken + 1).returning(Reward.taken)
            .execution_options(synchronize_session=False)).scalar()
        if taken is None:
            _refuse_on_newest(session, campaign, reward, amount_cents, now)
        set_committed_value(reward, "taken", taken)


def _refuse_on_newest(session, campaign, reward, amount_cents, now):
    """The refusal the newest rows give; `reward` only once the campaign's place is held
    (the campaign's row then counts this contribution already)."""
    if reward is None:
        session.refresh(campaign, with_for_update=CAMPAIGN_LOCK)
        rules.accept_contribution(campaign, amount_cents, None, now)
    else:
        session.refresh(reward)
        rules.accept_reward(campaign, reward, amount_cents)
    raise conflict("campaign_changed", "This campaign changed meanwhile; try again.")


def _release(session, campaign, contribution):
    """Give back the place under the cap and the reward this contribution held."""
    campaign.committed_cents -= contribution.amount_cents
    if contribution.reward_id is not None:
        session.execute(sa.update(models.Reward).where(models.Reward.id == contribution.reward_id)
                        .values(taken=models.Reward.taken - 1))


def _matched_for_contributor(session, contribution) -> int:
    if contribution.contributor_account_id is None:
        return 0
    Contribution = models.Contribution
    total = session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(Contribution.matched_cents), 0))
        .where(Contribution.campaign_id == contribution.campaign_id,
               Contribution.contributor_account_id == contribution.contributor_account_id,
               Contribution.counted.is_(True), Contribution.id != contribution.id)).scalar_one()
    return int(total)  # a sum is a Decimal on PostgreSQL


def settle(uow, campaign, contribution, now, payments):
    """Do what the money of a held contribution now calls for: count a matured
    investment, capture, release an authorization, or refund."""
    recount(uow, campaign, contribution, now)
    status, failed_all_or_nothing = contribution.status, (
        campaign.status == rules.FAILED and campaign.model == rules.ALL_OR_NOTHING)
    if status == AUTHORIZED:
        if money.capture_now(campaign.kind, campaign.model, reflection_over(contribution, now),
                             campaign.status):
            payments.capture(contribution.payment_id)
            set_state(uow, campaign, contribution, CAPTURED, now)
        elif failed_all_or_nothing:
            _tolerating_done(payments.cancel, contribution.payment_id)
            set_state(uow, campaign, contribution, CANCELLED, now, reason="campaign_failed")
    elif status == CAPTURED and failed_all_or_nothing:
        if contribution.payment_id is not None:  # offline money goes back by hand
            _tolerating_done(payments.refund, contribution.payment_id)
        set_state(uow, campaign, contribution, REFUNDED, now, reason="campaign_failed")


def give_back(uow, campaign, contribution, now, payments, reason):
    """End a contribution at a person's word (withdrawal, board's refusal): release the
    authorization, or refund what was taken."""
    if contribution.status == CAPTURED:
        if contribution.payment_id is not None:
            _tolerating_done(payments.refund, contribution.payment_id)
        set_state(uow, campaign, contribution, REFUNDED, now, reason=reason)
    else:
        if contribution.payment_id is not None:
            _tolerating_done(payments.cancel, contribution.payment_id)
        set_state(uow, campaign, contribution, CANCELLED, now, reason=reason)


def apply_provider_status(uow, campaign, contribution, theirs, now, payments) -> bool:
    """The provider says the payment is `theirs`: move forward if it is news, give back
    money it holds for a contribution we already ended, ignore stale word."""
    new, action = money.reconcile(contribution.status, theirs)
    if action == money.VOID:
        _tolerating_done(payments.cancel, contribution.payment_id)
        return False
    if action == money.REFUND:
        _tolerating_done(payments.refund, contribution.payment_id)
        return False
    if new is None:
        return False
    set_state(uow, campaign, contribution, new, now,
              reason="payer_cancelled" if new == CANCELLED else None)
    settle(uow, campaign, contribution, now, payments)
    return True


def expire(uow, campaign, contribution, now, payments):
    """A pending contribution past its hold: unless the provider has news (asked first,
    in case its webhook is late), it ends and frees its reward and place."""
    if contribution.payment_id is not None:
        payment = payments.get_payment(contribution.payment_id)
        if apply_provider_status(uow, campaign, contribution, payment["status"], now, payments):
            return
        _tolerating_done(payments.cancel, contribution.payment_id)
    if contribution.status == PENDING:
        set_state(uow, campaign, contribution, CANCELLED, now, reason="expired")


def _tolerating_done(provider_call, payment_id):
    """Provider calls that end a payment: one already ended is fine (a retry, a race with
    the payer); anything else, unavailability included, rolls the move back."""
    try:
        provider_call(payment_id)
    except DomainError as error:
        if error.kind != CONFLICT:
            raise


def issue_receipt_if_due(uow, campaign, contribution, now):
    """A donation to an organisation whose donors get receipts gets the next number of
    the year, taken under a row lock in this transaction: never skipped, never twice."""
    if campaign.kind != rules.DONATION or contribution.receipt_number is not None \
            or not (contribution.contributor_name and contribution.contributor_address):
        return  # a receipt names its donor and their address: none asked, none issued
    session = uow.session
    project = session.get(models.KnownProject, campaign.project_id)
    beneficiary = project and project.carrier_organisation_id and session.get(
        models.Beneficiary, project.carrier_organisation_id)
    if not beneficiary or not beneficiary.receipt_eligible:
        return
    number = receipts.receipt_number(now.year, _next_in_sequence(session, now.year))
    document = receipts.receipt_document(
        number=number,
        beneficiary={"legal_name": beneficiary.legal_name, "siren": beneficiary.siren,
                     "address": beneficiary.address, "purpose": beneficiary.purpose},
        donor={"name": contribution.contributor_name or "", "address":
               contribution.contributor_address or ""},
        amount_cents=contribution.amount_cents, donated_on=contribution.created_at.date(),
        payment_method=contribution.channel, issued_on=now.date())
    contribution.receipt_number = number
    session.add(models.Receipt(number=number, contribution_id=contribution.id,
                               account_id=contribution.contributor_account_id,
                               document=document, issued_at=now))
    uow.emit(schemas.RECEIPT_ISSUED, {
        "number": number, "contribution_id": contribution.id,
        "organisation_id": beneficiary.organisation_id,
        "amount_cents": contribution.amount_cents, "year": now.year})


def _next_in_sequence(session, year) -> int:
    table = models.ReceiptSequence.__table__
    insert_ignoring_duplicate(session, table, {"year": year, "last_number": 0})
    number = session.execute(sa.select(table.c.last_number).where(table.c.year == year)
                             .with_for_update()).scalar_one() + 1
    session.execute(table.update().where(table.c.year == year).values(last_number=number))
    return number


def hold_until(now, hold_seconds):
    return now + timedelta(seconds=hold_seconds)
