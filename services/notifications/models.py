"""Notifications' tables: what it learnt from other services' events (only what a mail
needs: ids, amounts, dates, titles; never an address), and the mails themselves.

Each fact a mail tells has one row in `messages`, under a key naming the fact
("contribution_confirmed:<contribution id>"), claimed in the same transaction as the
event's inbox row: an event delivered twice, or two events telling one fact, make one
mail.
"""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from shared.messaging import service_base
from shared.sqltypes import StringList, UtcDateTime

Base, messaging = service_base()
metadata = Base.metadata
Id = sa.String(36)

PENDING, SENT, CANCELLED, FAILED = "pending", "sent", "cancelled", "failed"


class Account(Base):
    """From members.account_created and members.person_erased. The address is asked of
    members when a mail goes (never kept here); an erased account gets no more mail."""

    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    organisation_id: Mapped[str | None] = mapped_column(Id, index=True)
    roles: Mapped[list] = mapped_column(StringList(200), default=list)
    erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Organisation(Base):
    """Its name, for the dues mail; also the row that membership and account writers
    lock first, so that neither misses the other (see records.py)."""

    __tablename__ = "organisations"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    name: Mapped[str | None] = mapped_column(sa.String(200))
    version: Mapped[int | None] = mapped_column(sa.Integer)  # of its name; None: not heard


class Membership(Base):
    __tablename__ = "memberships"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    organisation_id: Mapped[str] = mapped_column(Id, index=True)
    year: Mapped[int] = mapped_column(sa.Integer)
    dues_cents: Mapped[int | None] = mapped_column(sa.Integer)
    paid_cents: Mapped[int] = mapped_column(sa.Integer, default=0)
    status: Mapped[str | None] = mapped_column(sa.String(20))
    activated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Campaign(Base):
    """From funding's campaign events; the row contribution writers lock first."""

    __tablename__ = "campaigns"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    # Its project: the project's news goes to the campaign's contributors.
    project_id: Mapped[str | None] = mapped_column(Id, index=True)
    title: Mapped[str | None] = mapped_column(sa.String(200))
    deadline: Mapped[datetime | None] = mapped_column(UtcDateTime)
    outcome: Mapped[str | None] = mapped_column(sa.String(20))  # succeeded | failed
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    raised_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    # The campaign's version its title, project and deadline are from (1: its creation;
    # funding.campaign_edited then); None: neither heard yet.
    version: Mapped[int | None] = mapped_column(sa.Integer)


class Contribution(Base):
    """What funding's contribution events said of one contribution, merged: they may
    come in any order, so each field is kept once known."""

    __tablename__ = "contributions"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    # Unknown while only its receipt was heard of (the receipt event names neither).
    campaign_id: Mapped[str | None] = mapped_column(Id, index=True)
    account_id: Mapped[str | None] = mapped_column(Id, index=True)
    kind: Mapped[str | None] = mapped_column(sa.String(20))
    model: Mapped[str | None] = mapped_column(sa.String(20))
    amount_cents: Mapped[int] = mapped_column(sa.Integer)
    status_when_confirmed: Mapped[str | None] = mapped_column(sa.String(20))
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    matched_cents: Mapped[int] = mapped_column(sa.Integer, default=0)
    reflection_ends_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended: Mapped[str | None] = mapped_column(sa.String(20))  # cancelled | failed | refunded
    ended_reason: Mapped[str | None] = mapped_column(sa.String(40))
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    receipt_number: Mapped[str | None] = mapped_column(sa.String(40))
    reward_title: Mapped[str | None] = mapped_column(sa.String(200))  # the reward chosen


class Message(Base):
    """One mail per fact. `next_attempt_at` is when it may go next: its due time at
    first, then a lease while a sender holds it, then the backoff after a failure."""

    __tablename__ = "messages"
    __table_args__ = (
        sa.Index("ix_messages_pending", "next_attempt_at",
                 postgresql_where=sa.text("status = 'pending'"),
                 sqlite_where=sa.text("status = 'pending'")),
    )

    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    account_id: Mapped[str] = mapped_column(Id, index=True)
    subject: Mapped[str] = mapped_column(sa.String(300))
    text_body: Mapped[str] = mapped_column(sa.Text)
    html_body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
