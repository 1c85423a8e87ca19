"""Funding: crowdfunding campaigns and the contributions they take."""
import sqlalchemy as sa
from nameko.rpc import RpcProxy

from services.funding import domain, models, schemas
from services.members.schemas import PERSON_ERASED
from services.projects.schemas import PROJECT_SUBMITTED
from shared.database import get_or_not_found, insert_ignoring_duplicate
from shared.errors import invalid
from shared.inbox import subscribe
from shared.pagination import paginate
from shared.rpc import fetch_or_none, rpc
from shared.schemas import load
from shared.service import Database, ServiceBase
from shared.sqltypes import utcnow


class FundingService(ServiceBase):
    name = "funding"
    db = Database(models.messaging)
    projects = RpcProxy("projects")

    @subscribe("projects", "project_submitted")
    def remember_project(self, uow, envelope):
        project = PROJECT_SUBMITTED.read(envelope["data"])
        _remember_project(uow.session, str(project["project_id"]), project["title"])

    @subscribe("members", "person_erased")
    def forget_person(self, uow, envelope):
        """A person erased in members leaves no name on their contributions here."""
        accounts = [str(account) for account in PERSON_ERASED.read(envelope["data"])["account_ids"]]
        if accounts:
            uow.session.execute(
                sa.update(models.Contribution)
                .where(models.Contribution.contributor_account_id.in_(accounts))
                .values(contributor_name=None))

    @rpc
    def create_campaign(self, payload):
        data = load(schemas.CreateCampaign(), payload)
        project_title = self._project_title(str(data["project_id"]))
        values = domain.new_campaign(data, now=utcnow())
        with self.db() as uow:
            _remember_project(uow.session, values["project_id"], project_title)
            campaign = models.Campaign(**values)
            uow.session.add(campaign)
            uow.session.flush()
            uow.emit(schemas.CAMPAIGN_CREATED, {
                "campaign_id": campaign.id, "project_id": campaign.project_id,
                "title": campaign.title, "kind": campaign.kind,
                "goal_cents": campaign.goal_cents, "deadline": campaign.deadline.isoformat(),
            })
        return schemas.Campaign().dump(campaign)

    @rpc
    def publish_campaign(self, campaign_id):
        with self.db() as uow:
            campaign = _locked_campaign(uow.session, campaign_id)
            campaign.status = domain.publish(campaign.status)
            campaign.published_at = utcnow()
            uow.emit(schemas.CAMPAIGN_PUBLISHED, {
                "campaign_id": campaign.id, "project_id": campaign.project_id,
                "published_at": campaign.published_at.isoformat(),
            })
        return schemas.Campaign().dump(campaign)

    @rpc
    def contribute(self, campaign_id, payload, idempotency_key, contributor_account_id):
        """Take a contribution, confirmed at once (payments come later). A retry with the
        same Idempotency-Key (keys are the contributor's own) gets the first answer;
        nothing is taken twice."""
        data = load(schemas.Contribute(), payload)
        with self.db() as uow:
            replay = uow.replay_or_claim(f"contribute:{contributor_account_id}", idempotency_key,
                                         {"campaign_id": str(campaign_id), **payload})
            if replay is not None:
                return {"replayed": True, "contribution": replay}
            campaign = _locked_campaign(uow.session, campaign_id)
            now = utcnow()
            domain.accept_contribution(campaign.status, campaign.deadline,
                                       data["amount_cents"], now)
            contribution = models.Contribution(**domain.new_contribution(
                campaign.id, data["amount_cents"], data["contributor_name"],
                contributor_account_id))
            uow.session.add(contribution)
            campaign.raised_cents += contribution.amount_cents
            campaign.contributions_count += 1
            uow.session.flush()
            uow.emit(schemas.CONTRIBUTION_CONFIRMED, {
                "contribution_id": contribution.id, "campaign_id": campaign.id,
                "project_id": campaign.project_id, "amount_cents": contribution.amount_cents,
                "confirmed_at": now.isoformat(),
            })
            answer = uow.remember(schemas.Contribution().dump(contribution))
        return {"replayed": False, "contribution": answer}

    @rpc
    def get_campaign(self, campaign_id):
        with self.db.read() as session:
            return schemas.Campaign().dump(
                get_or_not_found(session, models.Campaign, campaign_id, "campaign"))

    @rpc
    def list_campaigns(self, query):
        params = load(schemas.ListCampaigns(), query)
        with self.db.read() as session:
            return paginate(session, models.Campaign, params,
                            created_at=models.Campaign.created_at,
                            filters=("status", "project_id"), dump=schemas.Campaign().dump)

    def _project_title(self, project_id):
        """From the local copy; when the event has not arrived yet, from projects itself."""
        with self.db.read() as session:
            known = session.get(models.KnownProject, project_id)
            if known is not None:
                return known.title
        project = fetch_or_none(self.projects.get_project, project_id,
                                timeout=self.config["RPC_TIMEOUT"])
        if project is None:
            raise invalid({"project_id": ["No project with this id."]})
        return project["title"]


def _remember_project(session, project_id, title):
    insert_ignoring_duplicate(session, models.KnownProject.__table__,
                              {"id": project_id, "title": title})


def _locked_campaign(session, campaign_id):
    """The campaign, row-locked until commit: its totals change one writer at a time."""
    return get_or_not_found(session, models.Campaign, campaign_id, "campaign", for_update=True)
