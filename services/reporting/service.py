"""Reporting: an archive of every event and the projections funders read."""
import json

from services.reporting import domain, models, schemas
from shared.inbox import consume_queue
from shared.rpc import rpc
from shared.service import Database, ServiceBase
from shared.sqltypes import utcnow
from shared.topology import archive_queue


class ReportingService(ServiceBase):
    name = "reporting"
    db = Database(models.messaging)

    @consume_queue(archive_queue())
    def archive(self, uow, envelope):
        uow.session.add(models.ArchivedEvent(
            event_id=str(envelope["event_id"]), type=envelope["type"],
            version=envelope["version"], source=envelope["source"],
            occurred_at=envelope["occurred_at"], correlation_id=envelope["correlation_id"],
            data=json.dumps(envelope["data"]), archived_at=utcnow(),
        ))
        changes = domain.summary_changes(envelope["type"], envelope["data"])
        if changes:
            summary = models.Summary.__table__
            uow.session.execute(
                summary.update().where(summary.c.id == models.SUMMARY_ID)
                .values({name: summary.c[name] + delta for name, delta in changes.items()})
            )

    @rpc
    def get_summary(self):
        with self.db.read() as session:
            summary = session.get(models.Summary, models.SUMMARY_ID)
            return schemas.Summary().dump(summary)
