"""Entrypoints run with nameko's worker_factory on a real database; only the other
services they call are stand-ins."""
import json
import uuid
from datetime import datetime, timedelta, timezone
from unittest.mock import Mock

import pytest
import sqlalchemy as sa
from nameko.testing.services import worker_factory

from services.funding import models as funding_models
from services.funding.service import FundingService
from services.members import models as members_models
from services.members.service import MembersService
from shared.database import UnitsOfWork, create_engine
from shared.errors import DomainError, not_found
from shared.sqltypes import utcnow


@pytest.fixture
def units(databases):
    engines = []

    def make(service_name, models):
        engine = create_engine(databases.new(service_name))
        engines.append(engine)
        return UnitsOfWork(engine, models.messaging, service_name)
    yield make
    for engine in engines:
        engine.dispose()


def outbox(units_of_work):
    with units_of_work.read() as session:
        rows = session.execute(sa.select(units_of_work.tables.outbox)).mappings().all()
    return [json.loads(row["payload"]) for row in rows]


ACCOUNT = str(uuid.uuid4())
ORGANISATION = {"name": "Épicerie solidaire", "legal_form": "scic", "siret": "73282932000074",
                "postal_code": "01330", "commune": "Villars-les-Dombes"}


def test_registering_an_organisation_writes_it_and_its_event_together(units):
    db = units("members", members_models)
    members = worker_factory(MembersService, db=db)
    organisation = members.register_organisation(ORGANISATION)
    [event] = outbox(db)
    assert event["type"] == "members.organisation_registered"
    assert event["data"]["organisation_id"] == organisation["id"]
    assert event["data"]["siret"] == "73282932000074"


def test_a_siret_registered_twice_is_a_conflict_and_adds_nothing(units):
    db = units("members", members_models)
    members = worker_factory(MembersService, db=db)
    members.register_organisation(ORGANISATION)
    with pytest.raises(DomainError) as raised:
        members.register_organisation({**ORGANISATION, "name": "Autre"})
    assert (raised.value.kind, raised.value.code) == ("conflict", "siret_already_registered")
    assert len(outbox(db)) == 1


def funding_worker(db, known_project=None):
    projects = Mock()
    projects.get_project.service_name = "projects"
    reply = Mock()
    if known_project:
        reply.result.return_value = known_project
    else:
        reply.result.side_effect = not_found("project", "x")
    projects.get_project.call_async.return_value = reply
    return worker_factory(FundingService, db=db, projects=projects, clock=utcnow,
                          config={"RPC_TIMEOUT": 1.0}), projects


def campaign_input(project_id):
    return {"project_id": project_id, "title": "Un camion", "goal_cents": 500_000,
            "deadline": (datetime.now(timezone.utc) + timedelta(days=10)).isoformat()}


def test_a_campaign_for_a_project_not_heard_of_yet_asks_projects_and_keeps_a_copy(units):
    db = units("funding", funding_models)
    project_id = str(uuid.uuid4())
    funding, projects = funding_worker(db, {"id": project_id, "title": "Ressourcerie"})
    campaign = funding.create_campaign(campaign_input(project_id))
    projects.get_project.call_async.assert_called_once_with(project_id)
    with db.read() as session:
        assert session.get(funding_models.KnownProject, project_id).title == "Ressourcerie"
    funding.create_campaign(campaign_input(project_id))
    assert projects.get_project.call_async.call_count == 1  # the copy answers now
    assert [e["type"] for e in outbox(db)] == ["funding.campaign_created"] * 2
    assert campaign["status"] == "draft"


def test_a_campaign_for_an_unknown_project_names_the_field(units):
    db = units("funding", funding_models)
    funding, _ = funding_worker(db)
    with pytest.raises(DomainError) as raised:
        funding.create_campaign(campaign_input(str(uuid.uuid4())))
    assert list(raised.value.details["fields"]) == ["project_id"]
    assert outbox(db) == []
