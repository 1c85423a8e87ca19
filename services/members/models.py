"""Members' tables."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from shared.messaging import service_base
from shared.sqltypes import UtcDateTime, utcnow

Base, messaging = service_base()
metadata = Base.metadata


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    legal_form: Mapped[str] = mapped_column(sa.String(40))
    siret: Mapped[str | None] = mapped_column(sa.String(14), unique=True)
    postal_code: Mapped[str] = mapped_column(sa.String(5))
    commune: Mapped[str] = mapped_column(sa.String(120))
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
