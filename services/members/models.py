"""Members' tables."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from shared.messaging import service_base
from shared.sqltypes import StringList, UtcDateTime, utcnow

Base, messaging = service_base()
metadata = Base.metadata


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    legal_form: Mapped[str] = mapped_column(sa.String(40))
    siret: Mapped[str | None] = mapped_column(sa.String(14), unique=True)
    siren: Mapped[str | None] = mapped_column(sa.String(9), index=True)
    rna: Mapped[str | None] = mapped_column(sa.String(10))
    street: Mapped[str | None] = mapped_column(sa.String(200))
    postal_code: Mapped[str] = mapped_column(sa.String(5))
    commune: Mapped[str] = mapped_column(sa.String(120))
    territory: Mapped[str] = mapped_column(sa.String(20), server_default="outside")
    sector: Mapped[str | None] = mapped_column(sa.String(120))
    # FTE in hundredths: 12.5 FTE is 1250, so that sums are exact
    headcount_fte_hundredths: Mapped[int] = mapped_column(sa.Integer, server_default="0")
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Bumped by each edit: an edit names the version it read (shared.database.update_versioned)
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")


class Contact(Base):
    """A person to reach at an organisation, with their consent to be contacted."""

    __tablename__ = "contacts"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("organisations.id"),
                                                 index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(254), index=True)
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    role: Mapped[str | None] = mapped_column(sa.String(120))
    consent_to_contact: Mapped[bool] = mapped_column(sa.Boolean)
    consent_recorded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "year"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("organisations.id"))
    year: Mapped[int] = mapped_column(sa.Integer, index=True)
    circle: Mapped[str] = mapped_column(sa.String(40))
    status: Mapped[str] = mapped_column(sa.String(20), index=True)
    dues_cents: Mapped[int] = mapped_column(sa.BigInteger)
    paid_cents: Mapped[int] = mapped_column(sa.BigInteger)
    activated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class MembershipMove(Base):
    """Each change of a membership's status: when, by whom, why. Never edited."""

    __tablename__ = "membership_moves"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    membership_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("memberships.id"),
                                               index=True)
    from_status: Mapped[str | None] = mapped_column(sa.String(20))
    to_status: Mapped[str] = mapped_column(sa.String(20))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    by: Mapped[str] = mapped_column(sa.String(64))  # an account id, or "calendar"
    reason: Mapped[str | None] = mapped_column(sa.String(500))


class RecordedPayment:
    """What a payment recorded by staff says: dues' and invoices' alike."""

    amount_cents: Mapped[int] = mapped_column(sa.BigInteger)
    paid_on: Mapped[date] = mapped_column(sa.Date)
    method: Mapped[str] = mapped_column(sa.String(20))
    reference: Mapped[str | None] = mapped_column(sa.String(120))
    recorded_by: Mapped[str] = mapped_column(sa.String(64))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class DuesPayment(RecordedPayment, Base):
    __tablename__ = "dues_payments"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    membership_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("memberships.id"),
                                               index=True)


class MutualisedService(Base):
    """A service whose staff members share: accounting, payroll, communication..."""

    __tablename__ = "mutualised_services"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    description: Mapped[str | None] = mapped_column(sa.Text)
    fte_carried_hundredths: Mapped[int] = mapped_column(sa.Integer)
    pricing: Mapped[str] = mapped_column(sa.String(10))
    price_cents: Mapped[int] = mapped_column(sa.BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Subscription(Base):
    __tablename__ = "subscriptions"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("organisations.id"),
                                                 index=True)
    service_id: Mapped[str] = mapped_column(sa.String(36),
                                            sa.ForeignKey("mutualised_services.id"))
    hours_per_month_hundredths: Mapped[int | None] = mapped_column(sa.Integer)
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date | None] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Invoice(Base):
    """A month's mutualisation fees for one organisation: issued once."""

    __tablename__ = "invoices"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "year", "month"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("organisations.id"))
    year: Mapped[int] = mapped_column(sa.Integer)
    month: Mapped[int] = mapped_column(sa.Integer)
    total_cents: Mapped[int] = mapped_column(sa.BigInteger)
    lines: Mapped[str] = mapped_column(sa.Text)  # JSON
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    paid_cents: Mapped[int] = mapped_column(sa.BigInteger, server_default="0")


class InvoicePayment(RecordedPayment, Base):
    __tablename__ = "invoice_payments"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    invoice_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("invoices.id"),
                                            index=True)


class Account(Base):
    """A person who signs in. The password is kept only as an argon2 hash."""

    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(200))
    roles: Mapped[list[str]] = mapped_column(StringList(200))
    organisation_id: Mapped[str | None] = mapped_column(
        sa.String(36), sa.ForeignKey("organisations.id"))
    # A funder account's funder, as its grants name it: the account reads that funder's
    # view of the reports only. None: any other account.
    funder: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # When its owner followed the link mailed to the address (staff-made accounts: at once).
    email_verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class PasswordReset(Base):
    """A request to set a new password by mail. Only the digest of its link's token is
    kept; the token is made when notifications sends the mail (members.password_reset_link)
    and so never travels on the bus. Used once; a newer request for the account, or the
    hour passing, ends it."""

    __tablename__ = "password_resets"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    account_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("accounts.id"),
                                            index=True)
    token_digest: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class EmailToken(Base):
    """A link mailed to confirm an address: the account's own (purpose "verify", at
    sign-up) or the one it moves to (purpose "change", `new_email`; `old_email` kept once
    the move is done, for the notice mailed there). As password resets: only the digest
    of the token, made when notifications sends the mail; used once; a newer link of the
    same purpose, its expiry or an erasure ends it."""

    __tablename__ = "email_tokens"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    account_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("accounts.id"),
                                            index=True)
    purpose: Mapped[str] = mapped_column(sa.String(20))
    new_email: Mapped[str | None] = mapped_column(sa.String(254))
    old_email: Mapped[str | None] = mapped_column(sa.String(254))
    token_digest: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


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
