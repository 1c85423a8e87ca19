"""Funding's tables, and its copy of the projects it has heard of."""
from datetime import date, datetime

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
    carrier_organisation_id: Mapped[str | None] = mapped_column(sa.String(36))
    # Where and in what field: the campaign list filters on them. None for projects
    # heard of before funding kept them.
    commune: Mapped[str | None] = mapped_column(sa.String(120), index=True)
    field: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    territory: Mapped[str | None] = mapped_column(sa.String(40))
    # The version of the project these values are from (projects.project_updated); None
    # until an edit is heard: the greatest wins, whatever order edits arrive in.
    version: Mapped[int | None] = mapped_column(sa.Integer)


class Beneficiary(Base):
    """An organisation that receives money, as its tax receipts name it; whether its
    donors get receipts is set per organisation (an association of general interest
    does, a cooperative's shares never)."""

    __tablename__ = "beneficiaries"

    organisation_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    legal_name: Mapped[str] = mapped_column(sa.String(200))
    siren: Mapped[str | None] = mapped_column(sa.String(9))
    address: Mapped[str] = mapped_column(sa.String(300))
    purpose: Mapped[str] = mapped_column(sa.String(500))
    receipt_eligible: Mapped[bool] = mapped_column(sa.Boolean)
    # Who signs its receipts ("Marie Dupont", "présidente"): required to issue any.
    signatory_name: Mapped[str | None] = mapped_column(sa.String(120))
    signatory_capacity: Mapped[str | None] = mapped_column(sa.String(100))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("known_projects.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    kind: Mapped[str] = mapped_column(sa.String(20))
    model: Mapped[str] = mapped_column(sa.String(20), default="keep_it_all")
    goal_cents: Mapped[int] = mapped_column(sa.BigInteger)
    optimum_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    cap_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    people_goal: Mapped[int | None] = mapped_column(sa.Integer)
    min_contribution_cents: Mapped[int] = mapped_column(sa.BigInteger, default=100)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    deadline: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    status: Mapped[str] = mapped_column(sa.String(20), index=True)
    key_information: Mapped[dict | None] = mapped_column(sa.JSON)
    matchfunder: Mapped[str | None] = mapped_column(sa.String(200))
    match_per_contribution_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    match_per_contributor_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    match_total_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    # Totals, changed only under the campaign's row lock (a pledge takes it in
    # settlement.hold_place's guarded UPDATE). `committed` counts every
    # contribution still holding money or a promise of it (for the cap); `raised`, the
    # ones that count (see domain.payments.counts_when).
    raised_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    matched_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    committed_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    refunded_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    contributions_count: Mapped[int] = mapped_column(sa.Integer, default=0)
    new_members: Mapped[int] = mapped_column(sa.Integer, default=0)
    review_note: Mapped[str | None] = mapped_column(sa.String(2000))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Reward(Base):
    __tablename__ = "rewards"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("campaigns.id"),
                                             index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.String(2000), default="")
    min_amount_cents: Mapped[int] = mapped_column(sa.BigInteger)
    stock: Mapped[int | None] = mapped_column(sa.Integer)  # None: unlimited
    taken: Mapped[int] = mapped_column(sa.Integer, default=0)  # held by pending ones, or sold
    estimated_delivery: Mapped[date | None] = mapped_column(sa.Date)
    position: Mapped[int] = mapped_column(sa.Integer, default=0)


class Contribution(Base):
    __tablename__ = "contributions"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(sa.String(36), sa.ForeignKey("campaigns.id"),
                                             index=True)
    reward_id: Mapped[str | None] = mapped_column(sa.String(36), sa.ForeignKey("rewards.id"))
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger)
    matched_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    contributor_name: Mapped[str | None] = mapped_column(sa.String(200))  # shown, optional
    # The donor's legal identity and postal address for a tax receipt
    # (domain.receipts.receipt_donor); None: no receipt asked for.
    receipt_donor: Mapped[dict | None] = mapped_column(sa.JSON)
    contributor_account_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    public: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    status: Mapped[str] = mapped_column(sa.String(20), index=True)
    channel: Mapped[str] = mapped_column(sa.String(20), default="online")
    offline_reference: Mapped[str | None] = mapped_column(sa.String(100))
    payment_id: Mapped[str | None] = mapped_column(sa.String(100), unique=True)
    payment_url: Mapped[str | None] = mapped_column(sa.String(500))
    counted: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    cancel_reason: Mapped[str | None] = mapped_column(sa.String(30))
    hold_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reflection_ends_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    board_decision: Mapped[str | None] = mapped_column(sa.String(20))  # shares only
    # Unique per issuing organisation only (receipts holds the constraint).
    receipt_number: Mapped[str | None] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # The clock asks the provider about a payment waiting too long (its webhook may be
    # lost): how many answers changed nothing, and when to ask next (None: once it has
    # waited PAYMENT_RECONCILE_AFTER_SECONDS since its last move).
    provider_checks: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    provider_check_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ProviderEvent(Base):
    """Each webhook event of the payment provider, applied once."""

    __tablename__ = "provider_events"

    event_id: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    payment_id: Mapped[str] = mapped_column(sa.String(100))
    type: Mapped[str] = mapped_column(sa.String(50))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class PaymentDiscrepancy(Base):
    """What a webhook claimed, or what we held, that the provider's own state denied,
    and what was done: kept for staff (GET /payments/discrepancies)."""

    __tablename__ = "payment_discrepancies"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(30))  # domain.payments.DISCREPANCY_KINDS
    contribution_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    payment_id: Mapped[str] = mapped_column(sa.String(100))
    source: Mapped[str] = mapped_column(sa.String(20))  # webhook, clock
    event_id: Mapped[str | None] = mapped_column(sa.String(100))
    claimed_status: Mapped[str | None] = mapped_column(sa.String(50))
    provider_status: Mapped[str] = mapped_column(sa.String(20))
    status_before: Mapped[str] = mapped_column(sa.String(20))
    status_after: Mapped[str] = mapped_column(sa.String(20))
    detected_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)


class InvestorProfile(Base):
    """What EU 2020/1503 asks of an investor before a loan or shares, per account."""

    __tablename__ = "investor_profiles"

    account_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    sophisticated: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    knowledge_test_passed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    knowledge_test_score: Mapped[int | None] = mapped_column(sa.Integer)
    # The failed attempts still within the retry window, as ISO 8601 instants (see
    # investors.KNOWLEDGE_TEST_MAX_FAILURES); emptied by a pass.
    knowledge_test_failures: Mapped[list] = mapped_column(sa.JSON, default=list)
    net_worth_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    loss_capacity_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    loss_simulated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ReceiptSeries(Base):
    """The last receipt number of an issuing organisation in a year (in France): its row
    is taken under lock in the transaction that issues the receipt, so each
    organisation's numbers never skip or repeat."""

    __tablename__ = "receipt_series"

    organisation_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(sa.Integer)


class Receipt(Base):
    """A donation's tax receipt, one per contribution; a refunded donation's receipt is
    cancelled (when, why), its number never given again."""

    __tablename__ = "receipts"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "number",
                                          name="uq_receipts_organisation_number"),)

    contribution_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(sa.String(36))
    number: Mapped[str] = mapped_column(sa.String(20))
    account_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    document: Mapped[dict] = mapped_column(sa.JSON)  # what the PDF shows, frozen at issue
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cancellation: Mapped[dict | None] = mapped_column(sa.JSON)  # domain.receipts.cancellation


class Resource(Base):
    """Money the cluster or a project received other than through campaigns."""

    __tablename__ = "resources"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # grant, sale, mutualisation
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger)
    year: Mapped[int] = mapped_column(sa.Integer, index=True)
    project_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    funder: Mapped[str | None] = mapped_column(sa.String(200))
    funder_type: Mapped[str | None] = mapped_column(sa.String(20))  # public, private
    programme: Mapped[str | None] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.String(1000), default="")
    recorded_by: Mapped[str | None] = mapped_column(sa.String(36))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Volunteering(Base):
    __tablename__ = "volunteering"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    hours_hundredths: Mapped[int] = mapped_column(sa.Integer)
    done_on: Mapped[date] = mapped_column(sa.Date, index=True)
    activity: Mapped[str] = mapped_column(sa.String(300))
    project_id: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    hour_value_cents: Mapped[int] = mapped_column(sa.Integer)
    valued_cents: Mapped[int] = mapped_column(sa.BigInteger)
    recorded_by: Mapped[str | None] = mapped_column(sa.String(36))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


