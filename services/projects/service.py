"""Projects: the incubation pipeline, from idea to social enterprise."""
import uuid

import sqlalchemy as sa
from nameko.rpc import RpcProxy
from sqlalchemy.exc import IntegrityError

from services.members.schemas import ORGANISATION_REGISTERED, ORGANISATION_UPDATED
from services.projects import domain, models, schemas
from shared.database import (
    get_or_not_found,
    insert_ignoring_duplicate,
    keep_newest,
    row_values,
    update_versioned,
)
from shared.errors import conflict, invalid, not_found
from shared.french import local_date
from shared.identifiers import check_siren
from shared.inbox import subscribe
from shared.pagination import paginate
from shared.rpc import fetch_or_none, rpc
from shared.schemas import load, load_patch
from shared.service import Database, ServiceBase
from shared.sqltypes import utcnow


class ProjectsService(ServiceBase):
    name = "projects"
    db = Database(models.messaging)
    members = RpcProxy("members")

    @subscribe("members", "organisation_registered")
    def remember_organisation(self, uow, envelope):
        organisation = ORGANISATION_REGISTERED.read(envelope["data"])
        _remember_organisation(uow.session, str(organisation["organisation_id"]),
                               organisation["name"])

    @subscribe("members", "organisation_updated")
    def rename_organisation(self, uow, envelope):
        """A renamed organisation: the name of its greatest version is kept."""
        organisation = ORGANISATION_UPDATED.read(envelope["data"])
        keep_newest(uow.session, models.KnownOrganisation.__table__,
                    {"id": str(organisation["organisation_id"]), "name": organisation["name"]},
                    organisation["version"])

    @rpc
    def submit_project(self, payload, actor):
        data = load(schemas.SubmitProject(), payload)
        carrier = str(data["carrier_organisation_id"]) if data["carrier_organisation_id"] \
            else None
        domain.check_may_carry(carrier, actor)
        values = domain.new_project(data, carrier)
        carrier_name = self._organisation_name(carrier) if carrier else None
        with self.db() as uow:
            if carrier:
                _remember_organisation(uow.session, carrier, carrier_name)
            project = models.Project(**values, submitted_at=utcnow(), stage_entered_at=utcnow())
            uow.session.add(project)
            uow.session.add(_stage_move(project.id, None, project.stage, actor, None))
            uow.session.flush()
            uow.emit(schemas.PROJECT_SUBMITTED, {
                "project_id": project.id, "title": project.title, "field": project.field,
                "commune": project.commune, "territory": project.territory,
                "stage": project.stage, "carrier_organisation_id": carrier})
        return schemas.Project().dump(project)

    @rpc
    def get_project(self, project_id):
        """What anyone may see: the partners who agreed to be shown, the public news."""
        with self.db.read() as session:
            project = get_or_not_found(session, models.Project, project_id, "project")
            partners = _children(session, models.Partner, project.id,
                                 models.Partner.shown_publicly.is_(True))
            news = _children(session, models.NewsPost, project.id,
                             models.NewsPost.visibility == "public")
            return schemas.PublicProject().dump({
                **row_values(project), "partners": partners, "news": news,
                "enterprise": session.scalar(sa.select(models.Enterprise)
                                             .where(models.Enterprise.project_id == project.id))})

    @rpc
    def project_file(self, project_id, actor):
        """Everything about a project, for animators and its carrier's admins."""
        with self.db.read() as session:
            project = get_or_not_found(session, models.Project, project_id, "project")
            domain.check_can_edit(project.carrier_organisation_id, actor)
            support = _children(session, models.SupportSession, project.id)
            return schemas.ProjectFile().dump({
                **row_values(project),
                "history": session.scalars(sa.select(models.StageMove)
                                           .where(models.StageMove.project_id == project.id)
                                           .order_by(models.StageMove.at)).all(),
                "partners": _children(session, models.Partner, project.id),
                "support": support,
                "support_hours": sum(s.hours_hundredths for s in support),
                "milestones": _children(session, models.Milestone, project.id),
                "job_reports": _children(session, models.JobReport, project.id),
                "corrections": session.scalars(sa.select(models.Correction)
                                               .where(models.Correction.project_id == project.id)
                                               .order_by(models.Correction.at,
                                                         models.Correction.field)).all(),
                "enterprise": session.scalar(sa.select(models.Enterprise)
                                             .where(models.Enterprise.project_id == project.id)),
                "news": _children(session, models.NewsPost, project.id)})

    @rpc
    def list_projects(self, query):
        params = load(schemas.ListProjects(), query)
        with self.db.read() as session:
            return paginate(session, models.Project, params,
                            created_at=models.Project.submitted_at,
                            filters=("field", "stage", "commune", "territory",
                                     "carrier_organisation_id"),
                            dump=schemas.Project().dump)

    @rpc
    def board(self):
        with self.db.read() as session:
            projects = session.execute(sa.select(
                models.Project.id, models.Project.title, models.Project.commune,
                models.Project.field, models.Project.stage,
                models.Project.stage_entered_at)).mappings().all()
        return schemas.Board().dump({"columns": domain.board(projects, utcnow())})

    @rpc
    def move_stage(self, project_id, payload, actor):
        data = load(schemas.MoveStage(), payload)
        with self.db() as uow:
            project = _locked(uow.session, project_id)
            domain.check_stage_move(project.stage, data["stage"], data["reason"])
            _move(uow, project, data["stage"], actor, data["reason"])
        return schemas.Project().dump(project)

    @rpc
    def add_partner(self, project_id, payload, actor):
        data = load(schemas.AddPartner(), payload)
        organisation_id = str(data["organisation_id"]) if data["organisation_id"] else None
        name = data["name"] or (self._organisation_name(organisation_id)
                                if organisation_id else None)
        if not name:
            raise invalid({"name": ["Name the partner, or give its organisation id."]})
        with self.db() as uow:
            project = _locked(uow.session, project_id)
            domain.check_can_edit(project.carrier_organisation_id, actor)
            partner = models.Partner(id=str(uuid.uuid4()), project_id=project.id,
                                     organisation_id=organisation_id, name=name,
                                     **{key: data[key] for key in (
                                         "circle", "formalisation", "role", "starts_on",
                                         "ends_on", "shown_publicly")})
            uow.session.add(partner)
            uow.session.flush()
            uow.emit(schemas.PARTNER_ADDED, {
                "partner_id": partner.id, "project_id": project.id,
                "organisation_id": organisation_id, "circle": partner.circle,
                "formalisation": partner.formalisation})
        return schemas.Partner().dump(partner)

    @rpc
    def give_support(self, project_id, payload, actor):
        data = load(schemas.GiveSupport(), payload)
        domain.check_support(data["hours"], data["given_on"], _today())
        with self.db() as uow:
            project = _locked(uow.session, project_id)
            domain.check_can_edit(None, actor)  # animators record the support they give
            session_ = models.SupportSession(
                id=str(uuid.uuid4()), project_id=project.id, kind=data["kind"],
                hours_hundredths=data["hours"], given_on=data["given_on"],
                given_by=data["given_by"])
            uow.session.add(session_)
            uow.session.flush()
            uow.emit(schemas.SUPPORT_GIVEN, {
                "session_id": session_.id, "project_id": project.id, "kind": session_.kind,
                "hours": session_.hours_hundredths / 100,
                "given_on": session_.given_on.isoformat()})
        return schemas.SupportSession().dump(session_)

    @rpc
    def set_milestone(self, project_id, payload, actor):
        data = load(schemas.SetMilestone(), payload)
        with self.db() as uow:
            project = _locked(uow.session, project_id)
            domain.check_can_edit(project.carrier_organisation_id, actor)
            milestone = models.Milestone(id=str(uuid.uuid4()), project_id=project.id, **data)
            uow.session.add(milestone)
            uow.session.flush()
            uow.emit(schemas.MILESTONE_SET, {"milestone_id": milestone.id,
                                             "project_id": project.id,
                                             "due_on": milestone.due_on.isoformat()})
        return schemas.Milestone().dump(milestone)

    @rpc
    def complete_milestone(self, project_id, milestone_id, payload, actor):
        data = load(schemas.CompleteMilestone(), payload)
        domain.check_done_by("completed_on", data["completed_on"], _today())
        with self.db() as uow:
            project = _locked(uow.session, project_id)
            domain.check_can_edit(project.carrier_organisation_id, actor)
            milestone = _child_of(uow.session, models.Milestone, project, milestone_id,
                                  "milestone")
            if milestone.completed_on is not None:
                raise conflict("milestone_completed", "This milestone is completed already.")
            milestone.completed_on = data["completed_on"]
            uow.emit(schemas.MILESTONE_COMPLETED, {
                "milestone_id": milestone.id, "project_id": project.id,
                "completed_on": milestone.completed_on.isoformat()})
        return schemas.Milestone().dump(milestone)

    @rpc
    def report_jobs(self, project_id, payload, actor):
        """Jobs at a date. A correction is a new report: history is never edited."""
        data = load(schemas.ReportJobs(), payload)
        domain.check_job_report(data)
        domain.check_done_by("reported_on", data["reported_on"], _today())
        with self.db() as uow:
            project = _locked(uow.session, project_id)
            domain.check_can_edit(project.carrier_organisation_id, actor)
            report = models.JobReport(
                id=str(uuid.uuid4()), project_id=project.id, reported_on=data["reported_on"],
                created_fte_hundredths=data["created_fte"],
                consolidated_fte_hundredths=data["consolidated_fte"],
                insertion_fte_hundredths=data["insertion_fte"],
                recorded_by=actor["account_id"])
            uow.session.add(report)
            uow.session.flush()
            uow.emit(schemas.JOBS_REPORTED, {
                "report_id": report.id, "project_id": project.id,
                "reported_on": report.reported_on.isoformat(),
                "created_fte": report.created_fte_hundredths / 100,
                "consolidated_fte": report.consolidated_fte_hundredths / 100,
                "insertion_fte": report.insertion_fte_hundredths / 100})
        return schemas.JobReport().dump(report)

    @rpc
    def record_enterprise(self, project_id, payload, actor):
        """The enterprise a project created; recording it launches the project."""
        data = load(schemas.RecordEnterprise(), payload)
        siren = check_siren(data["siren"])
        domain.check_done_by("created_on", data["created_on"], _today())
        try:
            with self.db() as uow:
                project = _locked(uow.session, project_id)
                domain.check_can_edit(None, actor)  # animators record launches
                domain.check_launch(project.stage)
                enterprise = models.Enterprise(id=str(uuid.uuid4()), project_id=project.id,
                                               name=" ".join(data["name"].split()),
                                               legal_form=data["legal_form"], siren=siren,
                                               created_on=data["created_on"])
                uow.session.add(enterprise)
                uow.session.flush()
                uow.emit(schemas.ENTERPRISE_CREATED, {
                    "enterprise_id": enterprise.id, "project_id": project.id,
                    "name": enterprise.name, "legal_form": enterprise.legal_form,
                    "siren": siren, "created_on": enterprise.created_on.isoformat()})
                _move(uow, project, "launched", actor, f"enterprise {enterprise.name} created")
        except IntegrityError:
            raise conflict("enterprise_exists", "This project's enterprise is recorded.") from None
        return schemas.Enterprise().dump(enterprise)

    @rpc
    def publish_news(self, project_id, payload, actor):
        data = load(schemas.PublishNews(), payload)
        with self.db() as uow:
            project = _locked(uow.session, project_id)
            domain.check_can_edit(project.carrier_organisation_id, actor)
            post = models.NewsPost(id=str(uuid.uuid4()), project_id=project.id,
                                   published_at=utcnow(), **data)
            uow.session.add(post)
            uow.session.flush()
            uow.emit(schemas.NEWS_PUBLISHED, {
                "post_id": post.id, "project_id": project.id, "title": post.title,
                "body": post.body, "visibility": post.visibility, "published_at": post.published_at.isoformat()})
        return schemas.NewsPost().dump(post)

    # --- edits: each names the version it read (shared.database.update_versioned) ------

    @rpc
    def update_project(self, project_id, payload, actor):
        version, data = load_patch(schemas.EditProject(), payload)
        with self.db() as uow:
            project = _locked(uow.session, project_id)
            domain.check_can_edit(project.carrier_organisation_id, actor)
            changes = domain.edit_project(row_values(project), data)
            update_versioned(uow.session, models.Project, project.id, "project", version, changes)
            uow.emit(schemas.PROJECT_UPDATED, {
                "project_id": project.id, "version": project.version, "changed": sorted(changes),
                **{name: getattr(project, name) for name in (
                    "title", "summary", "field", "commune", "territory", "tags",
                    "carrier_organisation_id")}})
        return schemas.Project().dump(project)

    @rpc
    def update_partner(self, project_id, partner_id, payload, actor):
        version, data = load_patch(schemas.EditPartner(), payload)
        with self.db() as uow:
            project = _locked(uow.session, project_id)
            domain.check_can_edit(project.carrier_organisation_id, actor)
            partner = _child_of(uow.session, models.Partner, project, partner_id, "partner")
            changes = domain.edit_partner(row_values(partner), data)
            update_versioned(uow.session, models.Partner, partner.id, "partner", version, changes)
            uow.emit(schemas.PARTNER_UPDATED, {
                "partner_id": partner.id, "project_id": project.id,
                "organisation_id": partner.organisation_id, "circle": partner.circle,
                "formalisation": partner.formalisation, "version": partner.version,
                "changed": sorted(changes)})
        return schemas.Partner().dump(partner)

    @rpc
    def update_milestone(self, project_id, milestone_id, payload, actor):
        version, data = load_patch(schemas.EditMilestone(), payload)
        with self.db() as uow:
            project = _locked(uow.session, project_id)
            domain.check_can_edit(project.carrier_organisation_id, actor)
            milestone = _child_of(uow.session, models.Milestone, project, milestone_id,
                                  "milestone")
            changes = domain.edit_milestone(row_values(milestone), data)
            update_versioned(uow.session, models.Milestone, milestone.id, "milestone", version,
                             changes)
            uow.emit(schemas.MILESTONE_UPDATED, {
                "milestone_id": milestone.id, "project_id": project.id,
                "title": milestone.title, "due_on": milestone.due_on.isoformat(),
                "version": milestone.version, "changed": sorted(changes)})
        return schemas.Milestone().dump(milestone)

    @rpc
    def correct_support(self, project_id, session_id, payload, actor):
        """Staff correct hours of support given; the change is kept in the history."""
        version, data = load_patch(schemas.CorrectSupport(), payload)
        with self.db() as uow:
            project = _locked(uow.session, project_id)
            domain.check_can_edit(None, actor)  # animators correct the support they record
            entry = _child_of(uow.session, models.SupportSession, project, session_id,
                              "support_session")
            before = row_values(entry)
            changes, reason = domain.correct_support(before, data, _today())
            update_versioned(uow.session, models.SupportSession, entry.id, "support_session",
                             version, changes)
            _keep_corrections(uow.session, project.id, "support_session", entry.id, before,
                              changes, reason, actor)
            uow.emit(schemas.SUPPORT_CORRECTED, {
                "session_id": entry.id, "project_id": project.id, "kind": entry.kind,
                "hours": entry.hours_hundredths / 100, "given_on": entry.given_on.isoformat(),
                "previous_hours": before["hours_hundredths"] / 100,
                "previous_given_on": before["given_on"].isoformat(),
                "version": entry.version, "reason": reason, "by": actor["account_id"]})
        return schemas.SupportSession().dump(entry)

    @rpc
    def correct_jobs(self, project_id, report_id, payload, actor):
        """Staff correct a job report's figures; the change is kept in the history."""
        version, data = load_patch(schemas.CorrectJobs(), payload)
        with self.db() as uow:
            project = _locked(uow.session, project_id)
            domain.check_can_edit(None, actor)
            report = _child_of(uow.session, models.JobReport, project, report_id, "job_report")
            before = row_values(report)
            changes, reason = domain.correct_jobs(before, data)
            update_versioned(uow.session, models.JobReport, report.id, "job_report", version,
                             changes)
            _keep_corrections(uow.session, project.id, "job_report", report.id, before,
                              changes, reason, actor)
            uow.emit(schemas.JOBS_CORRECTED, {
                "report_id": report.id, "project_id": project.id,
                "reported_on": report.reported_on.isoformat(),
                "created_fte": report.created_fte_hundredths / 100,
                "consolidated_fte": report.consolidated_fte_hundredths / 100,
                "insertion_fte": report.insertion_fte_hundredths / 100,
                "version": report.version, "changed": sorted(changes), "reason": reason,
                "by": actor["account_id"]})
        return schemas.JobReport().dump(report)

    def _organisation_name(self, organisation_id):
        """From the local copy; when the event has not arrived yet, from members itself."""
        with self.db.read() as session:
            known = session.get(models.KnownOrganisation, organisation_id)
            if known is not None:
                return known.name
        organisation = fetch_or_none(self.members.get_organisation, organisation_id,
                                     timeout=self.config["RPC_TIMEOUT"])
        if organisation is None:
            raise invalid({"organisation_id": ["No organisation with this id."]})
        return organisation["name"]


def _today():
    """The cluster's day now: facts done are dated in it."""
    return local_date(utcnow())


def _children(session, model, project_id, *conditions):
    return session.scalars(sa.select(model).where(model.project_id == project_id, *conditions)
                           .order_by(model.id)).all()


def _locked(session, project_id):
    return get_or_not_found(session, models.Project, project_id, "project", for_update=True)


def _child_of(session, model, project, record_id, entity):
    """A project's partner, milestone, support entry or job report, locked; another
    project's is not found."""
    row = get_or_not_found(session, model, record_id, entity, for_update=True)
    if row.project_id != project.id:
        raise not_found(entity, record_id)
    return row


def _keep_corrections(session, project_id, record, record_id, before, changes, reason, actor):
    for field, was, now in domain.history_of(before, changes):
        session.add(models.Correction(id=str(uuid.uuid4()), project_id=project_id,
                                      record=record, record_id=record_id, field=field,
                                      before=was, after=now, reason=reason,
                                      by=actor["account_id"], at=utcnow()))


def _remember_organisation(session, organisation_id, name):
    insert_ignoring_duplicate(session, models.KnownOrganisation.__table__,
                              {"id": organisation_id, "name": name})


def _stage_move(project_id, from_stage, to_stage, actor, reason):
    return models.StageMove(id=str(uuid.uuid4()), project_id=project_id, from_stage=from_stage,
                            to_stage=to_stage, at=utcnow(), by=actor["account_id"],
                            reason=reason)


def _move(uow, project, stage, actor, reason):
    """Move a project, keep the move, and say so, in one transaction."""
    previous, project.stage, project.stage_entered_at = project.stage, stage, utcnow()
    move = _stage_move(project.id, previous, stage, actor, reason)
    uow.session.add(move)
    uow.emit(schemas.PROJECT_STAGE_CHANGED, {
        "project_id": project.id, "from_stage": previous, "to_stage": stage,
        "changed_at": move.at.isoformat(), "by": move.by, "reason": reason})
