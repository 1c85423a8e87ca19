"""Reporting: an archive of every event and the projections funders read."""
import base64
import json

from services.reporting import models, projector, queries, schemas
from services.reporting.domain import spreadsheets
from shared.inbox import consume_queue
from shared.rpc import rpc
from shared.schemas import load
from shared.service import Database, ServiceBase
from shared.sqltypes import utcnow
from shared.topology import archive_queue


class ReportingService(ServiceBase):
    name = "reporting"
    db = Database(models.messaging)

    @consume_queue(archive_queue(), claims_itself=True)
    def archive(self, uow, envelope):
        """Archive the event and move every projection by it, in one transaction. The
        archive keeps each event id for good (the inbox forgets after 30 days), so an
        event already archived changes nothing, however late it comes again. The inbox's
        claim and the archive's row are one statement; for an event that moves no
        projection (most of them: pledges), that statement is the whole transaction."""
        planned = projector.plan(envelope)
        archived = uow.first_delivery_with(models.ArchivedEvent.__table__, {
            "event_id": str(envelope["event_id"]), "type": envelope["type"],
            "version": envelope["version"], "source": envelope["source"],
            "occurred_at": envelope["occurred_at"],
            "correlation_id": envelope["correlation_id"],
            "data": json.dumps(envelope["data"]), "archived_at": utcnow()},
            alone=not planned.moves_anything)
        if archived and planned.moves_anything:
            projector.project(uow.session, envelope, planned)

    @rpc
    def get_summary(self):
        with self.db.read() as session:
            summary = session.get(models.Summary, models.SUMMARY_ID)
            return schemas.Summary().dump(summary)

    @rpc
    def report(self, table, query):
        """One report table (see queries.REPORTS) as JSON, with its filters applied."""
        with self.db.read() as session:
            return queries.report(session, table, query, utcnow().year)

    @rpc
    def dashboard(self, query):
        """The dashboard's five tables in one answer (queries.DASHBOARD)."""
        with self.db.read() as session:
            return queries.dashboard(session, query, utcnow().year)

    @rpc
    def report_csv(self, table, query):
        """The same table as CSV for a French spreadsheet, base64-encoded for the wire."""
        with self.db.read() as session:
            items = queries.report(session, table, query, utcnow().year, dump=False)["items"]
        return base64.b64encode(spreadsheets.to_csv(table, items)).decode()

    @rpc
    def list_events(self, query):
        params = load(schemas.EventsQuery(), query)
        with self.db.read() as session:
            return queries.events(session, params)
