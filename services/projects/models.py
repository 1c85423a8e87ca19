"""Projects' tables."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from shared.messaging import service_base
from shared.sqltypes import StringList, UtcDateTime, utcnow

Base, messaging = service_base()
metadata = Base.metadata


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.Text)
    field: Mapped[str] = mapped_column(sa.String(40))
    commune: Mapped[str] = mapped_column(sa.String(120))
    stage: Mapped[str] = mapped_column(sa.String(20), index=True)
    territory: Mapped[str] = mapped_column(sa.String(20), server_default="outside")
    carrier_organisation_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    founders: Mapped[str | None] = mapped_column(sa.String(500))
    animator_account_id: Mapped[str | None] = mapped_column(sa.String(36))
    tags: Mapped[list[str]] = mapped_column(StringList(500), server_default="")
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    stage_entered_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Bumped by each edit: an edit names the version it read (shared.database.update_versioned)
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")


class KnownOrganisation(Base):
    """Learnt from members.organisation_registered, or asked for when missing."""

    __tablename__ = "known_organisations"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    # The organisation's version its name is from: a later edit's name wins, in any order
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")


class StageMove(Base):
    __tablename__ = "stage_moves"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("projects.id"),
                                            index=True)
    from_stage: Mapped[str | None] = mapped_column(sa.String(20))
    to_stage: Mapped[str] = mapped_column(sa.String(20))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    by: Mapped[str] = mapped_column(sa.String(64))
    reason: Mapped[str | None] = mapped_column(sa.String(500))


class Partner(Base):
    """An organisation involved in a project, member of the cluster or not, with its
    circle and how formal the tie is. Informal needs no paperwork."""

    __tablename__ = "partners"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("projects.id"),
                                            index=True)
    organisation_id: Mapped[str | None] = mapped_column(sa.String(36))
    name: Mapped[str] = mapped_column(sa.String(200))
    circle: Mapped[str] = mapped_column(sa.String(20))
    formalisation: Mapped[str] = mapped_column(sa.String(20))
    role: Mapped[str | None] = mapped_column(sa.String(200))
    starts_on: Mapped[date | None] = mapped_column(sa.Date)
    ends_on: Mapped[date | None] = mapped_column(sa.Date)
    shown_publicly: Mapped[bool] = mapped_column(sa.Boolean)
    added_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Bumped by each edit: an edit names the version it read (shared.database.update_versioned)
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")


class SupportSession(Base):
    __tablename__ = "support_sessions"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("projects.id"),
                                            index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    hours_hundredths: Mapped[int] = mapped_column(sa.Integer)
    given_on: Mapped[date] = mapped_column(sa.Date)
    given_by: Mapped[str] = mapped_column(sa.String(200))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Bumped by each edit: an edit names the version it read (shared.database.update_versioned)
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")


class Milestone(Base):
    __tablename__ = "milestones"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("projects.id"),
                                            index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    due_on: Mapped[date] = mapped_column(sa.Date)
    completed_on: Mapped[date | None] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Bumped by each edit: an edit names the version it read (shared.database.update_versioned)
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")


class JobReport(Base):
    """Jobs at a date. A later figure is a new report; staff correct a report's figures,
    each change kept in `corrections`."""

    __tablename__ = "job_reports"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("projects.id"),
                                            index=True)
    reported_on: Mapped[date] = mapped_column(sa.Date)
    created_fte_hundredths: Mapped[int] = mapped_column(sa.Integer)
    consolidated_fte_hundredths: Mapped[int] = mapped_column(sa.Integer)
    insertion_fte_hundredths: Mapped[int] = mapped_column(sa.Integer)
    recorded_by: Mapped[str] = mapped_column(sa.String(64))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Bumped by each edit: an edit names the version it read (shared.database.update_versioned)
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")


class Enterprise(Base):
    """The social enterprise a project created: one per project."""

    __tablename__ = "enterprises"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("projects.id"),
                                            unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    legal_form: Mapped[str] = mapped_column(sa.String(40))
    siren: Mapped[str] = mapped_column(sa.String(9))
    created_on: Mapped[date] = mapped_column(sa.Date)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class NewsPost(Base):
    __tablename__ = "news_posts"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("projects.id"),
                                            index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    visibility: Mapped[str] = mapped_column(sa.String(20))
    published_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Correction(Base):
    """A figure staff corrected (support hours, jobs): one row per field changed, with
    who, when, why, the value before and the value after, as text."""

    __tablename__ = "corrections"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("projects.id"),
                                            index=True)
    record: Mapped[str] = mapped_column(sa.String(20))  # support_session, job_report
    record_id: Mapped[str] = mapped_column(sa.String(36))
    field: Mapped[str] = mapped_column(sa.String(40))
    before: Mapped[str | None] = mapped_column(sa.String(200))
    after: Mapped[str | None] = mapped_column(sa.String(200))
    reason: Mapped[str] = mapped_column(sa.String(500))
    by: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
