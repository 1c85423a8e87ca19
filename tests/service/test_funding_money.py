"""Funding's money rules through its entrypoints, on a real database and the real
simulated payment provider, with a clock the test moves (no sleeping): the reflection
period, webhooks in any order, receipts, board decisions."""
import base64
import json
import time
import uuid
from datetime import datetime, timedelta, timezone
from unittest.mock import Mock

import pytest
import sqlalchemy as sa
from nameko.testing.services import worker_factory

from services.funding import models, settlement
from services.funding.payments import PaymentProvider
from services.funding.service import FundingService
from shared.database import UnitsOfWork, create_engine
from shared.errors import DomainError
from shared.signatures import sign
from tests.support.funding import (
    ALL_ACKNOWLEDGED,
    LOAN_SHEET,
    SHARES_SHEET,
    legal_identity,
    receipt_text,
    right_answers,
)
from tests.support.paysim import Paysim
from tests.support.tcp_proxy import postgres_through_proxy
from tests.support.waiting import wait_until

START = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture(scope="module")
def paysim(tmp_path_factory):
    # Its webhooks go nowhere: the tests hand the same signed events to the entrypoint.
    with Paysim(tmp_path_factory.mktemp("paysim"), webhook_url="http://127.0.0.1:9/") as sim:
        yield sim


@pytest.fixture
def funding(databases, paysim):
    service = funding_on(databases.new("funding"), paysim)
    yield service
    service.test_db.engine.dispose()


def funding_on(database_url, paysim):
    """The funding service's worker on that database, its clock the test's."""
    engine = create_engine(database_url)
    db = UnitsOfWork(engine, models.messaging, "funding")
    clock = Clock(START)
    projects = Mock()
    projects.get_project.service_name = "projects"
    projects.get_project.call_async.return_value.result.return_value = {
        "id": "p", "title": "Épicerie", "carrier_organisation_id": ORGANISATION}
    service = worker_factory(FundingService, db=db, clock=clock, payments=paysim.client(),
                             projects=projects, config={
                                 "RPC_TIMEOUT": 1.0, "PAYMENT_HOLD_SECONDS": 1800,
                                 "TRANSFER_HOLD_DAYS": 10, "BOARD_DECISION_DAYS": 15,
                                 "PAYMENT_RECONCILE_AFTER_SECONDS": 60,
                                 "PAYMENT_RECONCILE_BATCH": 50,
                                 "PAYMENT_WEBHOOK_SECRET": paysim.webhook_secret,
                                 "PUBLIC_URL": "http://127.0.0.1:8000",
                                 "VOLUNTEER_HOUR_VALUE_CENTS": 1202})
    service.test_clock, service.test_db = clock, db
    return service


ORGANISATION = str(uuid.uuid4())
INVESTOR = str(uuid.uuid4())


def campaign(funding, **fields):
    created = funding.create_campaign({
        "project_id": str(uuid.uuid4()), "title": "L'épicerie", "goal_cents": 1_000_000,
        "deadline": (START + timedelta(days=30)).isoformat(), **fields})
    funding.submit_campaign(created["id"], "animator")
    return funding.approve_campaign(created["id"], "animator")


def webhook(funding, paysim, payment_id, event_type=None, event_id=None, secret=None):
    """The provider's event for the payment as it stands now, signed like paysim does."""
    payment = paysim.client().get_payment(payment_id)
    body = json.dumps({"id": event_id or f"evt_{uuid.uuid4().hex}",
                       "type": event_type or f"payment.{payment['status']}",
                       "created": int(time.time()), "data": payment}).encode()
    signature = sign(secret or paysim.webhook_secret, body, int(time.time()))
    return funding.payment_webhook(base64.b64encode(body).decode(), signature)


def payment_id(contribution):
    return contribution["payment_url"].rsplit("/", 1)[-1]


def ready_investor(funding, account=INVESTOR, net_worth_cents=5_000_000):
    assert funding.take_knowledge_test(account, {"answers": right_answers()})["passed"]
    funding.simulate_loss(account, {"net_worth_cents": net_worth_cents})


def invest(funding, paysim, campaign_id, amount_cents, account=INVESTOR):
    offered = funding.contribute(campaign_id, {"amount_cents": amount_cents,
                                               "acknowledgements": ALL_ACKNOWLEDGED},
                                 uuid.uuid4().hex, account)["contribution"]
    assert paysim.pay(payment_id(offered)).status_code == 303
    assert webhook(funding, paysim, payment_id(offered))["applied"]
    return offered


def contribution(funding, contribution_id):
    return funding.get_contribution(contribution_id, {"account_id": None, "staff": True})


def events(funding, event_type):
    with funding.test_db.read() as session:
        rows = session.execute(sa.select(funding.test_db.tables.outbox.c.payload)).scalars()
        return [json.loads(row)["data"] for row in rows
                if json.loads(row)["type"] == f"funding.{event_type}"]


@pytest.mark.parametrize(("newest", "code"), [
    ({"committed_cents": 9_000}, "campaign_cap_reached"),
    ({"status": "closed"}, "campaign_closed"),
    ({"deadline": START}, "campaign_closed"),
    ("reward taken", "reward_sold_out"),
])
def test_what_changed_after_the_first_check_is_refused_on_the_newest_row(funding, newest,
                                                                          code):
    """A pledge checks the rules on rows read without a lock, then holds its place with
    guarded UPDATEs: a change committed in between (here made in the same transaction,
    behind the ORM's back) is refused in the first check's words, and nothing moves."""
    live = campaign(funding, kind="reward", cap_cents=10_000, goal_cents=5_000,
                    rewards=[{"title": "Panier", "min_amount_cents": 2_000, "stock": 1}])
    reward_id = live["rewards"][0]["id"]
    with pytest.raises(DomainError) as refused, funding.test_db() as uow:
        session = uow.session
        read_first = session.get(models.Campaign, live["id"])
        reward = session.get(models.Reward, reward_id)
        if newest == "reward taken":
            session.execute(sa.update(models.Reward).where(models.Reward.id == reward_id)
                            .values(taken=1).execution_options(synchronize_session=False))
        else:
            session.execute(sa.update(models.Campaign).where(models.Campaign.id == live["id"])
                            .values(**newest).execution_options(synchronize_session=False))
        assert (read_first.committed_cents, read_first.status, reward.taken) == (0, "live", 0)
        settlement.hold_place(session, read_first, reward, 2_000, funding.test_clock())
    assert refused.value.code == code
    after = funding.get_campaign(live["id"])
    assert (after["committed_cents"], after["rewards"][0]["remaining"]) == (0, 1)


def pledged_rows(funding, gift_id):
    """What a pledge writes: its contributions, pledged events and the campaign's place."""
    with funding.test_db.read() as session:
        contributions = session.execute(sa.select(sa.func.count()).where(
            models.Contribution.campaign_id == gift_id)).scalar_one()
        committed = session.get(models.Campaign, gift_id).committed_cents
    return contributions, len(events(funding, "contribution_pledged")), committed


def test_a_provider_down_at_the_pledge_is_a_503_and_nothing_is_written(funding, paysim):
    """The payment is created in the pledge's transaction: without it, nothing is kept,
    not even the Idempotency-Key, and the client's retry with that key starts over."""
    gift = campaign(funding)
    live_provider = funding.payments
    funding.payments = PaymentProvider("http://127.0.0.1:9", paysim.api_key, timeout=1)
    with pytest.raises(DomainError) as refused:
        funding.contribute(gift["id"], {"amount_cents": 2500}, "k1", INVESTOR)
    assert (refused.value.kind, refused.value.code) == (
        "unavailable", "payment_provider_unavailable")
    assert pledged_rows(funding, gift["id"]) == (0, 0, 0)
    funding.payments = live_provider
    retried = funding.contribute(gift["id"], {"amount_cents": 2500}, "k1", INVESTOR)
    assert retried["replayed"] is False
    assert paysim.client().get_payment(payment_id(retried["contribution"]))["status"] == \
        "pending"
    assert pledged_rows(funding, gift["id"]) == (1, 1, 2500)


def test_a_pledge_refused_after_its_payment_was_created_cancels_that_payment(
        funding, paysim, monkeypatch):
    """The payment is created before the campaign's lock is taken: when the newest rows
    then refuse the pledge, its payment is cancelled and nothing is written."""
    gift = campaign(funding)
    created = []
    live_create = funding.payments.create_payment

    def create_payment(**fields):
        created.append(live_create(**fields))
        return created[-1]

    def taken_meanwhile(*_args):
        raise DomainError("conflict", "campaign_cap_reached", "Taken meanwhile.")
    monkeypatch.setattr(funding.payments, "create_payment", create_payment)
    monkeypatch.setattr(settlement, "hold_place", taken_meanwhile)
    with pytest.raises(DomainError) as refused:
        funding.contribute(gift["id"], {"amount_cents": 2500}, "k1", INVESTOR)
    assert refused.value.code == "campaign_cap_reached"
    [payment] = created
    assert paysim.client().get_payment(payment["id"])["status"] == "cancelled"
    assert pledged_rows(funding, gift["id"]) == (0, 0, 0)


def pledge_whose_commit_fails(funding, monkeypatch, gift, *, readable_after=True):
    """A pledge of 25 € whose commit raises what a dropped connection raises, once the
    database rolled it back: funding cannot tell it from a commit whose answer was
    lost. With `readable_after` False, the database cannot be read either until the
    pledge ends. Returns the provider's status of the payment created for it, and it."""
    created, live_create = [], funding.payments.create_payment
    dialect = funding.test_db.engine.dialect

    def create_payment(**fields):
        created.append(live_create(**fields))
        return created[-1]

    def lost_answer(dbapi_connection):
        dialect.do_rollback(dbapi_connection)
        raise dialect.dbapi.OperationalError("server closed the connection unexpectedly")

    def database_away():
        raise sa.exc.OperationalError("SELECT", {}, Exception("connection refused"))
    with monkeypatch.context() as failing, pytest.raises(sa.exc.OperationalError):
        failing.setattr(funding.payments, "create_payment", create_payment)
        failing.setattr(dialect, "do_commit", lost_answer)
        if not readable_after:
            failing.setattr(funding.db, "read", database_away)
        funding.contribute(gift["id"], {"amount_cents": 2500}, "k1", INVESTOR)
    [payment] = created
    return provider_status(funding, payment["id"]), payment


def provider_status(funding, provider_payment_id):
    return funding.payments.get_payment(provider_payment_id)["status"]


@pytest.mark.parametrize("held_for", [0.0, 0.5, 5.0], ids=[
    "lost", "still-in-flight-as-funding-reads", "held-up-past-funding's-wait"])
def test_a_pledge_whose_commit_answer_the_network_lost_is_found_and_paid(
        databases, paysim, held_for):
    """The connection breaks as the pledge commits and its COMMIT reaches PostgreSQL,
    which keeps the pledge, `held_for` seconds later: funding answers a 503 and cannot
    tell. It waits a moment for that COMMIT (on the campaign's lock, which the pledge's
    transaction holds), then leaves the payment pending: either way the retry with the
    same key finds the pledge and pays it. (Funding cancelled that payment, stranding a
    pledge no one could pay: CI's database outage test timed out on one.)"""
    assert databases.backend == "postgresql", \
        "this test breaks a PostgreSQL connection: set TEST_DATABASE_URL (CI does)"
    proxied, proxy, _ = postgres_through_proxy(databases.new("funding"))
    funding = funding_on(proxied, paysim)
    try:
        gift = campaign(funding)
        proxy.lose_answer(b"COMMIT", after=b"INSERT INTO contributions", held_for=held_for)
        with pytest.raises(sa.exc.OperationalError):
            funding.contribute(gift["id"], {"amount_cents": 2500}, "k1", INVESTOR)
        kept_when_answered = pledged_rows(funding, gift["id"])
        # Funding waits for the COMMIT up to its lock_timeout (2 s), not longer.
        assert kept_when_answered == ((0, 0, 0) if held_for > 2 else (1, 1, 2500))
        wait_until(lambda: pledged_rows(funding, gift["id"]) == (1, 1, 2500), timeout=15,
                   message="the held-up COMMIT to land")
        retried = funding.contribute(gift["id"], {"amount_cents": 2500}, "k1", INVESTOR)
        assert retried["replayed"] is True
        paying = payment_id(retried["contribution"])
        assert provider_status(funding, paying) == "pending"
        assert paysim.pay(paying).status_code == 303
        assert webhook(funding, paysim, paying)["applied"]
        assert contribution(funding, retried["contribution"]["id"])["status"] == "captured"
    finally:
        funding.test_db.engine.dispose()
        proxy.cut()


def test_a_pledge_whose_commit_failed_and_is_not_there_has_its_payment_cancelled(
        funding, paysim, monkeypatch):
    gift = campaign(funding)
    status, payment = pledge_whose_commit_fails(funding, monkeypatch, gift)
    assert status == "cancelled"
    assert pledged_rows(funding, gift["id"]) == (0, 0, 0)
    retried = funding.contribute(gift["id"], {"amount_cents": 2500}, "k1", INVESTOR)
    assert retried["replayed"] is False and payment_id(retried["contribution"]) != payment["id"]


def test_a_pledge_whose_commit_is_unknown_and_cannot_be_read_leaves_its_payment_pending(
        funding, paysim, monkeypatch):
    """Funding cannot read whether the pledge was kept: cancelling might strand a kept
    one, so the payment waits, never shown to a payer unless the pledge was kept."""
    gift = campaign(funding)
    status, _ = pledge_whose_commit_fails(funding, monkeypatch, gift, readable_after=False)
    assert status == "pending"
    assert pledged_rows(funding, gift["id"]) == (0, 0, 0)


def test_withdrawing_on_day_3_of_the_reflection_period_costs_nothing(funding, paysim):
    ready_investor(funding)
    loan = campaign(funding, kind="loan", key_information=LOAN_SHEET)
    offered = invest(funding, paysim, loan["id"], 300_000)
    assert contribution(funding, offered["id"])["status"] == "authorized"
    assert funding.get_campaign(loan["id"])["raised_cents"] == 0  # not before the period ends

    funding.test_clock.now = START + timedelta(days=3)
    withdrawn = funding.withdraw(offered["id"], INVESTOR)
    assert (withdrawn["status"], withdrawn["cancel_reason"]) == ("cancelled", "withdrawn")
    payment = paysim.client().get_payment(payment_id(offered))
    assert (payment["status"], payment["refunded_cents"]) == ("cancelled", 0)  # never charged
    after = funding.get_campaign(loan["id"])
    assert (after["raised_cents"], after["committed_cents"]) == (0, 0)
    assert events(funding, "contribution_confirmed") == []


def test_on_day_5_withdrawal_is_refused_and_the_investment_counts(funding, paysim):
    ready_investor(funding)
    loan = campaign(funding, kind="loan", key_information=LOAN_SHEET)
    offered = invest(funding, paysim, loan["id"], 300_000)

    funding.test_clock.now = START + timedelta(days=5)
    with pytest.raises(DomainError) as raised:
        funding.withdraw(offered["id"], INVESTOR)
    assert raised.value.code == "reflection_period_over"
    funding.tick()  # the clock's sweep counts it, and keep-it-all captures it
    counted = contribution(funding, offered["id"])
    assert (counted["status"], counted["counted"]) == ("captured", True)
    assert funding.get_campaign(loan["id"])["raised_cents"] == 300_000
    assert paysim.client().get_payment(payment_id(offered))["status"] == "captured"
    funding.tick()
    assert len(events(funding, "contribution_confirmed")) == 1  # once, however many ticks


def test_an_investment_needs_the_test_the_simulation_and_the_acknowledgements(funding, paysim):
    loan = campaign(funding, kind="loan", key_information=LOAN_SHEET,
                    deadline=(START + timedelta(days=800)).isoformat())
    newcomer = str(uuid.uuid4())

    def offer(amount=100_000, acknowledgements=ALL_ACKNOWLEDGED):
        return funding.contribute(loan["id"], {"amount_cents": amount,
                                               "acknowledgements": acknowledgements},
                                  uuid.uuid4().hex, newcomer)
    for step, code in ((lambda: None, "knowledge_test_required"),
                       (lambda: funding.take_knowledge_test(newcomer, {"answers": right_answers()}),
                        "loss_simulation_required")):
        step()
        with pytest.raises(DomainError) as raised:
            offer()
        assert raised.value.code == code
    funding.simulate_loss(newcomer, {"net_worth_cents": 4_000_000})  # threshold: 2,000 €
    with pytest.raises(DomainError) as raised:
        offer(250_000, {"risk_warning_accepted": True, "key_information_read": True})
    assert set(raised.value.details["fields"]) == {"acknowledgements.large_investment_consent",
                                                   "acknowledgements.understanding_confirmed"}
    assert offer(200_000, {"risk_warning_accepted": True, "key_information_read": True})[
        "contribution"]["status"] == "pending"

    funding.test_clock.now = START + timedelta(days=731)  # the test is valid two years
    with pytest.raises(DomainError) as raised:
        offer()
    assert raised.value.code == "knowledge_test_required"


def test_three_failed_tests_in_a_day_refuse_the_fourth_until_the_first_is_a_day_old(funding):
    person = str(uuid.uuid4())
    wrong = {**right_answers(), "loss": "a", "guarantee": "a"}  # 4 out of 6: failed
    for left, minutes in ((2, 0), (1, 30), (0, 60)):
        funding.test_clock.now = START + timedelta(minutes=minutes)
        result = funding.take_knowledge_test(person, {"answers": wrong})
        assert (result["passed"], result["profile"]["knowledge_test_attempts_left"]) == (
            False, left)
    first_back = START + timedelta(hours=24)
    assert funding.get_investor_profile(person)["knowledge_test_retry_at"] == \
        first_back.isoformat()
    funding.test_clock.now = START + timedelta(hours=23)
    with pytest.raises(DomainError) as raised:  # even the right answers: not now
        funding.take_knowledge_test(person, {"answers": right_answers()})
    assert (raised.value.code, raised.value.details) == (
        "knowledge_test_attempts_exhausted",
        {"retry_after": 3600, "retry_at": first_back.isoformat()})
    assert funding.get_investor_profile(person)["knowledge_test_valid"] is False

    funding.test_clock.now = first_back
    passed = funding.take_knowledge_test(person, {"answers": right_answers()})
    assert passed["passed"] and passed["profile"]["knowledge_test_attempts_left"] == 3
    assert passed["profile"]["knowledge_test_retry_at"] is None


def test_webhooks_twice_out_of_order_forged_or_unknown_capture_once(funding, paysim):
    gift = campaign(funding)
    offered = funding.contribute(gift["id"], {"amount_cents": 2500}, "k1",
                                 INVESTOR)["contribution"]
    retried = funding.contribute(gift["id"], {"amount_cents": 2500}, "k1", INVESTOR)
    assert (retried["replayed"], retried["contribution"]["id"]) == (True, offered["id"])
    assert retried["contribution"]["payment_url"] == offered["payment_url"]
    paysim.pay(payment_id(offered))
    event_id = f"evt_{uuid.uuid4().hex}"
    assert webhook(funding, paysim, payment_id(offered), event_id=event_id)["applied"]
    assert webhook(funding, paysim, payment_id(offered), event_id=event_id) == {
        "received": True, "applied": False}  # the same event again
    # A stale "authorized" arriving after the capture moves nothing.
    assert not webhook(funding, paysim, payment_id(offered), "payment.authorized")["applied"]
    stale = json.dumps({"id": "evt_stale", "type": "payment.authorized", "created": 1,
                        "data": {**paysim.client().get_payment(payment_id(offered)),
                                 "status": "authorized"}}).encode()
    assert not funding.payment_webhook(base64.b64encode(stale).decode(), sign(
        paysim.webhook_secret, stale, int(time.time())))["applied"]
    with pytest.raises(DomainError) as raised:
        webhook(funding, paysim, payment_id(offered), secret="whsec_forged")
    assert raised.value.code == "bad_signature"
    ghost = json.dumps({"id": "evt_ghost", "type": "payment.authorized", "created": 1,
                        "data": {"id": "pay_ghost", "status": "authorized"}}).encode()
    with pytest.raises(DomainError) as raised:
        funding.payment_webhook(base64.b64encode(ghost).decode(),
                                sign(paysim.webhook_secret, ghost, int(time.time())))
    assert raised.value.code == "payment_not_found"

    assert contribution(funding, offered["id"])["status"] == "captured"
    assert [e["amount_cents"] for e in events(funding, "contribution_captured")] == [2500]
    assert funding.get_campaign(gift["id"])["raised_cents"] == 2500


def claim(funding, paysim, payment_id, status):
    """A webhook signed with the real secret that says `status`, whatever the provider."""
    body = json.dumps({"id": f"evt_{uuid.uuid4().hex}", "type": f"payment.{status}",
                       "created": int(time.time()),
                       "data": {**paysim.client().get_payment(payment_id),
                                "status": status}}).encode()
    return funding.payment_webhook(base64.b64encode(body).decode(),
                                   sign(paysim.webhook_secret, body, int(time.time())))


def discrepancies(funding, contribution_id):
    """What staff see of a contribution, in a stable order: the test's clock stands still,
    so two discrepancies may share their moment."""
    return sorted((found["kind"], found["source"], found["claimed_status"] or "",
                   found["provider_status"], found["status_before"], found["status_after"])
                  for found in funding.list_payment_discrepancies(
                      {"contribution_id": contribution_id})["items"])


def believed_before_the_mend(funding, contribution_id, *states):
    """The state a forged webhook left before funding asked the provider: moved as the
    webhook said, counted."""
    with funding.test_db() as uow:
        campaign, held = settlement.lock(uow.session, contribution_id)
        for state in states:
            settlement.set_state(uow, campaign, held, state, funding.test_clock.now)


def test_a_signed_claim_the_provider_denies_moves_nothing_and_is_kept(funding, paysim):
    gift = campaign(funding)
    offered = funding.contribute(gift["id"], {"amount_cents": 2500}, "k1",
                                 INVESTOR)["contribution"]
    assert claim(funding, paysim, payment_id(offered), "captured") == {
        "received": True, "applied": False}
    assert claim(funding, paysim, payment_id(offered), "failed")["applied"] is False
    assert contribution(funding, offered["id"])["status"] == "pending"
    assert funding.get_campaign(gift["id"])["raised_cents"] == 0
    assert discrepancies(funding, offered["id"]) == [
        ("claim_contradicted", "webhook", "captured", "pending", "pending", "pending"),
        ("claim_contradicted", "webhook", "failed", "pending", "pending", "pending")]
    # The payer confirms: the same kind of claim, now true, moves it.
    paysim.pay(payment_id(offered))
    assert claim(funding, paysim, payment_id(offered), "authorized")["applied"]
    assert contribution(funding, offered["id"])["status"] == "captured"
    assert len(discrepancies(funding, offered["id"])) == 2


def test_money_counted_that_the_provider_refused_is_corrected_to_failed(funding, paysim):
    gift = campaign(funding)
    offered = funding.contribute(gift["id"], {"amount_cents": 2500}, "k1",
                                 INVESTOR)["contribution"]
    believed_before_the_mend(funding, offered["id"], "captured")
    assert funding.get_campaign(gift["id"])["raised_cents"] == 2500
    paysim.refuse(payment_id(offered))
    assert webhook(funding, paysim, payment_id(offered))["applied"]
    corrected = contribution(funding, offered["id"])
    assert (corrected["status"], corrected["counted"], corrected["cancel_reason"]) == (
        "failed", False, "provider_contradicted")
    now = funding.get_campaign(gift["id"])
    assert (now["raised_cents"], now["contributions_count"], now["refunded_cents"]) == (0, 0, 0)
    failed = [event for event in events(funding, "contribution_failed")
              if event["contribution_id"] == offered["id"]]
    assert [(event["was_counted"], event["reason"]) for event in failed] == [
        (True, "provider_contradicted")]  # reporting takes it off the totals
    assert discrepancies(funding, offered["id"]) == [
        ("state_corrected", "webhook", "failed", "failed", "captured", "failed")]


def test_money_counted_that_the_provider_still_holds_pending_is_left_to_staff(funding,
                                                                              paysim):
    gift = campaign(funding)
    offered = funding.contribute(gift["id"], {"amount_cents": 2500}, "k1",
                                 INVESTOR)["contribution"]
    believed_before_the_mend(funding, offered["id"], "authorized")
    funding.test_clock.now = START + timedelta(minutes=5)
    funding.tick()  # the clock asks about the authorized payment: still pending there
    funding.test_clock.now = START + timedelta(minutes=7)
    funding.tick()  # and again later: staff already know, one row says it
    assert contribution(funding, offered["id"])["status"] == "authorized"
    assert discrepancies(funding, offered["id"]) == [
        ("state_contradicted", "clock", "", "pending", "authorized", "authorized")]
    paysim.refuse(payment_id(offered))
    assert webhook(funding, paysim, payment_id(offered))["applied"]
    assert contribution(funding, offered["id"])["status"] == "failed"
    assert funding.get_campaign(gift["id"])["raised_cents"] == 0


def test_the_clock_settles_payments_whose_webhooks_never_came(funding, paysim):
    gift = campaign(funding)
    paid, refused, silent = (funding.contribute(gift["id"], {"amount_cents": 1000 + index},
                                                f"k{index}", INVESTOR)["contribution"]
                             for index in range(3))
    paysim.pay(payment_id(paid))
    paysim.refuse(payment_id(refused))
    funding.test_clock.now = START + timedelta(seconds=30)  # younger than a minute
    funding.tick()
    assert contribution(funding, paid["id"])["status"] == "pending"
    funding.test_clock.now = START + timedelta(seconds=61)
    funding.tick()
    assert contribution(funding, paid["id"])["status"] == "captured"
    assert paysim.client().get_payment(payment_id(paid))["status"] == "captured"
    assert contribution(funding, refused["id"])["status"] == "failed"
    assert contribution(funding, silent["id"])["status"] == "pending"
    assert funding.get_campaign(gift["id"])["raised_cents"] == 1000
    assert discrepancies(funding, silent["id"]) == []


def test_the_clock_backs_off_per_payment_while_the_provider_is_down(funding, paysim):
    gift = campaign(funding)
    offered = funding.contribute(gift["id"], {"amount_cents": 2500}, "k1",
                                 INVESTOR)["contribution"]
    live_provider = funding.payments
    funding.payments = PaymentProvider("http://127.0.0.1:9", paysim.api_key, timeout=1)

    def checks():
        with funding.test_db.read() as session:
            row = session.get(models.Contribution, offered["id"])
            return row.provider_checks, row.provider_check_due_at

    asked = []
    for seconds in (61, 62, 125, 130, 250):
        funding.test_clock.now = START + timedelta(seconds=seconds)
        funding.tick()  # no answer: the next tick tries again, no error
        asked.append(checks())
    assert asked == [(1, START + timedelta(seconds=121)), (1, START + timedelta(seconds=121)),
                     (2, START + timedelta(seconds=245)), (2, START + timedelta(seconds=245)),
                     (3, START + timedelta(seconds=490))]
    funding.payments = live_provider
    paysim.pay(payment_id(offered))
    funding.test_clock.now = START + timedelta(seconds=490)
    funding.tick()
    assert contribution(funding, offered["id"])["status"] == "captured"
    assert checks() == (0, None)  # news: the next wait starts over


def test_a_payment_confirmed_after_its_hold_expired_is_given_back(funding, paysim):
    rewards = campaign(funding, kind="reward", rewards=[
        {"title": "Panier", "min_amount_cents": 2000, "stock": 1}])
    reward_id = rewards["rewards"][0]["id"]
    offered = funding.contribute(rewards["id"], {"amount_cents": 2000, "reward_id": reward_id},
                                 "k1", INVESTOR)["contribution"]
    assert funding.get_campaign(rewards["id"])["rewards"][0]["remaining"] == 0
    funding.test_clock.now = START + timedelta(hours=1)  # past the 30-minute hold
    funding.tick()
    expired = contribution(funding, offered["id"])
    assert (expired["status"], expired["cancel_reason"]) == ("cancelled", "expired")
    assert funding.get_campaign(rewards["id"])["rewards"][0]["remaining"] == 1
    # The payer's confirmation comes too late: the provider's cancelled it, nothing taken.
    assert paysim.pay(payment_id(offered)).status_code in (303, 409)
    assert paysim.client().get_payment(payment_id(offered))["status"] == "cancelled"


RECEIPTING = {"legal_name": "Association Les Jardins", "siren": "732829320",
              "address": "2 rue des Écoles, 01330 Villars", "purpose": "Jardins partagés",
              "receipt_eligible": True, "signatory_name": "Marie Dupont",
              "signatory_capacity": "présidente"}
CAMILLE = legal_identity()


def donate(funding, paysim, campaign_id, amount_cents, key, **fields):
    offered = funding.contribute(campaign_id, {"amount_cents": amount_cents, **fields}, key,
                                 INVESTOR)["contribution"]
    paysim.pay(payment_id(offered))
    webhook(funding, paysim, payment_id(offered))
    return contribution(funding, offered["id"])


def receipt_of(funding, contribution_id):
    return receipt_text(base64.b64decode(funding.receipt_pdf(
        contribution_id, {"account_id": INVESTOR, "staff": False})))


def test_receipts_are_numbered_without_gaps_for_eligible_donations_only(funding, paysim):
    funding.set_beneficiary(ORGANISATION, RECEIPTING)
    gift = campaign(funding)
    numbers = [donate(funding, paysim, gift["id"], 5000 + index, f"k{index}",
                      contributor_name="Camille du jardin",
                      tax_receipt=CAMILLE)["receipt_number"] for index in range(3)]
    assert numbers == ["2026-000001", "2026-000002", "2026-000003"]
    offered = contribution(funding, events(funding, "receipt_issued")[-1]["contribution_id"])
    text = receipt_of(funding, offered["id"])
    # The legal name, never the name shown among contributors; the signatory.
    assert "Camille Martin" in text and "Camille du jardin" not in text
    assert "1 rue du Lavoir, 01600 Trévoux" in text
    assert "Signataire : Marie Dupont, présidente" in text
    with pytest.raises(DomainError):  # someone else's receipt reveals nothing
        funding.receipt_pdf(offered["id"], {"account_id": str(uuid.uuid4()), "staff": False})

    funding.set_beneficiary(ORGANISATION, {
        "legal_name": "Épicerie SCIC", "address": "1 place du Marché, 01330 Villars",
        "purpose": "Épicerie", "receipt_eligible": False})
    with pytest.raises(DomainError) as refused:  # no false hope: said at the gift
        funding.contribute(gift["id"], {"amount_cents": 5000, "tax_receipt": CAMILLE},
                           "k-refused", INVESTOR)
    assert set(refused.value.details["fields"]) == {"tax_receipt"}
    unreceipted = donate(funding, paysim, gift["id"], 5000, "k-none",
                         contributor_name="Camille Martin")
    assert unreceipted["receipt_number"] is None
    assert unreceipted["receipt_status"] == "not_requested"
    assert "Aucun reçu fiscal" in unreceipted["receipt_notice"]


def test_an_eligible_organisation_names_its_signatory(funding):
    unsigned = {**RECEIPTING, "signatory_name": None, "signatory_capacity": None}
    with pytest.raises(DomainError) as refused:
        funding.set_beneficiary(ORGANISATION, unsigned)
    assert set(refused.value.details["fields"]) == {"signatory_name", "signatory_capacity"}
    assert funding.set_beneficiary(ORGANISATION, RECEIPTING)["signatory_name"] == "Marie Dupont"


def test_a_donation_made_in_the_evening_utc_is_dated_the_next_day_in_paris(funding, paysim):
    funding.set_beneficiary(ORGANISATION, RECEIPTING)
    funding.test_clock.now = datetime(2026, 6, 30, 22, 30, tzinfo=timezone.utc)  # 00:30 CEST
    summer = campaign(funding)
    gift = donate(funding, paysim, summer["id"], 5000, "k-summer", tax_receipt=CAMILLE)
    text = receipt_of(funding, gift["id"])
    assert "Date du don 01/07/2026" in text and "Fait le 01/07/2026" in text
    assert "30/06/2026" not in text

    # New Year's Eve at 23:30 UTC is 1 January in Paris: the new year's first number.
    funding.test_clock.now = datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc)
    winter = campaign(funding, deadline="2027-02-01T00:00:00+00:00")
    gift = donate(funding, paysim, winter["id"], 5000, "k-winter", tax_receipt=CAMILLE)
    assert gift["receipt_number"] == "2027-000001"
    assert "Fait le 01/01/2027" in receipt_of(funding, gift["id"])


def test_a_refunded_donation_gets_its_receipt_cancelled_and_its_number_is_never_reused(
        funding, paysim):
    funding.set_beneficiary(ORGANISATION, RECEIPTING)
    gift = campaign(funding)
    first = donate(funding, paysim, gift["id"], 5000, "k-first", tax_receipt=CAMILLE)
    assert (first["receipt_number"], first["receipt_status"]) == ("2026-000001", "issued")
    funding.test_clock.now = START + timedelta(days=2)
    paysim.client().refund(payment_id(first))  # the association refunds at the provider
    assert webhook(funding, paysim, payment_id(first))["applied"]
    refunded = contribution(funding, first["id"])
    assert refunded["status"] == "refunded"
    assert (refunded["receipt_number"], refunded["receipt_status"]) == ("2026-000001",
                                                                       "cancelled")
    text = receipt_of(funding, first["id"])
    assert "Reçu ANNULÉ le 03/12/2026 (don remboursé)" in text and "2026-000001" in text
    [cancelled] = events(funding, "receipt_cancelled")
    assert (cancelled["number"], cancelled["reason"]) == ("2026-000001", "refunded")
    second = donate(funding, paysim, gift["id"], 6000, "k-second", tax_receipt=CAMILLE)
    assert second["receipt_number"] == "2026-000002"


def test_the_board_approves_new_members_and_a_declined_subscription_is_refunded(funding,
                                                                                paysim):
    shares = campaign(funding, kind="shares", key_information=SHARES_SHEET, people_goal=2,
                      model="keep_it_all")
    accounts = [str(uuid.uuid4()) for _ in range(3)]
    offers = []
    for account in accounts:
        ready_investor(funding, account)
        offers.append(invest(funding, paysim, shares["id"], 10_000, account))
    with pytest.raises(DomainError) as raised:
        funding.contribute(shares["id"], {"amount_cents": 7500,
                                          "acknowledgements": ALL_ACKNOWLEDGED},
                           "odd", accounts[0])
    assert raised.value.details["fields"]["amount_cents"]  # not a whole number of shares
    funding.test_clock.now = START + timedelta(days=4, minutes=1)
    funding.tick()
    assert funding.get_campaign(shares["id"])["raised_cents"] == 30_000
    funding.decide_subscription(offers[0]["id"], {"decision": "approved"}, "board")
    funding.decide_subscription(offers[1]["id"], {"decision": "approved"}, "board")
    declined = funding.decide_subscription(offers[2]["id"], {"decision": "declined"}, "board")
    assert (declined["status"], declined["cancel_reason"]) == ("refunded", "declined")
    assert paysim.client().get_payment(payment_id(offers[2]))["status"] == "refunded"
    with pytest.raises(DomainError) as raised:
        funding.decide_subscription(offers[0]["id"], {"decision": "declined"}, "board")
    assert raised.value.code == "subscription_not_open"
    after = funding.get_campaign(shares["id"])
    assert (after["raised_cents"], after["new_members"]) == (20_000, 2)


def test_shares_subscribed_in_the_last_4_days_count_once_the_board_approves_after_the_deadline(
        funding, paysim):
    """An all-or-nothing shares campaign whose goals are met by subscriptions made in its
    last 4 days: the decision waits for their reflection periods, then for the board,
    and counts what the board approved: succeeded, captured, nothing refunded."""
    deadline = START + timedelta(days=30)
    shares = campaign(funding, kind="shares", key_information=SHARES_SHEET, people_goal=2,
                      model="all_or_nothing", goal_cents=20_000, deadline=deadline.isoformat())
    funding.test_clock.now = deadline - timedelta(days=2)
    offers = []
    for account in (str(uuid.uuid4()), str(uuid.uuid4())):
        ready_investor(funding, account)
        offers.append(invest(funding, paysim, shares["id"], 10_000, account))

    funding.test_clock.now = deadline + timedelta(days=2, minutes=1)  # reflection over
    funding.tick()
    waiting = funding.get_campaign(shares["id"])
    assert (waiting["status"], waiting["raised_cents"], waiting["new_members"]) == (
        "live", 20_000, 0)  # counted, waiting for the board

    funding.test_clock.now = deadline + timedelta(days=5)  # within BOARD_DECISION_DAYS
    for offered in offers:
        funding.decide_subscription(offered["id"], {"decision": "approved"}, "board")
    funding.tick()
    funding.tick()
    after = funding.get_campaign(shares["id"])
    assert (after["status"], after["raised_cents"], after["new_members"],
            after["refunded_cents"]) == ("closed", 20_000, 2, 0)
    assert [e["new_members"] for e in events(funding, "campaign_succeeded")] == [2]
    assert events(funding, "campaign_failed") == []
    for offered in offers:
        assert contribution(funding, offered["id"])["status"] == "captured"
        payment = paysim.client().get_payment(payment_id(offered))
        assert (payment["status"], payment["refunded_cents"]) == ("captured", 0)


def test_a_subscription_the_board_left_undecided_past_its_time_counts_for_nothing(funding,
                                                                                 paysim):
    """The decision waits BOARD_DECISION_DAYS after the last reflection period for the
    board's word, then counts approved subscriptions only: one left undecided is given
    back (its money no longer meets the goal), as are one withdrawn and one declined."""
    deadline = START + timedelta(days=30)
    shares = campaign(funding, kind="shares", key_information=SHARES_SHEET,
                      model="all_or_nothing", goal_cents=20_000, deadline=deadline.isoformat())
    funding.test_clock.now = deadline - timedelta(days=2)
    offers = []
    for _ in range(4):
        account = str(uuid.uuid4())
        ready_investor(funding, account)
        offers.append({**invest(funding, paysim, shares["id"], 10_000, account),
                       "account": account})
    approved, silent, withdrawn, declined = offers
    funding.test_clock.now = deadline + timedelta(days=1)
    funding.withdraw(withdrawn["id"], withdrawn["account"])
    funding.tick()
    assert funding.get_campaign(shares["id"])["status"] == "live"  # reflection periods

    funding.test_clock.now = deadline + timedelta(days=2, minutes=1)
    funding.tick()
    funding.decide_subscription(approved["id"], {"decision": "approved"}, "board")
    funding.decide_subscription(declined["id"], {"decision": "declined"}, "board")
    funding.test_clock.now = deadline + timedelta(days=16)  # 15 days after the last period
    funding.tick()
    waiting = funding.get_campaign(shares["id"])
    assert (waiting["status"], waiting["raised_cents"]) == ("live", 20_000)  # silent counted

    funding.test_clock.now = deadline + timedelta(days=17, minutes=1)
    funding.tick()
    decided = funding.get_campaign(shares["id"])
    assert (decided["status"], decided["raised_cents"], decided["new_members"]) == (
        "failed", 10_000, 1)
    assert [(e["raised_cents"], e["new_members"]) for e in events(funding, "campaign_failed")
            ] == [(10_000, 1)]
    with pytest.raises(DomainError) as raised:  # too late for the board
        funding.decide_subscription(silent["id"], {"decision": "approved"}, "board")
    assert raised.value.code == "subscription_not_open"
    funding.tick()
    ends = {offered["id"]: contribution(funding, offered["id"]) for offered in offers}
    assert [(ends[o["id"]]["status"], ends[o["id"]]["cancel_reason"]) for o in offers] == [
        ("cancelled", "campaign_failed"), ("cancelled", "not_approved"),
        ("cancelled", "withdrawn"), ("cancelled", "declined")]
    for offered in offers:  # each authorization released, nothing ever taken
        payment = paysim.client().get_payment(payment_id(offered))
        assert (payment["status"], payment["refunded_cents"]) == ("cancelled", 0)
    assert funding.get_campaign(shares["id"])["status"] == "closed"


def test_volunteering_and_grants_are_recorded_with_their_events(funding):
    hours = funding.record_volunteering({"hours": 3.5, "done_on": "2026-05-01",
                                         "activity": "Tenue du stand"}, "animator")
    assert (hours["hours"], hours["valued_cents"], hours["hour_value_cents"]) == (3.5, 4207, 1202)
    grant = funding.record_resource({"kind": "grant", "amount_cents": 4_000_000, "year": 2026,
                                     "funder": "Région Auvergne-Rhône-Alpes",
                                     "funder_type": "public", "programme": "PTCE"}, "animator")
    with pytest.raises(DomainError):
        funding.record_resource({"kind": "grant", "amount_cents": 0, "year": 2026}, "animator")
    assert [e["valued_cents"] for e in events(funding, "volunteering_recorded")] == [4207]
    assert [(e["resource_id"], e["funder_type"]) for e in events(funding, "resource_recorded")] \
        == [(grant["id"], "public")]
    assert funding.list_resources({"year": "2026"})["items"][0]["amount_cents"] == 4_000_000


def test_matchfunding_doubles_within_its_caps_and_anonymous_givers_show_no_name(funding,
                                                                               paysim):
    matched = campaign(funding, matchfunding={
        "funder": "Fondation de la Dombes", "per_contribution_cap_cents": 3000,
        "per_contributor_cap_cents": 4000, "total_cap_cents": 100_000})

    def give(amount, account, **fields):
        offered = funding.contribute(matched["id"], {"amount_cents": amount, **fields},
                                     uuid.uuid4().hex, account)["contribution"]
        paysim.pay(payment_id(offered))
        webhook(funding, paysim, payment_id(offered))
        return contribution(funding, offered["id"])
    first = give(5000, INVESTOR, contributor_name="Camille")             # capped at 3,000
    second = give(2000, INVESTOR, contributor_name="Camille")            # 1,000 left for her
    third = give(1000, str(uuid.uuid4()), contributor_name="Dominique", public=False)
    assert [c["matched_cents"] for c in (first, second, third)] == [3000, 1000, 1000]
    after = funding.get_campaign(matched["id"])
    assert (after["raised_cents"], after["matched_cents"], after["total_cents"]) == (
        8000, 5000, 13_000)
    shown = funding.list_public_contributions(matched["id"], {})["items"]
    assert sorted((c["amount_cents"], c["contributor_name"]) for c in shown) == [
        (1000, None), (2000, "Camille"), (5000, "Camille")]


def test_a_bank_transfer_is_matched_on_its_reference_and_unmatched_ones_expire(funding):
    gift = campaign(funding)
    pledged = funding.contribute(gift["id"], {"amount_cents": 15_000,
                                              "payment_method": "transfer"},
                                 "t1", INVESTOR)["contribution"]
    assert (pledged["status"], pledged["channel"], pledged["payment_url"]) == (
        "pending", "transfer", None)
    reference = pledged["transfer_reference"]
    assert reference.startswith("DOMB-")
    with pytest.raises(DomainError) as raised:
        funding.match_transfer(gift["id"], {"reference": reference, "amount_cents": 14_000},
                               "m0", "animator")
    assert raised.value.code == "transfer_amount_differs"
    with pytest.raises(DomainError) as raised:
        funding.match_transfer(gift["id"], {"reference": "DOMB-NOTHING", "amount_cents": 15_000},
                               "m1", "animator")
    assert raised.value.code == "transfer_reference_not_found"
    matched = funding.match_transfer(gift["id"], {"reference": reference.lower(),
                                                  "amount_cents": 15_000}, "m2", "animator")
    assert (matched["contribution"]["status"], matched["contribution"]["counted"]) == (
        "captured", True)
    assert funding.get_campaign(gift["id"])["raised_cents"] == 15_000

    forgotten = funding.contribute(gift["id"], {"amount_cents": 5000,
                                                "payment_method": "transfer"},
                                   "t2", INVESTOR)["contribution"]
    funding.test_clock.now = START + timedelta(days=9)
    funding.tick()
    assert contribution(funding, forgotten["id"])["status"] == "pending"  # 10 days to pay
    funding.test_clock.now = START + timedelta(days=10, minutes=1)
    funding.tick()
    assert contribution(funding, forgotten["id"])["cancel_reason"] == "expired"
    assert funding.get_campaign(gift["id"])["committed_cents"] == 15_000


def test_a_pledge_costs_four_round_trips_its_begin_sent_with_its_first_statement(funding):
    """Counted on the wire (a proxy reads the queries sent): the idempotency claim that
    reads the campaign, with the transaction's BEGIN; the contribution and its outbox
    row; the campaign's guarded UPDATE; the COMMIT. psycopg2 alone would send BEGIN
    on its own first: five."""
    from tests.support.tcp_proxy import postgres_through_proxy

    live = campaign(funding)
    url, proxy, queries = postgres_through_proxy(
        funding.test_db.engine.url.render_as_string(hide_password=False))
    engine = create_engine(url)
    funding.db = UnitsOfWork(engine, models.messaging, "funding")
    try:
        funding.contribute(live["id"], {"amount_cents": 2_000}, "k0", INVESTOR)  # connects
        queries.clear()
        pledged = funding.contribute(live["id"], {"amount_cents": 2_500}, "k1",
                                     INVESTOR)["contribution"]
        # The pool's ping of a connection idle for a while is not the pledge's.
        claim, write, hold, commit = [text for text in queries.texts() if text != "SELECT 1"]
    finally:
        funding.db = funding.test_db
        engine.dispose()
        proxy.cut()
    assert claim.startswith("BEGIN;WITH claimed AS") and "idempotency_keys" in claim
    assert " ".join(write.split()).startswith("WITH along AS (INSERT INTO contributions")
    assert pledged["id"] in write and "INSERT INTO outbox" in write
    assert hold.startswith("UPDATE campaigns") and commit == "COMMIT"
    assert funding.get_campaign(live["id"])["committed_cents"] == 4_500
