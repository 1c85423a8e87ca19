"""Notifications: the mails people expect, in French, once per fact (a project's news
too, once to each contributor of its campaigns).

Its handlers only learn and write (each mail in the event's own transaction, under the
fact's key); a timer sends what is due afterwards, asking members for the address at
that moment (see postman.py).
"""
import smtplib
from datetime import timedelta

import sqlalchemy as sa
from nameko.timer import timer

from services.funding.schemas import (
    CAMPAIGN_CREATED,
    CAMPAIGN_EDITED,
    CAMPAIGN_FAILED,
    CAMPAIGN_SUCCEEDED,
    CONTRIBUTION_AUTHORIZED,
    CONTRIBUTION_CANCELLED,
    CONTRIBUTION_CONFIRMED,
    CONTRIBUTION_FAILED,
    CONTRIBUTION_REFUNDED,
    QUESTION_ANSWERED,
    RECEIPT_ISSUED,
)
from services.members.domain.memberships import renewal_start
from services.members.schemas import (
    ACCOUNT_CREATED,
    ADDRESS_ALREADY_REGISTERED,
    DUES_PAID,
    EMAIL_CHANGED,
    EMAIL_CONFIRMATION_REQUESTED,
    MEMBERSHIP_APPLIED,
    MEMBERSHIP_RENEWED,
    MEMBERSHIP_STATUS_CHANGED,
    ORGANISATION_REGISTERED,
    ORGANISATION_UPDATED,
    PASSWORD_RESET_REQUESTED,
    PERSON_ERASED,
)
from services.notifications import models, postman, records, schemas
from services.notifications.domain import letters
from services.projects.schemas import NEWS_PUBLISHED
from shared.config import Settings
from shared.errors import DomainError
from shared.inbox import subscribe
from shared.pagination import PageQuery
from shared.rpc import RpcProxy, fetch_or_none, rpc
from shared.schemas import load
from shared.service import Clock, Database, ServiceBase


class NotificationsService(ServiceBase):
    name = "notifications"
    db = Database(models.messaging)
    clock = Clock()
    members = RpcProxy("members")

    # --- funding: contributions and campaigns ----------------------------------------

    @subscribe("funding", "campaign_created")
    def campaign_created(self, uow, envelope):
        self._described(uow, CAMPAIGN_CREATED.read(envelope["data"]), 1)

    @subscribe("funding", "campaign_edited")
    def campaign_edited(self, uow, envelope):
        """A campaign renamed before it is published: its mails name it as it is now."""
        data = CAMPAIGN_EDITED.read(envelope["data"])
        self._described(uow, data, data["version"])

    def _described(self, uow, data, version):
        records.campaign_described(uow.session, str(data["campaign_id"]), {
            "project_id": str(data["project_id"]), "title": data["title"],
            "deadline": data["deadline"]}, version)

    @subscribe("funding", "campaign_succeeded")
    def campaign_succeeded(self, uow, envelope):
        self._decided(uow, CAMPAIGN_SUCCEEDED.read(envelope["data"]), "succeeded")

    @subscribe("funding", "campaign_failed")
    def campaign_failed(self, uow, envelope):
        self._decided(uow, CAMPAIGN_FAILED.read(envelope["data"]), "failed")

    def _decided(self, uow, data, outcome):
        records.campaign_heard(uow.session, str(data["campaign_id"]), {
            "outcome": outcome, "raised_cents": data["raised_cents"],
            "decided_at": data["decided_at"]}, self.clock(), self._public_url)

    @subscribe("funding", "contribution_authorized")
    def contribution_authorized(self, uow, envelope):
        """Starts an investment's reflection period (its reminder is written now)."""
        data = CONTRIBUTION_AUTHORIZED.read(envelope["data"])
        self._contribution(uow, data, {"reflection_ends_at": data["reflection_ends_at"]})

    @subscribe("funding", "contribution_confirmed")
    def contribution_confirmed(self, uow, envelope):
        data = CONTRIBUTION_CONFIRMED.read(envelope["data"])
        self._contribution(uow, data, {
            "confirmed_at": data["confirmed_at"], "status_when_confirmed": data["status"],
            "matched_cents": data["matched_cents"]})

    @subscribe("funding", "contribution_refunded")
    def contribution_refunded(self, uow, envelope):
        self._ended(uow, CONTRIBUTION_REFUNDED.read(envelope["data"]))

    @subscribe("funding", "contribution_cancelled")
    def contribution_cancelled(self, uow, envelope):
        self._ended(uow, CONTRIBUTION_CANCELLED.read(envelope["data"]))

    @subscribe("funding", "contribution_failed")
    def contribution_failed(self, uow, envelope):
        self._ended(uow, CONTRIBUTION_FAILED.read(envelope["data"]))

    def _ended(self, uow, data):
        self._contribution(uow, data, {"ended": data["status"], "ended_reason": data["reason"],
                                       "ended_at": data["at"]})

    @subscribe("funding", "receipt_issued")
    def receipt_issued(self, uow, envelope):
        data = RECEIPT_ISSUED.read(envelope["data"])
        records.receipt_heard(uow.session, str(data["contribution_id"]), data["number"],
                              data["amount_cents"], self.clock(), self._public_url)

    def _contribution(self, uow, data, values):
        records.contribution_heard(uow.session, data, values, self.clock(), self._public_url)

    @subscribe("funding", "question_answered")
    def question_answered(self, uow, envelope):
        """Its answer, to who asked the question (v1 carried no text: nothing to mail)."""
        if envelope.get("version", 1) < 2:
            return
        records.question_answered_heard(uow.session, QUESTION_ANSWERED.read(envelope["data"]),
                                        self.clock(), self._public_url)

    # --- projects: news for its contributors -------------------------------------------

    @subscribe("projects", "news_published")
    def news_published(self, uow, envelope):
        records.news_heard(uow.session, NEWS_PUBLISHED.read(envelope["data"]), self.clock(),
                           self._public_url)

    # --- members: accounts, privacy, memberships ---------------------------------------

    @subscribe("members", "account_created")
    def account_created(self, uow, envelope):
        data = ACCOUNT_CREATED.read(envelope["data"])
        organisation = str(data["organisation_id"]) if data["organisation_id"] else None
        records.account_heard(uow.session, str(data["account_id"]), organisation,
                              data["roles"], self.clock(), self._grace)

    @subscribe("members", "password_reset_requested")
    def password_reset_requested(self, uow, envelope):
        data = PASSWORD_RESET_REQUESTED.read(envelope["data"])
        records.password_reset_heard(uow.session, str(data["reset_id"]), str(data["account_id"]),
                                     data["expires_at"], self.clock())

    @subscribe("members", "email_confirmation_requested")
    def email_confirmation_requested(self, uow, envelope):
        data = EMAIL_CONFIRMATION_REQUESTED.read(envelope["data"])
        records.email_confirmation_heard(uow.session, str(data["token_id"]),
                                         str(data["account_id"]), data["purpose"],
                                         data["expires_at"], self.clock())

    @subscribe("members", "address_already_registered")
    def address_already_registered(self, uow, envelope):
        data = ADDRESS_ALREADY_REGISTERED.read(envelope["data"])
        records.address_already_registered_heard(uow.session, str(data["notice_id"]),
                                                 str(data["account_id"]), self._public_url,
                                                 self.clock())

    @subscribe("members", "email_changed")
    def email_changed(self, uow, envelope):
        data = EMAIL_CHANGED.read(envelope["data"])
        records.email_changed_heard(uow.session, str(data["change_id"]),
                                    str(data["account_id"]), self.clock())

    @subscribe("members", "person_erased")
    def person_erased(self, uow, envelope):
        data = PERSON_ERASED.read(envelope["data"])
        records.person_erased(uow.session, [str(a) for a in data["account_ids"]], self.clock())

    @subscribe("members", "organisation_registered")
    def organisation_registered(self, uow, envelope):
        data = ORGANISATION_REGISTERED.read(envelope["data"])
        records.organisation_heard(uow.session, str(data["organisation_id"]), data["name"])

    @subscribe("members", "organisation_updated")
    def organisation_updated(self, uow, envelope):
        """A renamed organisation's dues mails name it as it is now."""
        data = ORGANISATION_UPDATED.read(envelope["data"])
        records.organisation_heard(uow.session, str(data["organisation_id"]), data["name"],
                                   data["version"])

    @subscribe("members", "membership_applied")
    def membership_applied(self, uow, envelope):
        data = MEMBERSHIP_APPLIED.read(envelope["data"])
        self._membership(uow, data, {"dues_cents": data["dues_cents"], "status": "applied"})

    @subscribe("members", "membership_renewed")
    def membership_renewed(self, uow, envelope):
        """A renewal calls the next year's dues: the membership is active from January."""
        data = MEMBERSHIP_RENEWED.read(envelope["data"])
        self._membership(uow, data, {"dues_cents": data["dues_cents"], "status": "active",
                                     "activated_at": renewal_start(data["year"])})

    @subscribe("members", "membership_status_changed")
    def membership_status_changed(self, uow, envelope):
        """An approval calls the dues, from that day; a lapse or resignation stops them."""
        data = MEMBERSHIP_STATUS_CHANGED.read(envelope["data"])
        values = {"status": data["to_status"]}
        if data["to_status"] == "active" and data["from_status"] == "applied":
            values["activated_at"] = data["changed_at"]
        self._membership(uow, data, values)

    @subscribe("members", "dues_paid")
    def dues_paid(self, uow, envelope):
        data = DUES_PAID.read(envelope["data"])
        self._membership(uow, data, {}, paid_cents=data["amount_cents"])

    def _membership(self, uow, data, values, paid_cents=0):
        records.membership_heard(uow.session, str(data["organisation_id"]),
                                 str(data["membership_id"]), {"year": data["year"], **values},
                                 self.clock(), self._grace, paid_cents=paid_cents)

    # --- sending -------------------------------------------------------------------------

    @timer(interval=Settings().mail_send_seconds)
    def send_due(self):
        """Send the mails due. A transient failure (SMTP server or members away) ends the
        batch: the mails not tried go back as they were, to be taken next time."""
        with self.db() as uow:
            mails = postman.take_due(uow.session, self.clock())
        smtp, sent = postman.Smtp(self.config), 0
        try:
            for position, mail in enumerate(mails):
                try:
                    mail, to = self._completed(mail)
                    smtp.send(postman.compose(mail, self.config["SMTP_FROM"],
                                              to or self._address(mail["account_id"])))
                except postman.Undeliverable as error:
                    self._mark(postman.mark_failed, mail, error, permanent=True)
                except (DomainError, smtplib.SMTPException, OSError) as error:
                    self._mark(postman.mark_failed, mail, error)
                    self._put_back(mails[position + 1:])
                    break
                else:
                    self._mark(postman.mark_sent, mail["key"])
                    sent += 1
        finally:
            smtp.close()
        return sent

    def _address(self, account_id):
        """Asked of members at sending time, never kept here: the address is always the
        current one, and an erased account has none left to leak."""
        account = fetch_or_none(self.members.get_account, account_id,
                                timeout=self.config["RPC_TIMEOUT"])
        if account is None:
            raise postman.Undeliverable(f"members knows no account {account_id}")
        return account["email"]

    def _completed(self, mail):
        """The mail as it goes, and its address when it is not the account's. A password
        reset's mail, or an address's confirmation, gets its link now, from members: the
        token is never in an event nor in this service's tables (see
        docs/architecture.md); so does the address a confirmation goes to (a move's new
        one) and the address an account left (its notice)."""
        fact_id = mail["key"].partition(":")[2]
        if mail["kind"] == "password_reset":
            link = self._ask(self.members.password_reset_link, fact_id, "password reset")
            return letters.with_secret_link(mail, letters.reset_link(self._public_url,
                                                                     link["token"])), None
        if mail["kind"] == records.EMAIL_CONFIRMATION:
            link = self._ask(self.members.email_token_link, fact_id, "address confirmation")
            return letters.with_secret_link(mail, letters.confirm_link(
                self._public_url, link["token"])), link["to"]
        if mail["kind"] == records.EMAIL_CHANGED:
            return mail, self._ask(self.members.email_change_notice, fact_id,
                                   "address change")["to"]
        return mail, None

    def _ask(self, method, fact_id, what):
        answer = fetch_or_none(method, fact_id, timeout=self.config["RPC_TIMEOUT"])
        if answer is None:
            raise postman.Undeliverable(f"{what} {fact_id} has ended")
        return answer

    def _mark(self, mark, *args, **kwargs):
        with self.db() as uow:
            mark(uow.session, *args, now=self.clock(), **kwargs)

    def _put_back(self, mails):
        if mails:
            with self.db() as uow:
                postman.put_back(uow.session, [mail["key"] for mail in mails], self.clock())

    @rpc
    def mail_counts(self):
        Message = models.Message
        with self.db.read() as session:
            counts = dict(session.execute(sa.select(Message.status, sa.func.count())
                                          .group_by(Message.status)).all())
            oldest = session.scalar(sa.select(sa.func.min(Message.created_at))
                                    .where(Message.status == models.PENDING))
        return schemas.MailCounts().dump({**{status: counts.get(status, 0) for status in (
            models.PENDING, models.SENT, models.CANCELLED, models.FAILED)},
            "oldest_pending_at": oldest})

    @rpc
    def list_account_mails(self, account_id, query):
        """The mails written to an account (its person's data: "Mes données"), oldest
        first: subject, kind, status, when; none once the person is erased."""
        params = load(PageQuery(), query)
        with self.db.read() as session:
            return records.mails_of(session, str(account_id), params,
                                    schemas.PersonMail().dump)

    @property
    def _public_url(self):
        return self.config["PUBLIC_URL"]

    @property
    def _grace(self):
        return timedelta(days=self.config["DUES_GRACE_DAYS"])
