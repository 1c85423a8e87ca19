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


class RoleList(sa.TypeDecorator):
    """Roles as a list in Python, a comma-separated string in the table."""

    impl = sa.String(200)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else ",".join(value)

    def process_result_value(self, value, dialect):
        return None if value is None else value.split(",")


class Account(Base):
    """A person who signs in. The password is kept only as an argon2 hash."""

    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(200))
    roles: Mapped[list[str]] = mapped_column(RoleList)
    organisation_id: Mapped[str | None] = mapped_column(
        sa.String(36), sa.ForeignKey("organisations.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class RefreshToken(Base):
    """A sign-in session: rotated at each refresh, revoked at logout or password change.
    Tokens of one sign-in share a family, so a stolen, reused token revokes them all."""

    __tablename__ = "refresh_tokens"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    account_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("accounts.id"),
                                            index=True)
    family_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    token_digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class LoginFailure(Base):
    """Failed logins per key (`email:…`, `client:…`) in the current window. Kept here, not
    in the gateway, so the count holds across gateway restarts and replicas."""

    __tablename__ = "login_failures"

    key: Mapped[str] = mapped_column(sa.String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(sa.Integer)
    window_started_at: Mapped[datetime] = mapped_column(UtcDateTime)
