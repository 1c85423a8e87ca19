"""How a contribution's money moves, inside a unit of work that holds its campaign's row
lock: totals, holds (reward stock, place under the cap), matchfunding, receipts, the
events that say so, and the payment provider calls that go with each move.

A provider call happens inside the transaction: the state moves only if the provider
agreed, and a failed call rolls everything back to be tried again (the webhook is
answered 503 and redelivered; the clock's sweep comes back).
"""
from datetime import timedelta
from types import SimpleNamespace

import sqlalchemy as sa
from sqlalchemy.orm import object_session

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
from shared.database import upsertable_insert
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


def fact(campaign, contribution, now, reward=None) -> dict:
    """What a contribution's events say of it. `reward`: its reward as the caller read
    it (the pledge's hot path, whose contribution is a namespace, not an ORM row);
    otherwise read through the contribution's session."""
    if reward is None and contribution.reward_id:
        reward = object_session(contribution).get(models.Reward, contribution.reward_id)
    return {"contribution_id": contribution.id, "campaign_id": campaign.id,
            "project_id": campaign.project_id, "kind": campaign.kind, "model": campaign.model,
            "channel": contribution.channel, "amount_cents": contribution.amount_cents,
            "status": contribution.status, "at": now.isoformat(),
            "contributor_account_id": contribution.contributor_account_id,
            "reflection_ends_at": contribution.reflection_ends_at
            and contribution.reflection_ends_at.isoformat(),
            "reward_title": reward.title if reward else None}


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
        if to == REFUNDED:
            cancel_receipt_if_any(uow, contribution, now, reason)
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


def read_row(session, model, row_id, *, lock=None):
    """A row of `model` read in Core (no ORM identity map, no flush), as a namespace with
    its columns' names; None when there is none. `lock`: with_for_update's arguments.
    The pledge's hot path reads its campaign and reward this way."""
    table = model.__table__
    query = sa.select(table).where(table.c.id == str(row_id))
    if lock is not None:
        query = query.with_for_update(**lock)
    found = session.connection().execute(query).mappings().first()
    return None if found is None else SimpleNamespace(**found)


def hold_place(session, campaign, reward, amount_cents, now):
    """Hold a new contribution's place under the campaign's cap and its reward, each in
    one guarded UPDATE on the newest row. The campaign's lock is taken here, as late as
    the pledge can take it, and held only until the commit; the reward's after it, in
    the order every writer follows. When a rule no longer holds (another contribution
    took the last place, the campaign closed), the locked row says which, in the same
    words as the first check. `campaign` and `reward` are the rows read first (ORM rows
    or read_row's); they are not changed: the database's rows are."""
    connection = session.connection()
    held = connection.execute(_HOLD_CAMPAIGN, {"row_id": campaign.id,
                                               "amount_cents": amount_cents, "at": now}).scalar()
    if held is None:
        _refuse_on_newest(session, campaign, None, amount_cents, now)
    if reward is not None:
        taken = connection.execute(_HOLD_REWARD, {"row_id": reward.id}).scalar()
        if taken is None:
            _refuse_on_newest(session, campaign, reward, amount_cents, now)


_campaigns, _rewards = models.Campaign.__table__, models.Reward.__table__
# Built once: the pledge's guarded UPDATEs, in Core (bound: row_id, amount_cents, at).
_HOLD_CAMPAIGN = (
    sa.update(_campaigns).where(
        _campaigns.c.id == sa.bindparam("row_id"), _campaigns.c.status == rules.LIVE,
        _campaigns.c.starts_at <= sa.bindparam("at"),
        _campaigns.c.deadline > sa.bindparam("at"),
        sa.or_(_campaigns.c.cap_cents.is_(None),
               _campaigns.c.committed_cents + sa.bindparam("amount_cents")
               <= _campaigns.c.cap_cents))
    .values(committed_cents=_campaigns.c.committed_cents + sa.bindparam("amount_cents"))
    .returning(_campaigns.c.committed_cents))
_HOLD_REWARD = (
    sa.update(_rewards).where(_rewards.c.id == sa.bindparam("row_id"),
                              sa.or_(_rewards.c.stock.is_(None),
                                     _rewards.c.taken < _rewards.c.stock))
    .values(taken=_rewards.c.taken + 1).returning(_rewards.c.taken))


def _refuse_on_newest(session, campaign, reward, amount_cents, now):
    """The refusal the newest rows give; `reward` only once the campaign's place is held
    (the campaign's row then counts this contribution already)."""
    if reward is None:
        newest = read_row(session, models.Campaign, campaign.id, lock=CAMPAIGN_LOCK)
        rules.accept_contribution(newest, amount_cents, None, now)
    else:
        rules.accept_reward(campaign, read_row(session, models.Reward, reward.id),
                            amount_cents)
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
    """A donation whose donor gave their legal name and address, to an organisation
    that issues receipts, gets the next number of that organisation's series for the
    year in France, taken under the series' row lock in this transaction: never
    skipped, never twice. The receipt is dated in France too."""
    if campaign.kind != rules.DONATION or contribution.receipt_number is not None \
            or contribution.receipt_donor is None:
        return  # no legal name given: no receipt (the answer said so at the gift)
    session = uow.session
    beneficiary = beneficiary_of(session, campaign)
    if not receipts.can_issue(beneficiary):
        return
    issued_on = receipts.receipt_day(now)
    organisation_id = beneficiary.organisation_id
    number = receipts.receipt_number(
        issued_on.year, _next_in_series(session, organisation_id, issued_on.year))
    donor = contribution.receipt_donor
    document = receipts.receipt_document(
        number=number,
        beneficiary={"legal_name": beneficiary.legal_name, "siren": beneficiary.siren,
                     "address": beneficiary.address, "purpose": beneficiary.purpose},
        donor={"name": receipts.donor_legal_name(donor),
               "address": receipts.donor_postal_address(donor), "type": donor["donor_type"]},
        signatory={"name": beneficiary.signatory_name,
                   "capacity": beneficiary.signatory_capacity},
        amount_cents=contribution.amount_cents,
        donated_on=receipts.receipt_day(contribution.created_at),
        payment_method=contribution.channel, issued_on=issued_on)
    contribution.receipt_number = number
    session.add(models.Receipt(contribution_id=contribution.id, organisation_id=organisation_id,
                               number=number, account_id=contribution.contributor_account_id,
                               document=document, issued_at=now))
    uow.emit(schemas.RECEIPT_ISSUED, {
        "number": number, "contribution_id": contribution.id,
        "organisation_id": organisation_id,
        "amount_cents": contribution.amount_cents, "year": issued_on.year})


def beneficiary_of(session, campaign):
    """The organisation that receives a campaign's gifts (its project's carrier), as
    receipts name it; None when unknown or not set."""
    project = session.get(models.KnownProject, campaign.project_id)
    carrier = project and project.carrier_organisation_id
    return session.get(models.Beneficiary, carrier) if carrier else None


def cancel_receipt_if_any(uow, contribution, now, reason):
    """A refunded donation's receipt is cancelled (when, why): it stays, with its
    number, which no other receipt ever takes."""
    if contribution.receipt_number is None:
        return
    receipt = uow.session.get(models.Receipt, contribution.id)
    if receipt is None or receipt.cancelled_at is not None:
        return
    receipt.cancelled_at = now
    receipt.cancellation = receipts.cancellation(reason, now)
    uow.emit(schemas.RECEIPT_CANCELLED, {
        "number": receipt.number, "contribution_id": contribution.id,
        "organisation_id": receipt.organisation_id,
        "amount_cents": contribution.amount_cents,
        "year": int(receipt.number[:4]), "reason": receipt.cancellation["reason"],
        "cancelled_at": now.isoformat()})


def _next_in_series(session, organisation_id, year) -> int:
    """The organisation's next number for the year: one upsert that takes the series'
    row lock until this transaction ends, so a rolled-back issue gives its number back
    and concurrent ones wait their turn."""
    table = models.ReceiptSeries.__table__
    return session.execute(
        upsertable_insert(session, table)
        .values(organisation_id=organisation_id, year=year, last_number=1)
        .on_conflict_do_update(index_elements=["organisation_id", "year"],
                               set_={"last_number": table.c.last_number + 1})
        .returning(table.c.last_number)).scalar_one()


def hold_until(now, hold_seconds):
    return now + timedelta(seconds=hold_seconds)
