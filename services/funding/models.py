"""Funding's tables, and its copy of the projects it has heard of."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from shared.messaging import service_base
from shared.sqltypes import UtcDateTime, utcnow

Base, messaging = service_base()
metadata = Base.metadata


class KnownProject(Base):
    """Learnt from projects.project_submitted, or asked for when missing."""

    __tablename__ = "known_projects"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("known_projects.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(20))
    goal_cents: Mapped[int] = mapped_column(sa.BigInteger)
    deadline: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(sa.String(20))
    raised_cents: Mapped[int] = mapped_column(sa.BigInteger)
    contributions_count: Mapped[int] = mapped_column(sa.Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Contribution(Base):
    __tablename__ = "contributions"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("campaigns.id"),
                                             index=True)
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger)
    contributor_name: Mapped[str | None] = mapped_column(sa.String(200))
    contributor_account_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    status: Mapped[str] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
