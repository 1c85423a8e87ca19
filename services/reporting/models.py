"""Reporting's tables: the archive of every event, and the projections built from it."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from shared.messaging import service_base
from shared.sqltypes import UtcDateTime

SUMMARY_ID = "platform"


Base, messaging = service_base()
metadata = Base.metadata


class ArchivedEvent(Base):
    __tablename__ = "event_archive"

    event_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(100), index=True)
    version: Mapped[int] = mapped_column(sa.Integer)
    source: Mapped[str] = mapped_column(sa.String(50))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    correlation_id: Mapped[str | None] = mapped_column(sa.String(64))
    data: Mapped[str] = mapped_column(sa.Text)
    archived_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Summary(Base):
    """One row: the platform's headline figures."""

    __tablename__ = "summary"

    id: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    organisations: Mapped[int] = mapped_column(sa.Integer)
    projects: Mapped[int] = mapped_column(sa.Integer)
    campaigns: Mapped[int] = mapped_column(sa.Integer)
    contributions: Mapped[int] = mapped_column(sa.Integer)
    amount_raised_cents: Mapped[int] = mapped_column(sa.BigInteger)
