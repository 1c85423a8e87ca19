"""Funding's read side: the RPCs that only read, the views they answer with, and the
questions the clock asks (what is due now)."""
import base64

import sqlalchemy as sa

from services.funding import models, schemas
from services.funding.domain import campaigns as rules
from services.funding.domain import investors, receipts
from services.funding.domain.payments import AUTHORIZED, CAPTURED, PENDING
from shared.database import get_or_not_found, row_values
from shared.errors import not_found
from shared.pagination import Order, paginate
from shared.rpc import rpc
from shared.schemas import load

Contribution, Campaign = models.Contribution, models.Campaign
# Built once: a marshmallow schema's construction copies its fields (every contribution
# answered is dumped through this one).
_CONTRIBUTION = schemas.Contribution()


def campaign_view(session, campaign) -> dict:
    rewards = session.execute(sa.select(models.Reward).where(
        models.Reward.campaign_id == campaign.id).order_by(models.Reward.position)).scalars()
    values = row_values(campaign)
    values["total_cents"] = campaign.raised_cents + campaign.matched_cents
    values["carrier_organisation_id"] = carrier_of(session, campaign.project_id)
    values["rewards"] = [{**row_values(reward), "remaining": None if reward.stock is None
                          else max(0, reward.stock - reward.taken)} for reward in rewards]
    values["matchfunding"] = None if campaign.matchfunder is None else {
        "funder": campaign.matchfunder,
        "per_contribution_cap_cents": campaign.match_per_contribution_cents,
        "per_contributor_cap_cents": campaign.match_per_contributor_cents,
        "total_cap_cents": campaign.match_total_cents,
        "matched_cents": campaign.matched_cents}
    values["cover_image"] = _cover(session, campaign.cover_image)
    return schemas.Campaign().dump(values)


IMAGE_PATH = "/api/v1/campaign-images/"  # the gateway's route that serves them


def _cover(session, image_id):
    """The cover picture's reference (its size and where it is served), not its bytes."""
    if image_id is None:
        return None
    found = session.execute(sa.select(models.CampaignImage.width, models.CampaignImage.height)
                            .where(models.CampaignImage.id == image_id)).one()
    return {"id": image_id, "url": IMAGE_PATH + image_id, "width": found.width,
            "height": found.height}


def carrier_of(session, project_id):
    """The organisation carrying a campaign's project, as funding knows it (every
    campaign's project is remembered when the campaign is drafted)."""
    known = session.get(models.KnownProject, project_id)
    return known.carrier_organisation_id if known is not None else None


def seen_campaign(session, campaign_id, reader):
    """The campaign, if it exists for this reader (rules.may_see); the same not-found
    as an unknown id when it does not."""
    campaign = get_or_not_found(session, Campaign, campaign_id, "campaign")
    if not rules.may_see(reader, campaign.status, carrier_of(session, campaign.project_id)):
        raise not_found("campaign", campaign_id)
    return campaign


def seen_view(session, campaign, reader) -> dict:
    """A campaign's view as this reader may read it (rules.as_seen)."""
    return rules.as_seen(campaign_view(session, campaign), reader,
                         carrier_of(session, campaign.project_id))


def _visible(reader) -> list:
    """rules.may_see as a list's condition: published campaigns, and the unpublished
    ones the reader sees (every one for staff, its organisation's for a member admin)."""
    if reader.everything:
        return []
    published = Campaign.status.in_(rules.PUBLIC_STATUSES)
    if reader.carrier_organisation_id is None:
        return [published]
    return [sa.or_(published, Campaign.project_id.in_(sa.select(models.KnownProject.id).where(
        models.KnownProject.carrier_organisation_id == reader.carrier_organisation_id)))]


def contribution_view(contribution, kind: str) -> dict:
    """A contribution as answered, with where its tax receipt stands (`kind`: its
    campaign's)."""
    status = receipts.receipt_status(kind, contribution.status,
                                     contribution.receipt_number is not None,
                                     contribution.receipt_donor is not None)
    return {**_CONTRIBUTION.dump(contribution), "receipt_status": status,
            "receipt_notice": receipts.receipt_notice(status)}


def _viewed_in(session):
    """contribution_view for rows of a page: each campaign's kind read once."""
    kinds = {}

    def view(contribution):
        if contribution.campaign_id not in kinds:
            kinds[contribution.campaign_id] = session.get(Campaign, contribution.campaign_id).kind
        return contribution_view(contribution, kinds[contribution.campaign_id])
    return view


def _project_conditions(params) -> list:
    """The campaign list's filters on its project: its commune (any case) and field."""
    conditions = []
    if params.get("commune"):
        conditions.append(sa.func.lower(models.KnownProject.commune)
                          == params["commune"].strip().lower())
    if params.get("field"):
        conditions.append(models.KnownProject.field == params["field"])
    if not conditions:
        return []
    return [Campaign.project_id.in_(sa.select(models.KnownProject.id).where(*conditions))]


def phase_condition(phase) -> list:
    """The list's phases (rules.PHASES) as a condition: live; ended (succeeded, failed
    or closed); succeeded (succeeded, or closed with its goal reached)."""
    if phase is None:
        return []
    if phase == rules.PHASE_LIVE:
        return [Campaign.status == rules.LIVE]
    if phase == rules.PHASE_ENDED:
        return [Campaign.status.in_((rules.SUCCEEDED, rules.FAILED, rules.CLOSED))]
    return [sa.or_(Campaign.status == rules.SUCCEEDED, sa.and_(
        Campaign.status == rules.CLOSED,
        Campaign.raised_cents + Campaign.matched_cents >= Campaign.goal_cents))]


# The list's orders other than oldest first.
ORDERS = {rules.SORT_RECENT: Order(Campaign.created_at, descending=True),
          rules.SORT_ENDING: Order(Campaign.deadline),
          rules.SORT_SUPPORTED: Order(Campaign.contributions_count, descending=True)}
# The contributions lists' order other than oldest first.
CONTRIBUTION_ORDERS = {rules.SORT_RECENT: Order(Contribution.created_at, descending=True)}


class Queries:
    """Mixed into FundingService: its read-only RPCs."""

    # Every read of campaigns takes the reader (`viewer`: the roles and organisation the
    # gateway read in their token; None: anonymous) and answers what rules.may_see and
    # rules.as_seen let them read.

    @rpc
    def get_campaign(self, campaign_id, viewer=None):
        reader = rules.sight(viewer)
        with self.db.read() as session:
            return seen_view(session, seen_campaign(session, campaign_id, reader), reader)

    @rpc
    def campaign_image(self, image_id):
        """A cover picture's bytes (base64), by the hash its address names. Anyone who
        knows the address reads it: the hash of its bytes cannot be guessed."""
        with self.db.read() as session:
            image = get_or_not_found(session, models.CampaignImage, image_id, "image")
            return schemas.CampaignImageFile().dump({
                "id": image.id, "media_type": image.media_type,
                "content": base64.b64encode(image.content).decode()})

    @rpc
    def list_campaigns(self, query, viewer=None):
        params = load(schemas.ListCampaigns(), query)
        reader = rules.sight(viewer)
        with self.db.read() as session:
            return paginate(session, Campaign, params, created_at=Campaign.created_at,
                            filters=("status", "project_id", "kind"),
                            where=[*_visible(reader), *_project_conditions(params),
                                   *phase_condition(params.get("phase"))],
                            order=ORDERS.get(params.get("sort")),
                            dump=lambda campaign: seen_view(session, campaign, reader))

    @rpc
    def campaign_places(self, query, viewer=None):
        """The communes and fields of the campaigns in a status the reader sees: the
        choices of the campaign list's filters."""
        params = load(schemas.PlacesQuery(), query)
        projects = sa.select(models.KnownProject).where(models.KnownProject.id.in_(
            sa.select(Campaign.project_id).where(
                *(phase_condition(params["phase"]) if params.get("phase")
                  else [Campaign.status == params["status"]]),
                *_visible(rules.sight(viewer)))))
        with self.db.read() as session:
            known = session.scalars(projects).all()
        return schemas.CampaignPlaces().dump({
            "communes": sorted({row.commune for row in known if row.commune}, key=str.lower),
            "fields_": sorted({row.field for row in known if row.field})})

    @rpc
    def list_public_contributions(self, campaign_id, query, viewer=None):
        """Who gave, as the campaign page shows it: counted ones only, anonymous ones
        without a name."""
        params = load(schemas.ContributionsQuery(), query)
        with self.db.read() as session:
            seen_campaign(session, campaign_id, rules.sight(viewer))
            page = paginate(session, Contribution, {**params, "campaign_id": str(campaign_id),
                                                    "counted": True},
                            created_at=Contribution.created_at,
                            filters=("campaign_id", "counted"),
                            order=CONTRIBUTION_ORDERS.get(params.get("sort")),
                            dump=lambda row: schemas.PublicContribution().dump({
                                "amount_cents": row.amount_cents if row.amount_public
                                else None, "created_at": row.created_at,
                                "contributor_name": row.contributor_name if row.public
                                else None}))
        return page

    @rpc
    def list_questions(self, campaign_id, query, viewer=None):
        """The public questions of a campaign and their answers, oldest first."""
        params = load(schemas.PageQuery(), query)
        with self.db.read() as session:
            seen_campaign(session, campaign_id, rules.sight(viewer))
            return paginate(session, models.Question, {**params, "campaign_id": str(campaign_id)},
                            created_at=models.Question.asked_at, filters=("campaign_id",),
                            dump=schemas.Question().dump)

    @rpc
    def list_my_questions(self, account_id, query):
        """The questions a person asked (their data: "Mes données"), oldest first, each
        with its campaign's title and its answer."""
        params = load(schemas.PageQuery(), query)
        with self.db.read() as session:
            titles = {}

            def view(question):
                if question.campaign_id not in titles:
                    titles[question.campaign_id] = session.get(Campaign,
                                                               question.campaign_id).title
                return {**schemas.MyQuestion().dump(question),
                        "campaign_title": titles[question.campaign_id]}
            return paginate(session, models.Question,
                            {**params, "account_id": str(account_id)},
                            created_at=models.Question.asked_at, filters=("account_id",),
                            dump=view)

    @rpc
    def key_information(self, campaign_id, viewer=None):
        with self.db.read() as session:
            campaign = seen_campaign(session, campaign_id, rules.sight(viewer))
            if campaign.kind not in rules.INVESTMENT_KINDS:
                raise not_found("key_information", campaign_id)
            return {"campaign_id": campaign.id, "kind": campaign.kind,
                    "sheet": investors.sheet_as_offered(
                        campaign.key_information, campaign.goal_cents,
                        campaign.model == rules.ALL_OR_NOTHING, campaign.deadline.isoformat()),
                    "risk_warning": investors.RISK_WARNING_FR,
                    "reflection_period_days": investors.REFLECTION_PERIOD.days}

    @rpc
    def get_contribution(self, contribution_id, viewer):
        with self.db.read() as session:
            contribution = get_or_not_found(session, Contribution, contribution_id,
                                            "contribution")
            if not viewer["staff"] and contribution.contributor_account_id != \
                    viewer["account_id"]:
                raise not_found("contribution", contribution_id)
            return _viewed_in(session)(contribution)

    @rpc
    def list_my_contributions(self, account_id, query):
        params = load(schemas.ListContributions(), query)
        with self.db.read() as session:
            return paginate(session, Contribution,
                            {**params, "contributor_account_id": account_id},
                            created_at=Contribution.created_at,
                            filters=("contributor_account_id", "status"),
                            order=CONTRIBUTION_ORDERS.get(params.get("sort")),
                            dump=_viewed_in(session))

    @rpc
    def list_campaign_contributions(self, campaign_id, query):
        """Every contribution of a campaign, for staff: the shares register, offline
        ones, their states."""
        params = load(schemas.ListContributions(), query)
        with self.db.read() as session:
            get_or_not_found(session, Campaign, campaign_id, "campaign")
            return paginate(session, Contribution, {**params, "campaign_id": str(campaign_id)},
                            created_at=Contribution.created_at,
                            filters=("campaign_id", "status"),
                            order=CONTRIBUTION_ORDERS.get(params.get("sort")),
                            dump=_viewed_in(session))

    @rpc
    def get_beneficiary(self, organisation_id):
        with self.db.read() as session:
            beneficiary = get_or_not_found(session, models.Beneficiary, organisation_id,
                                           "beneficiary")
            return schemas.Beneficiary().dump(beneficiary)

    @rpc
    def list_resources(self, query):
        params = load(schemas.ListResources(), query)
        with self.db.read() as session:
            return paginate(session, models.Resource, params,
                            created_at=models.Resource.created_at,
                            filters=("kind", "year", "project_id"),
                            dump=schemas.Resource().dump)

    @rpc
    def list_volunteering(self, query):
        params = load(schemas.ListVolunteering(), query)
        with self.db.read() as session:
            return paginate(session, models.Volunteering, params,
                            created_at=models.Volunteering.created_at,
                            filters=("project_id",), dump=schemas.Volunteering().dump)

    @rpc
    def list_payment_discrepancies(self, query):
        """For staff: what the provider's state denied, newest last (a cursor's order)."""
        params = load(schemas.ListDiscrepancies(), query)
        with self.db.read() as session:
            return paginate(session, models.PaymentDiscrepancy, params,
                            created_at=models.PaymentDiscrepancy.detected_at,
                            filters=("kind", "contribution_id"),
                            dump=schemas.PaymentDiscrepancy().dump)

    # --- what the clock asks ---------------------------------------------------------

    def _due_contributions(self, now, limit=200):
        """Contributions whose money calls for a move now: holds past their time,
        investments past their reflection period, and the contributions of decided
        campaigns still to capture, release or refund."""
        decided = Campaign.status.in_((rules.SUCCEEDED, rules.FAILED))
        failed_all_or_nothing = sa.and_(Campaign.status == rules.FAILED,
                                        Campaign.model == rules.ALL_OR_NOTHING)
        with self.db.read() as session:
            return session.execute(
                sa.select(Contribution.id).join(Campaign,
                                                Campaign.id == Contribution.campaign_id)
                .where(sa.or_(
                    sa.and_(Contribution.status == PENDING, Contribution.hold_expires_at <= now),
                    sa.and_(Contribution.status == AUTHORIZED, sa.or_(
                        decided, sa.and_(Contribution.reflection_ends_at <= now,
                                         Contribution.counted.is_(False)))),
                    sa.and_(Contribution.status == CAPTURED, failed_all_or_nothing)))
                .limit(limit)).scalars().all()

    def _due_campaigns(self, now):
        with self.db.read() as session:
            return session.execute(sa.select(Campaign.id).where(
                Campaign.status == rules.LIVE, Campaign.deadline <= now)).scalars().all()

    def _settled_campaigns(self):
        with self.db.read() as session:
            return session.execute(sa.select(Campaign.id).where(
                Campaign.status.in_((rules.SUCCEEDED, rules.FAILED)))).scalars().all()

    @staticmethod
    def _still_open(session, campaign_id, now) -> int:
        """Contributions a decision must wait for: payments still pending (in or out
        once they end, never half), investments still in their reflection period."""
        return session.execute(sa.select(sa.func.count()).where(
            Contribution.campaign_id == campaign_id, sa.or_(
                Contribution.status == PENDING,
                sa.and_(Contribution.status == AUTHORIZED,
                        Contribution.reflection_ends_at > now)))).scalar_one()

    @staticmethod
    def _undecided_subscriptions(session, campaign_id) -> list:
        """When the reflection periods end of the share subscriptions still held that the
        board has not decided: a decision waits for the board's word on them (within
        its time, domain.campaigns.board_decision_due_at)."""
        return session.execute(sa.select(Contribution.reflection_ends_at).where(
            Contribution.campaign_id == campaign_id,
            Contribution.status.in_((AUTHORIZED, CAPTURED)),
            Contribution.board_decision.is_(None))).scalars().all()

    @staticmethod
    def _unsettled(session, campaign) -> int:
        statuses = [PENDING, AUTHORIZED]
        if campaign.status == rules.FAILED and campaign.model == rules.ALL_OR_NOTHING:
            statuses.append(CAPTURED)
        return session.execute(sa.select(sa.func.count()).where(
            Contribution.campaign_id == campaign.id,
            Contribution.status.in_(statuses))).scalar_one()
