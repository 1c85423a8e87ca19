"""Projects' tables."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from shared.messaging import service_base
from shared.sqltypes import UtcDateTime, utcnow

Base, messaging = service_base()
metadata = Base.metadata


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.Text)
    field: Mapped[str] = mapped_column(sa.String(40))
    commune: Mapped[str] = mapped_column(sa.String(120))
    stage: Mapped[str] = mapped_column(sa.String(20))
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
