"""Projects: the incubation pipeline."""
from services.projects import domain, models, schemas
from shared.database import get_or_not_found
from shared.pagination import paginate
from shared.rpc import rpc
from shared.schemas import load
from shared.service import Database, ServiceBase


class ProjectsService(ServiceBase):
    name = "projects"
    db = Database(models.messaging)

    @rpc
    def submit_project(self, payload):
        values = domain.new_project(load(schemas.SubmitProject(), payload))
        with self.db() as uow:
            project = models.Project(**values)
            uow.session.add(project)
            uow.session.flush()
            uow.emit(schemas.PROJECT_SUBMITTED, {
                "project_id": project.id, "title": project.title, "field": project.field,
                "commune": project.commune, "stage": project.stage,
            })
        return schemas.Project().dump(project)

    @rpc
    def get_project(self, project_id):
        with self.db.read() as session:
            return schemas.Project().dump(
                get_or_not_found(session, models.Project, project_id, "project"))

    @rpc
    def list_projects(self, query):
        params = load(schemas.ListProjects(), query)
        with self.db.read() as session:
            return paginate(session, models.Project, params,
                            created_at=models.Project.submitted_at,
                            filters=("field", "stage", "commune"), dump=schemas.Project().dump)
