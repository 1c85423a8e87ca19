"""Funding: crowdfunding campaigns, their contributions and payments, investor
protection, donation receipts, and the cluster's other resources."""
import base64
import json
import logging
import time
import uuid
from datetime import datetime
from types import SimpleNamespace

import sqlalchemy as sa
from nameko.timer import timer

from services.funding import images, models, reconciliation, schemas, settlement
from services.funding.domain import campaigns as rules
from services.funding.domain import investors, questions, receipts, resources
from services.funding.domain import payments as money
from services.funding.domain.payments import AUTHORIZED, CAPTURED, PENDING
from services.funding.payments import Payments
from services.funding.queries import (
    Queries,
    campaign_view,
    carrier_of,
    contribution_view,
    seen_campaign,
)
from services.funding.receipt_pdf import render_receipt_pdf
from services.members.schemas import PERSON_ERASED
from services.projects.schemas import PROJECT_SUBMITTED, PROJECT_UPDATED
from shared.config import Settings
from shared.database import (
    get_or_not_found,
    insert_ignoring_duplicate,
    keep_newest,
    update_versioned,
    upsertable_insert,
)
from shared.errors import DomainError, conflict, invalid, not_found
from shared.french import local_date
from shared.inbox import subscribe
from shared.rpc import RpcProxy, fetch_or_none, rpc
from shared.schemas import load, load_patch
from shared.service import Clock, Database, ServiceBase
from shared.signatures import verify

log = logging.getLogger(__name__)


class FundingService(ServiceBase, Queries):
    name = "funding"
    db = Database(models.messaging)
    clock = Clock()
    payments = Payments()
    projects = RpcProxy("projects")

    # --- what funding learns from others ---------------------------------------------

    @subscribe("projects", "project_submitted")
    def remember_project(self, uow, envelope):
        project = PROJECT_SUBMITTED.read(envelope["data"])
        _remember_project(uow.session, str(project["project_id"]), project)

    @subscribe("projects", "project_updated")
    def project_edited(self, uow, envelope):
        """A project's edited title, commune and field, unless a later edit's arrived
        (the event carries all that funding keeps, so it may come before the submission)."""
        project = PROJECT_UPDATED.read(envelope["data"])
        carrier = project["carrier_organisation_id"]
        keep_newest(uow.session, models.KnownProject.__table__, {
            "id": str(project["project_id"]),
            "carrier_organisation_id": str(carrier) if carrier else None,
            **{name: project[name] for name in ("title", "commune", "field", "territory")}},
            project["version"])

    @subscribe("members", "person_erased")
    def forget_person(self, uow, envelope):
        """A person erased in members leaves no name or address on their contributions
        and questions here (receipts already issued keep theirs: the tax law asks to keep
        them), and no investor profile (their declared net worth, their test): what it
        served to check was checked when each investment was taken."""
        accounts = [str(account) for account in PERSON_ERASED.read(envelope["data"])["account_ids"]]
        if accounts:
            uow.session.execute(
                sa.update(models.Contribution)
                .where(models.Contribution.contributor_account_id.in_(accounts))
                .values(contributor_name=None, receipt_donor=None))
            uow.session.execute(
                sa.update(models.Question).where(models.Question.account_id.in_(accounts))
                .values(asker_name=None, account_id=None))
            uow.session.execute(sa.delete(models.InvestorProfile)
                                .where(models.InvestorProfile.account_id.in_(accounts)))

    # --- campaigns -------------------------------------------------------------------

    @rpc
    def create_campaign(self, payload, author=None):
        """A draft, by the cluster's staff or a member admin of the project's carrier
        (`author`: the roles and organisation the gateway read; None: a trusted caller,
        as the demo loader)."""
        data = load(schemas.CreateCampaign(), payload)
        data["key_information"] = investors.tidied_key_information(data["key_information"])
        project = self._project(str(data["project_id"]))
        if author is not None:
            rules.check_author(rules.sight(author), project.get("carrier_organisation_id"),
                               [name for name, value in data.items() if value is not None])
        values = rules.new_campaign(data, now=self.clock(),
                                    key_information_errors=investors.key_information_errors)
        with self.db() as uow:
            _remember_project(uow.session, values["project_id"], project)
            campaign = models.Campaign(video_url=data["video_url"], version=1, **values)
            uow.session.add(campaign)
            _add_rewards(uow.session, campaign.id, data["rewards"])
            uow.session.flush()
            uow.emit(schemas.CAMPAIGN_CREATED, _campaign_fact(campaign))
            return campaign_view(uow.session, campaign)

    @rpc
    def edit_campaign(self, campaign_id, payload, author):
        """Its authors change a draft or a campaign sent back, naming the version they
        read: someone else's change since is a version_conflict, never overwritten."""
        expected_version, changes = load_patch(schemas.EditCampaign(), payload)
        if "key_information" in changes:
            changes["key_information"] = investors.tidied_key_information(
                changes["key_information"])
        with self.db() as uow:
            session = uow.session
            campaign = self._authored(session, campaign_id, author, changes)
            rules.check_editable(campaign.status)
            values = rules.edited_campaign(_campaign_input(session, campaign), changes,
                                           self.clock(), investors.key_information_errors)
            if "video_url" in changes:
                values["video_url"] = changes["video_url"]
            update_versioned(session, models.Campaign, campaign_id, "campaign",
                             expected_version, values)
            if "rewards" in changes:
                session.execute(sa.delete(models.Reward)
                                .where(models.Reward.campaign_id == campaign.id))
                _add_rewards(session, campaign.id, changes["rewards"])
            session.flush()
            uow.emit(schemas.CAMPAIGN_EDITED, {**_campaign_fact(campaign),
                                               "version": campaign.version})
            return campaign_view(session, campaign)

    @rpc
    def set_cover_image(self, campaign_id, payload, author):
        """A cover picture for a draft or a campaign sent back: checked, re-encoded and
        resized before any lock is taken, then stored once per content."""
        data = load(schemas.CoverImage(), payload)
        try:
            content = base64.b64decode(data["content"], validate=True)
        except ValueError:
            raise invalid({"content": ["Not base64."]}) from None
        picture = images.prepared(content, data["media_type"])
        with self.db() as uow:
            campaign = self._authored(uow.session, campaign_id, author, ())
            rules.check_editable(campaign.status)
            insert_ignoring_duplicate(uow.session, models.CampaignImage.__table__,
                                      {**picture, "created_at": self.clock()})
            campaign.cover_image = picture["id"]
            campaign.version += 1
            uow.session.flush()
            return campaign_view(uow.session, campaign)

    def _authored(self, session, campaign_id, author, fields):
        """The campaign, locked, if the author may change it: one they may not even see
        is unknown to them (404); one they see but do not carry, forbidden (403)."""
        campaign = _locked_campaign(session, campaign_id)
        reader = rules.sight(author)
        carrier = carrier_of(session, campaign.project_id)
        if not rules.may_see(reader, campaign.status, carrier):
            raise not_found("campaign", campaign_id)
        rules.check_author(reader, carrier, fields)
        return campaign

    @rpc
    def submit_campaign(self, campaign_id, by, author=None):
        """By its authors (`author`, as for edits; None: staff, as the gateway checked)."""
        return self._move_campaign(campaign_id, "submit", by, None, schemas.CAMPAIGN_SUBMITTED,
                                   author)

    @rpc
    def send_back_campaign(self, campaign_id, payload, by):
        note = load(schemas.ReviewNote(), payload)["note"]
        return self._move_campaign(campaign_id, "send_back", by, note, schemas.CAMPAIGN_SENT_BACK)

    @rpc
    def approve_campaign(self, campaign_id, by):
        return self._move_campaign(campaign_id, "approve", by, None, schemas.CAMPAIGN_PUBLISHED)

    def _move_campaign(self, campaign_id, action, by, note, spec, author=None):
        with self.db() as uow:
            campaign = _locked_campaign(uow.session, campaign_id) if author is None \
                else self._authored(uow.session, campaign_id, author, ())
            campaign.status = rules.move(campaign.status, action)
            campaign.version += 1
            if action == "approve":
                campaign.published_at = self.clock()
                if campaign.starts_at < campaign.published_at:
                    campaign.starts_at = campaign.published_at
                if campaign.deadline <= campaign.published_at:
                    raise conflict("campaign_deadline_passed", "Its deadline has passed: send "
                                   "it back to change it.")
                uow.emit(spec, {"campaign_id": campaign.id, "project_id": campaign.project_id,
                                "published_at": campaign.published_at.isoformat()})
            else:
                campaign.review_note = note
                uow.emit(spec, {"campaign_id": campaign.id, "project_id": campaign.project_id,
                                "status": campaign.status, "by": by, "note": note})
            return campaign_view(uow.session, campaign)

    # --- contributions ---------------------------------------------------------------

    @rpc
    def contribute(self, campaign_id, payload, idempotency_key, contributor_account_id,
                   email_verified=True):
        """Offer a contribution: it holds its reward and its place under the cap while
        its payment is pending, and answers where the payer confirms. A retry with the
        same Idempotency-Key (keys are the contributor's own) gets the same contribution;
        nothing is taken twice. `email_verified`: whether members has the contributor's
        address confirmed (the gateway says, from the access token or members); a loan
        or shares need it.

        One transaction: the payment is created at the provider inside it, after the
        rules were checked and before the campaign's lock is taken, so the contribution
        is written with its payment. A provider that does not answer is a 503 and
        nothing is written (a retry with the same key starts over); a payment created
        for a pledge that is then refused, or not committed, is cancelled. A commit
        whose answer was lost (the database dropped the connection as it committed)
        may have kept the pledge: its payment is cancelled only once funding has read
        that the contribution is not there."""
        data = load(_CONTRIBUTE, payload)
        now = self.clock()
        contribution_id = _uuid()
        created = []  # the payment created for this pledge, to cancel if it is not kept
        committing = False  # from here on, an error does not say the pledge is not kept
        try:
            with self.db() as uow:
                # The answer is stored with the claim, before the campaign's lock is
                # taken: one statement fewer while other contributions wait for it.
                # The campaign is read (without a lock) by the claim's statement.
                replay = uow.replay_or_claim(
                    f"contribute:{contributor_account_id}", idempotency_key,
                    {"campaign_id": str(campaign_id), **payload},
                    answer={"contribution_id": contribution_id},
                    reading=(models.Campaign.__table__, campaign_id))
                if replay is None:
                    contribution, kind = self._pledge(uow, uow.read_with_claim, campaign_id,
                                                      data, contributor_account_id, now,
                                                      contribution_id, created,
                                                      email_verified)
                committing = True
        except Exception:
            for payment in created:
                if not committing or not self._pledge_may_be_kept(campaign_id,
                                                                  contribution_id):
                    self._cancel_unkept(payment["id"])
            raise
        if replay is None:
            return {"replayed": False, "contribution": contribution_view(contribution, kind)}
        with self.db.read() as session:
            contribution = get_or_not_found(session, models.Contribution,
                                            replay["contribution_id"], "contribution")
            campaign = session.get(models.Campaign, contribution.campaign_id)
            title, kind = campaign.title, campaign.kind
        return {"replayed": True,
                "contribution": self._with_payment(contribution, title, kind)}

    def _pledge(self, uow, campaign, campaign_id, data, account_id, now, contribution_id,
                created, email_verified=True):
        """The pledge's rules, its payment and its rows, in Core on the hot path: the
        contribution as written (a namespace) and its campaign's kind. `campaign`: its
        row as the idempotency claim read it (a namespace), or None."""
        session = uow.session
        # Read without a lock: most refusals are said here, before any lock is taken.
        # hold_place takes the campaign's lock last and checks the cap, the stock and the
        # campaign's state again on the newest rows.
        if campaign is None or not rules.is_public(campaign.status):
            # Citizens contribute; to them an unpublished campaign does not exist.
            raise not_found("campaign", campaign_id)
        reward = None
        if data["reward_id"] is not None:
            reward = settlement.read_row(session, models.Reward, data["reward_id"])
            if reward is None:
                raise not_found("reward", data["reward_id"])
        rules.accept_contribution(campaign, data["amount_cents"], reward, now)
        receipt_donor = _receipt_donor(session, campaign, data["tax_receipt"])
        reflection_ends_at = None
        if campaign.kind in rules.INVESTMENT_KINDS:
            investors.check_email_verified(email_verified)
            self._check_investor(session, campaign, account_id, data, now)
            reflection_ends_at = investors.reflection_ends_at(now)
        by_transfer = data["payment_method"] == "transfer"
        payment = None
        if not by_transfer:
            # The provider's idempotency key (the contribution's id) makes its own retry
            # find the same payment.
            payment = self.payments.create_payment(
                amount_cents=data["amount_cents"], reference=contribution_id,
                description=f"{campaign.title} — contribution", capture="manual",
                return_url=f"{self.config['PUBLIC_URL']}/contributions/{contribution_id}",
                idempotency_key=contribution_id)
            created.append(payment)
        contribution = SimpleNamespace(
            id=contribution_id, campaign_id=campaign.id, reward_id=reward and reward.id,
            amount_cents=data["amount_cents"], matched_cents=0,
            contributor_name=data["contributor_name"], receipt_donor=receipt_donor,
            contributor_account_id=account_id, public=data["public"],
            amount_public=data["amount_public"], status=PENDING,
            channel="transfer" if by_transfer else "online",
            offline_reference=money.transfer_reference(contribution_id) if by_transfer
            else None, counted=False, created_at=now, updated_at=now,
            hold_expires_at=settlement.hold_until(
                now, self.config["TRANSFER_HOLD_DAYS"] * 86_400 if by_transfer
                else self.config["PAYMENT_HOLD_SECONDS"]),
            reflection_ends_at=reflection_ends_at,
            payment_id=payment and payment["id"], payment_url=payment and payment["redirect_url"],
            cancel_reason=None, board_decision=None, receipt_number=None,
            provider_checks=0, provider_check_due_at=None)
        # The contribution and its event's outbox row: one statement (UnitOfWork.emit).
        uow.emit(schemas.CONTRIBUTION_PLEDGED,
                 settlement.fact(campaign, contribution, now, reward=reward),
                 along=(_CONTRIBUTIONS, vars(contribution)))
        settlement.hold_place(session, campaign, reward, data["amount_cents"], now)
        return contribution, campaign.kind

    def _pledge_may_be_kept(self, campaign_id, contribution_id) -> bool:
        """After a failed commit: whether the contribution may be written. A database
        that cannot be read now may hold it; its payment is then left pending, and the
        client's retry with the same key finds the pledge and pays it, or, if it was not
        kept, starts over with a new payment, the old one never shown to a payer."""
        try:
            with self.db.read() as session:
                # The pledge's transaction, while the database has not ended it (its
                # COMMIT still unread), holds its campaign's lock: a share of that lock
                # waits for its end, and the read after it sees what became of it. Not
                # for long: a server that never heard its client went may keep it open.
                if session.bind.dialect.name == "postgresql":
                    session.execute(sa.text("SET LOCAL lock_timeout = '2s'"))
                session.execute(sa.select(models.Campaign.id)
                                .where(models.Campaign.id == str(campaign_id))
                                .with_for_update(read=True))
                return session.get(models.Contribution, contribution_id) is not None
        except sa.exc.SQLAlchemyError as error:
            log.warning("pledge's commit unknown: its payment is left pending", extra={
                "contribution_id": contribution_id, "error": str(error).splitlines()[0]})
            return True

    def _cancel_unkept(self, payment_id):
        """Cancel a payment created for a pledge that was not kept; one the provider
        cannot cancel now stays pending there, with no contribution and never shown to
        a payer (its reference, the contribution's id, names no contribution)."""
        try:
            self.payments.cancel(payment_id)
        except DomainError as error:
            log.warning("unkept pledge's payment not cancelled", extra={
                "payment_id": payment_id, "code": error.code})

    def _check_investor(self, session, campaign, account_id, data, now):
        profile = session.get(models.InvestorProfile, account_id)
        investors.check_investment(profile=_profile_facts(profile),
                                   amount_cents=data["amount_cents"],
                                   acknowledgements=data["acknowledgements"], now=now)
        if campaign.kind == rules.SHARES:
            errors = investors.shares_amount_errors(
                data["amount_cents"], campaign.key_information["share_price_cents"])
            if errors:
                raise invalid(errors)

    def _with_payment(self, contribution, campaign_title, kind):
        """The contribution, with a payment at the provider. A pledge is written with
        its payment; one written before that was so (its provider call failed after the
        commit) gets it on the retry. The provider's own idempotency key (the
        contribution's id) makes a retry find the same payment."""
        if contribution.payment_id is None and contribution.status == PENDING \
                and contribution.channel == "online":
            payment = self.payments.create_payment(
                amount_cents=contribution.amount_cents, reference=contribution.id,
                description=f"{campaign_title} — contribution", capture="manual",
                return_url=f"{self.config['PUBLIC_URL']}/contributions/{contribution.id}",
                idempotency_key=contribution.id)
            with self.db() as uow:
                uow.session.execute(sa.update(models.Contribution).where(
                    models.Contribution.id == contribution.id,
                    models.Contribution.payment_id.is_(None)).values(
                        payment_id=payment["id"], payment_url=payment["redirect_url"]))
            contribution.payment_id = payment["id"]  # a detached row: the answer's copy
            contribution.payment_url = payment["redirect_url"]
        return contribution_view(contribution, kind)

    @rpc
    def record_offline(self, campaign_id, payload, idempotency_key, by):
        """Cash, a cheque or a bank transfer an animator received: it counts like the
        others from the moment it is recorded."""
        data = load(schemas.RecordOffline(), payload)
        now = self.clock()
        with self.db() as uow:
            replay = uow.replay_or_claim(f"offline:{by}", idempotency_key,
                                         {"campaign_id": str(campaign_id), **payload})
            if replay is not None:
                return {"replayed": True, "contribution": replay}
            session = uow.session
            campaign = _locked_campaign(session, campaign_id)
            if campaign.kind in rules.INVESTMENT_KINDS:
                raise conflict("offline_investment_refused", "An investment goes through the "
                               "investor's own steps online (EU 2020/1503).")
            reward = data["reward_id"] and get_or_not_found(session, models.Reward,
                                                            data["reward_id"], "reward")
            rules.accept_contribution(campaign, data["amount_cents"], reward or None, now)
            contribution = models.Contribution(
                id=_uuid(), campaign_id=campaign.id, reward_id=reward and reward.id,
                amount_cents=data["amount_cents"], matched_cents=0,
                contributor_name=data["contributor_name"],
                receipt_donor=_receipt_donor(session, campaign, data["tax_receipt"]),
                public=data["public"],
                status=PENDING, channel=data["channel"], offline_reference=data["reference"],
                counted=False, created_at=now, updated_at=now)
            session.add(contribution)
            campaign.committed_cents += contribution.amount_cents
            if reward:
                reward.taken += 1
            session.flush()
            uow.emit(schemas.CONTRIBUTION_PLEDGED, settlement.fact(campaign, contribution, now))
            settlement.set_state(uow, campaign, contribution, CAPTURED, now)
            return {"replayed": False,
                    "contribution": uow.remember(contribution_view(contribution,
                                                                   campaign.kind))}

    @rpc
    def match_transfer(self, campaign_id, payload, idempotency_key, by):
        """A bank transfer arrived with a contribution's reference: it is captured."""
        data = load(schemas.TransferReceived(), payload)
        now = self.clock()
        with self.db() as uow:
            replay = uow.replay_or_claim(f"transfer:{by}", idempotency_key,
                                         {"campaign_id": str(campaign_id), **payload})
            if replay is not None:
                return {"replayed": True, "contribution": replay}
            found = uow.session.execute(sa.select(models.Contribution.id).where(
                models.Contribution.campaign_id == str(campaign_id),
                models.Contribution.channel == "transfer",
                models.Contribution.offline_reference == data["reference"].strip().upper()
            )).scalar()
            if found is None:
                raise not_found("transfer_reference", data["reference"])
            campaign, contribution = settlement.lock(uow.session, found)
            money.check_transfer(contribution.amount_cents, data["amount_cents"])
            settlement.set_state(uow, campaign, contribution, CAPTURED, now)
            return {"replayed": False,
                    "contribution": uow.remember(contribution_view(contribution,
                                                                   campaign.kind))}

    @rpc
    def payment_webhook(self, body, signature):
        """The provider's hint of news on a payment: verified, taken once per event, in
        any order. What moves the contribution is the payment as the provider reports it
        when asked (reconciliation.heed_provider); money it holds for a contribution
        already ended is given back; a claim it denies is kept for staff."""
        raw = base64.b64decode(body)
        # Signatures age in real time, whatever clock the rules run on.
        verify(self.config["PAYMENT_WEBHOOK_SECRET"], signature, raw, now=time.time())
        try:
            event = json.loads(raw)
            event_id, payment = str(event["id"]), event["data"]
            payment_id, claimed = str(payment["id"]), str(payment["status"])
        except (ValueError, KeyError, TypeError):
            raise DomainError("bad_request", "malformed_event",
                              "The event is not a payment event.") from None
        now = self.clock()
        with self.db() as uow:
            session = uow.session
            found = session.execute(sa.select(models.Contribution.id).where(
                models.Contribution.payment_id == payment_id)).scalar()
            if found is None:
                raise not_found("payment", payment_id)
            if not insert_ignoring_duplicate(session, models.ProviderEvent.__table__, {
                    "event_id": event_id, "payment_id": payment_id,
                    "type": str(event.get("type", ""))[:50], "received_at": now}):
                return {"received": True, "applied": False}
            # Asked before the campaign's lock is taken. A provider that does not
            # answer rolls back: the event is answered 503 and delivered again.
            payment = self.payments.get_payment(payment_id)
            campaign, contribution = settlement.lock(session, found)
            applied = reconciliation.heed_provider(
                uow, campaign, contribution, payment, now, self.payments,
                source="webhook", claimed=claimed, event_id=event_id)
        return {"received": True, "applied": applied}

    @rpc
    def withdraw(self, contribution_id, account_id):
        """One click in the reflection period: the investment ends, nothing is charged."""
        now = self.clock()
        with self.db() as uow:
            campaign, contribution = settlement.lock(uow.session, contribution_id)
            _own(contribution, account_id)
            if campaign.kind not in rules.INVESTMENT_KINDS:
                raise conflict("not_an_investment", "Only an investment has a reflection "
                               "period to withdraw in.")
            investors.check_withdrawal(contribution.created_at, now)
            if contribution.status not in (PENDING, AUTHORIZED):
                raise conflict("contribution_wrong_status", "This investment has already "
                               "ended.", status=contribution.status)
            settlement.give_back(uow, campaign, contribution, now, self.payments, "withdrawn")
            return contribution_view(contribution, campaign.kind)

    @rpc
    def decide_subscription(self, contribution_id, payload, by):
        """The cooperative's board approves a share subscription (a new member, the
        first time this person subscribes) or declines it (refunded)."""
        decision = load(schemas.BoardDecision(), payload)["decision"]
        now = self.clock()
        with self.db() as uow:
            campaign, contribution = settlement.lock(uow.session, contribution_id)
            if campaign.kind != rules.SHARES:
                raise conflict("not_a_subscription", "Only cooperative shares go to the board.")
            if contribution.board_decision is not None or not contribution.counted:
                raise conflict("subscription_not_open", "The board decides once, on a "
                               "subscription past its reflection period.",
                               board_decision=contribution.board_decision)
            contribution.board_decision = decision
            new_member = decision == "approved" and not _approved_before(uow.session,
                                                                         contribution)
            if new_member:
                campaign.new_members += 1
            uow.emit(schemas.SUBSCRIPTION_DECIDED, {
                "contribution_id": contribution.id, "campaign_id": campaign.id,
                "project_id": campaign.project_id, "amount_cents": contribution.amount_cents,
                "decision": decision, "new_member": new_member})
            if decision == "declined":
                settlement.give_back(uow, campaign, contribution, now, self.payments,
                                     "declined")
            return contribution_view(contribution, campaign.kind)

    # --- the clock: holds, maturities, deadlines -------------------------------------

    @timer(interval=Settings().funding_clock_seconds)
    def tick(self):
        """Every replica ticks; row locks taken with SKIP LOCKED and a status check
        after each lock make each move happen once."""
        now = self.clock()
        for contribution_id, payment_id in self._claim_provider_checks(now):
            self._check_with_provider(contribution_id, payment_id, now)
        for contribution_id in self._due_contributions(now):
            self._settle_one(contribution_id, now)
        for campaign_id in self._due_campaigns(now):
            self._decide(campaign_id, now)
        for campaign_id in self._settled_campaigns():
            self._close(campaign_id, now)

    def _settle_one(self, contribution_id, now):
        try:
            with self.db() as uow:
                campaign, contribution = settlement.lock(uow.session, contribution_id)
                if contribution.status == PENDING:
                    if contribution.hold_expires_at <= now:
                        settlement.expire(uow, campaign, contribution, now, self.payments)
                else:
                    settlement.settle(uow, campaign, contribution, now, self.payments)
        except DomainError:
            pass  # the provider did not answer: the next tick tries again

    def _claim_provider_checks(self, now):
        with self.db() as uow:
            return reconciliation.claim_checks(uow.session, now,
                                               self.config["PAYMENT_RECONCILE_AFTER_SECONDS"],
                                               self.config["PAYMENT_RECONCILE_BATCH"])

    def _check_with_provider(self, contribution_id, payment_id, now):
        """Ask the provider about a payment waiting too long, and settle it as its
        webhook would have."""
        try:
            payment = self.payments.get_payment(payment_id)  # before the campaign's lock
            with self.db() as uow:
                campaign, contribution = settlement.lock(uow.session, contribution_id)
                if contribution.status in reconciliation.WAITING:
                    reconciliation.heed_provider(uow, campaign, contribution, payment, now,
                                                 self.payments, source="clock")
        except DomainError as error:
            log.warning("payment check failed", extra={
                "contribution_id": contribution_id, "code": error.code})

    def _decide(self, campaign_id, now):
        try:
            with self.db() as uow:
                self._decide_locked(uow, campaign_id, now)
        except DomainError:
            pass  # the provider did not answer a give-back: the next tick tries again

    def _decide_locked(self, uow, campaign_id, now):
        session = uow.session
        campaign = _locked_campaign(session, campaign_id, skip_locked=True)
        if campaign is None:
            return
        # Only share subscriptions go to the board: other campaigns wait for no one.
        undecided = self._undecided_subscriptions(session, campaign.id) \
            if campaign.kind == rules.SHARES else ()
        if not rules.ready_to_decide(campaign, now, self._still_open(session, campaign.id, now),
                                     undecided, self.config["BOARD_DECISION_DAYS"]):
            return
        for contribution in _contributions(session, campaign.id, (AUTHORIZED, CAPTURED)):
            if rules.counts_at_decision(campaign, contribution.board_decision):
                settlement.recount(uow, campaign, contribution, now)
            else:  # the board did not approve it in its time: no shares, money back
                settlement.give_back(uow, campaign, contribution, now, self.payments,
                                     "not_approved")
        campaign.status = rules.outcome(campaign)
        campaign.decided_at = now
        uow.emit(schemas.CAMPAIGN_SUCCEEDED if campaign.status == rules.SUCCEEDED
                 else schemas.CAMPAIGN_FAILED, {
                     "campaign_id": campaign.id, "project_id": campaign.project_id,
                     "kind": campaign.kind, "model": campaign.model,
                     "goal_cents": campaign.goal_cents,
                     "raised_cents": campaign.raised_cents,
                     "matched_cents": campaign.matched_cents,
                     "contributions_count": campaign.contributions_count,
                     "new_members": campaign.new_members, "decided_at": now.isoformat()})

    def _close(self, campaign_id, now):
        with self.db() as uow:
            campaign = _locked_campaign(uow.session, campaign_id, skip_locked=True)
            if campaign is None or campaign.status not in (rules.SUCCEEDED, rules.FAILED) \
                    or self._unsettled(uow.session, campaign):
                return
            status_before, campaign.status, campaign.closed_at = (
                campaign.status, rules.CLOSED, now)
            uow.emit(schemas.CAMPAIGN_CLOSED, {
                "campaign_id": campaign.id, "project_id": campaign.project_id,
                "status_before": status_before, "raised_cents": campaign.raised_cents,
                "refunded_cents": campaign.refunded_cents, "closed_at": now.isoformat()})

    # --- investors -------------------------------------------------------------------

    @rpc
    def knowledge_test(self):
        return {"questions": investors.knowledge_test_questions(),
                "risk_warning": investors.RISK_WARNING_FR}

    @rpc
    def take_knowledge_test(self, account_id, payload):
        """Graded under the profile's lock: concurrent attempts count one after the
        other, so the limit of failures holds."""
        answers = load(schemas.KnowledgeTestAnswers(), payload)["answers"]
        now = self.clock()
        with self.db() as uow:
            profile = _investor_profile(uow.session, account_id)
            failures = _failures(profile)
            investors.check_knowledge_test_allowed(failures, now)
            result = investors.grade_knowledge_test(answers)
            profile.knowledge_test_score = result["score"]
            if result["passed"]:
                profile.knowledge_test_passed_at = now
            profile.knowledge_test_failures = [
                at.isoformat() for at in investors.failures_after(failures, result, now)]
            return {**result, "profile": self._profile_view(profile, now)}

    @rpc
    def simulate_loss(self, account_id, payload):
        net_worth = load(schemas.LossSimulationInput(), payload)["net_worth_cents"]
        now = self.clock()
        with self.db() as uow:
            profile = _investor_profile(uow.session, account_id)
            profile.net_worth_cents = net_worth
            profile.loss_capacity_cents = investors.loss_capacity_cents(net_worth)
            profile.loss_simulated_at = now
            return self._profile_view(profile, now)

    @rpc
    def get_investor_profile(self, account_id):
        with self.db.read() as session:
            profile = session.get(models.InvestorProfile, account_id) or \
                models.InvestorProfile(account_id=account_id, sophisticated=False)
            return self._profile_view(profile, self.clock())

    def _profile_view(self, profile, now):
        passed = profile.knowledge_test_passed_at
        return schemas.InvestorProfile().dump({
            "account_id": profile.account_id, "sophisticated": bool(profile.sophisticated),
            "knowledge_test_passed_at": passed,
            "knowledge_test_valid": bool(passed and investors.knowledge_test_valid(passed, now)),
            "knowledge_test_attempts_left":
                investors.knowledge_test_attempts_left(_failures(profile), now),
            "knowledge_test_retry_at": investors.knowledge_test_retry_at(_failures(profile), now),
            "net_worth_cents": profile.net_worth_cents,
            "loss_capacity_cents": profile.loss_capacity_cents,
            "large_investment_threshold_cents":
                None if profile.net_worth_cents is None
                else investors.large_investment_threshold_cents(profile.net_worth_cents),
            "loss_simulated_at": profile.loss_simulated_at})

    # --- beneficiaries and receipts --------------------------------------------------

    @rpc
    def set_beneficiary(self, organisation_id, payload):
        """How an organisation receives money. One whose donors get receipts names who
        signs them: a receipt is never issued unsigned."""
        data = load(schemas.BeneficiaryInput(), payload)
        errors = receipts.beneficiary_errors(data)
        if errors:
            raise invalid(errors, "An organisation that issues tax receipts names their "
                          "signatory.")
        values = {"organisation_id": str(organisation_id), **data, "updated_at": self.clock()}
        with self.db() as uow:
            table = models.Beneficiary.__table__
            uow.session.execute(upsertable_insert(uow.session, table).values(**values)
                                .on_conflict_do_update(index_elements=["organisation_id"],
                                                       set_=values))
        return schemas.Beneficiary().dump(values)

    @rpc
    def receipt_pdf(self, contribution_id, viewer):
        """The receipt of a donation, as PDF bytes in base64 (they cross RPC as text);
        marked ANNULÉ once the donation was refunded."""
        with self.db.read() as session:
            contribution = get_or_not_found(session, models.Contribution, contribution_id,
                                            "contribution")
            _own(contribution, viewer["account_id"], staff=viewer["staff"])
            receipt = session.execute(sa.select(models.Receipt).where(
                models.Receipt.contribution_id == contribution.id)).scalar()
            if receipt is None:
                raise not_found("receipt", contribution_id)
            return base64.b64encode(render_receipt_pdf(receipt.document,
                                                       receipt.cancellation)).decode()

    # --- other resources -------------------------------------------------------------

    @rpc
    def record_resource(self, payload, by):
        values = resources.new_resource(load(schemas.RecordResource(), payload), by)
        with self.db() as uow:
            resource = models.Resource(**values, created_at=self.clock())
            uow.session.add(resource)
            uow.emit(schemas.RESOURCE_RECORDED, {
                "resource_id": resource.id, **{name: values[name] for name in (
                    "kind", "amount_cents", "year", "project_id", "funder", "funder_type",
                    "programme")}})
            return schemas.Resource().dump(resource)

    @rpc
    def record_volunteering(self, payload, by):
        values = resources.new_volunteering(load(schemas.RecordVolunteering(), payload),
                                            self.config["VOLUNTEER_HOUR_VALUE_CENTS"], by,
                                            local_date(self.clock()))
        with self.db() as uow:
            volunteering = models.Volunteering(**values, created_at=self.clock())
            uow.session.add(volunteering)
            uow.emit(schemas.VOLUNTEERING_RECORDED, {
                "volunteering_id": volunteering.id, "year": values["done_on"].year,
                "done_on": values["done_on"].isoformat(), **{name: values[name] for name in (
                    "hours_hundredths", "activity", "project_id", "hour_value_cents",
                    "valued_cents")}})
            return schemas.Volunteering().dump(volunteering)

    # --- questions -------------------------------------------------------------------

    @rpc
    def ask_question(self, campaign_id, payload, asker):
        """`asker`: the signed-in account asking (the gateway's actor)."""
        data = load(schemas.AskQuestion(), payload)
        with self.db() as uow:
            campaign = seen_campaign(uow.session, campaign_id, rules.sight(asker))
            values = questions.new_question(data, campaign.status, asker["account_id"],
                                            self.clock())
            question = models.Question(id=_uuid(), campaign_id=campaign.id, **values)
            uow.session.add(question)
            uow.emit(schemas.QUESTION_ASKED, {
                "question_id": question.id, "campaign_id": campaign.id,
                "account_id": question.account_id, "asked_at": question.asked_at.isoformat()})
            return schemas.Question().dump(question)

    @rpc
    def answer_question(self, question_id, payload, actor):
        """The carrier's or the team's answer, once (the question's row locked)."""
        data = load(schemas.AnswerQuestion(), payload)
        reader = rules.sight(actor)
        with self.db() as uow:
            question = uow.session.get(models.Question, str(question_id), with_for_update=True)
            if question is None:
                raise not_found("question", question_id)
            campaign = seen_campaign(uow.session, question.campaign_id, reader)
            answered_by = questions.answerer(reader,
                                             carrier_of(uow.session, campaign.project_id))
            questions.check_unanswered(question.answered_at)
            question.answer, question.answered_by = data["answer"].strip(), answered_by
            question.answered_by_account_id = actor["account_id"]
            question.answered_at = self.clock()
            uow.emit(schemas.QUESTION_ANSWERED, {
                "question_id": question.id, "campaign_id": campaign.id,
                "account_id": question.account_id, "answered_by": answered_by,
                "answered_at": question.answered_at.isoformat(),
                "campaign_title": campaign.title, "question": question.body,
                "answer": question.answer})
            return schemas.Question().dump(question)

    # --- helpers that read ----------------------------------------------------------

    def _project(self, project_id):
        """From the local copy; when the event has not arrived yet, from projects itself."""
        with self.db.read() as session:
            known = session.get(models.KnownProject, project_id)
            if known is not None:
                return {"title": known.title,
                        "carrier_organisation_id": known.carrier_organisation_id,
                        "commune": known.commune, "field": known.field,
                        "territory": known.territory}
        project = fetch_or_none(self.projects.get_project, project_id,
                                timeout=self.config["RPC_TIMEOUT"])
        if project is None:
            raise invalid({"project_id": ["No project with this id."]})
        return project


def _uuid():
    return str(uuid.uuid4())


# Built once, not per call: a marshmallow schema's construction copies its fields, and
# the Core INSERT is compiled once (its values are bound parameters).
_CONTRIBUTE = schemas.Contribute()
_CONTRIBUTIONS = models.Contribution.__table__


def _remember_project(session, project_id, project):
    """From the event or from projects' own answer: the same fields either way."""
    carrier = project.get("carrier_organisation_id")
    insert_ignoring_duplicate(session, models.KnownProject.__table__, {
        "id": project_id, "title": project["title"],
        "carrier_organisation_id": str(carrier) if carrier else None,
        **{name: project.get(name) for name in ("commune", "field", "territory")}})


def _add_rewards(session, campaign_id, rewards):
    for position, reward in enumerate(rewards):
        session.add(models.Reward(id=_uuid(), campaign_id=campaign_id, taken=0,
                                  position=position, **reward))


def _campaign_fact(campaign) -> dict:
    """What campaign_created and campaign_edited say of a campaign."""
    return {"campaign_id": campaign.id, "project_id": campaign.project_id,
            "title": campaign.title, "kind": campaign.kind, "model": campaign.model,
            "goal_cents": campaign.goal_cents, "cap_cents": campaign.cap_cents,
            "people_goal": campaign.people_goal, "matchfunder": campaign.matchfunder,
            "starts_at": campaign.starts_at.isoformat(),
            "deadline": campaign.deadline.isoformat()}


REWARD_INPUT = ("title", "description", "min_amount_cents", "stock", "estimated_delivery",
                "handover")


def _campaign_input(session, campaign) -> dict:
    """A campaign as its authors' input (CreateCampaign's fields), for an edit to be
    checked on the whole of it (rules.edited_campaign)."""
    rewards = session.execute(sa.select(models.Reward).where(
        models.Reward.campaign_id == campaign.id).order_by(models.Reward.position)).scalars()
    return {
        "title": campaign.title, "description": campaign.description, "kind": campaign.kind,
        "model": campaign.model, "goal_cents": campaign.goal_cents,
        "optimum_cents": campaign.optimum_cents, "cap_cents": campaign.cap_cents,
        "people_goal": campaign.people_goal,
        "min_contribution_cents": campaign.min_contribution_cents,
        "starts_at": campaign.starts_at, "deadline": campaign.deadline,
        "rewards": [{name: getattr(reward, name) for name in REWARD_INPUT}
                    for reward in rewards],
        "matchfunding": None if campaign.matchfunder is None else {
            "funder": campaign.matchfunder,
            "per_contribution_cap_cents": campaign.match_per_contribution_cents,
            "per_contributor_cap_cents": campaign.match_per_contributor_cents,
            "total_cap_cents": campaign.match_total_cents},
        "key_information": campaign.key_information,
    }


def _receipt_donor(session, campaign, wanted):
    """The donor's legal identity for a receipt (domain.receipts.receipt_donor), None
    when none is asked for; refused for a gift its beneficiary cannot receipt."""
    if wanted is None:
        return None
    try:
        donor = receipts.receipt_donor(wanted)
    except DomainError as error:
        raise invalid({f"tax_receipt.{name}": messages for name, messages
                       in error.details["fields"].items()}, error.message) from None
    if campaign.kind != rules.DONATION or not receipts.can_issue(
            settlement.beneficiary_of(session, campaign)):
        raise invalid({"tax_receipt": ["No tax receipt can be issued for this campaign: "
                                       "only a donation to an organisation that issues them."]})
    return donor


def _locked_campaign(session, campaign_id, skip_locked=False):
    """The campaign, row-locked until commit: its totals change one writer at a time.
    With `skip_locked`, None when another worker holds it (the clock moves on). The lock
    is FOR NO KEY UPDATE: writers still take turns, while a new contribution's foreign
    key check (KEY SHARE) need not wait for them."""
    if not skip_locked:
        return get_or_not_found(session, models.Campaign, campaign_id, "campaign",
                                for_update=settlement.CAMPAIGN_LOCK)
    return session.execute(sa.select(models.Campaign).where(models.Campaign.id == campaign_id)
                           .with_for_update(skip_locked=True, key_share=True)
                           .execution_options(populate_existing=True)).scalar()


def _contributions(session, campaign_id, statuses):
    return session.execute(sa.select(models.Contribution).where(
        models.Contribution.campaign_id == campaign_id,
        models.Contribution.status.in_(statuses)).with_for_update()).scalars().all()


def _own(contribution, account_id, staff=False):
    if not staff and contribution.contributor_account_id != account_id:
        raise not_found("contribution", contribution.id)  # others' ids reveal nothing


def _approved_before(session, contribution) -> bool:
    Contribution = models.Contribution
    return session.execute(sa.select(sa.func.count()).where(
        Contribution.campaign_id == contribution.campaign_id,
        Contribution.contributor_account_id == contribution.contributor_account_id,
        Contribution.board_decision == "approved",
        Contribution.id != contribution.id)).scalar_one() > 0


def _investor_profile(session, account_id):
    profile = session.get(models.InvestorProfile, account_id, with_for_update=True)
    if profile is None:
        insert_ignoring_duplicate(session, models.InvestorProfile.__table__,
                                  {"account_id": account_id, "sophisticated": False})
        profile = session.get(models.InvestorProfile, account_id, with_for_update=True)
    return profile


def _failures(profile) -> list:
    return [datetime.fromisoformat(at) for at in profile.knowledge_test_failures or ()]


def _profile_facts(profile) -> dict:
    if profile is None:
        return {"sophisticated": False, "knowledge_test_passed_at": None,
                "net_worth_cents": None, "loss_simulated_at": None}
    return {"sophisticated": profile.sophisticated,
            "knowledge_test_passed_at": profile.knowledge_test_passed_at,
            "net_worth_cents": profile.net_worth_cents,
            "loss_simulated_at": profile.loss_simulated_at}
