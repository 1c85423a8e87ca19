"""AMQP_QUEUE_TYPE=quorum against the real RabbitMQ (a fresh vhost): the topology and the
services declare the same quorum queues (RabbitMQ would refuse a declaration that
differs), RPC replies come back on classic queues exclusive to their client, and RPC,
service-to-service RPC and events all flow. The three-node cluster itself is in
tests/compose/test_compose_rabbitmq_cluster.py."""
import kombu
import pytest
import sqlalchemy as sa
from nameko.testing.services import entrypoint_waiter

from services.members.service import MembersService
from services.projects import models as projects_models
from services.projects.service import ProjectsService
from services.reporting.service import ReportingService
from shared import topology
from shared.rpc import ClusterRpcProxy
from tests.support.queues import declared_queues

ORGANISATION = {"name": "Ressourcerie du Val", "legal_form": "association",
                "postal_code": "01600", "commune": "Trévoux"}
ANIMATOR = {"account_id": "00000000-0000-0000-0000-00000000a11a", "roles": ["animator"]}


@pytest.fixture
def quorum_platform(broker_uri, service_config, container_factory):
    """members, projects and reporting on quorum queues, the topology declared first as
    `shared.cli start` does."""
    with kombu.Connection(broker_uri) as connection:
        topology.declare(connection, "quorum")
    containers = {}
    for cls in (MembersService, ProjectsService, ReportingService):
        containers[cls.name] = container_factory(
            cls, service_config(cls.name, AMQP_QUEUE_TYPE="quorum"))
        containers[cls.name].start()
    return containers


def engine_of(container):
    return next(ext for ext in container.dependencies if ext.attr_name == "db").engine


def test_services_queues_are_quorum_and_reply_queues_exclusive(quorum_platform, broker_uri):
    with ClusterRpcProxy({"AMQP_URI": broker_uri}, timeout=10) as rpc:
        assert rpc.members.ping()["status"] == "ok"
        queues = declared_queues(broker_uri)

    replies = {name for name in queues if name.startswith("rpc.reply-")}
    assert {name.split("-")[1] for name in replies} >= {"standalone_rpc_proxy", "projects"}
    for name in replies:
        assert queues[name] == {"type": "classic", "durable": False, "exclusive": True,
                                "auto_delete": True, "members": []}, name

    shared_queues = {name: queue for name, queue in queues.items() if name not in replies}
    expected = {queue.name for queue in topology.all_queues("quorum")} \
        | {f"rpc-{name}" for name in quorum_platform}
    assert set(shared_queues) == expected
    for name, queue in shared_queues.items():
        assert (queue["type"], queue["durable"], queue["exclusive"], queue["auto_delete"]) \
            == ("quorum", True, False, False), name
        assert len(queue["members"]) == 1, name  # this machine's single node


def test_rpc_and_events_flow_on_quorum_queues(quorum_platform, broker_uri):
    projects, reporting = quorum_platform["projects"], quorum_platform["reporting"]
    with ClusterRpcProxy({"AMQP_URI": broker_uri}, timeout=30) as rpc:
        # An RPC from outside; its event reaches projects' queue and reporting's archive.
        with entrypoint_waiter(projects, "remember_organisation", timeout=30), \
                entrypoint_waiter(reporting, "archive", timeout=30):
            organisation = rpc.members.register_organisation(ORGANISATION)

        # projects forgets it, so asks members (service-to-service RPC, its reply queue
        # exclusive); its own event reaches the archive.
        with engine_of(projects).begin() as connection:
            connection.execute(sa.delete(projects_models.KnownOrganisation.__table__))
        with entrypoint_waiter(reporting, "archive", timeout=30):
            project = rpc.projects.submit_project(
                {"title": "Atelier vélo", "summary": "Réparer ensemble.",
                 "field": "circular_economy", "commune": "Trévoux",
                 "carrier_organisation_id": organisation["id"]}, ANIMATOR)
    assert project["title"] == "Atelier vélo"
    with engine_of(projects).connect() as connection:  # the name members gave
        assert connection.scalar(sa.select(projects_models.KnownOrganisation.name)) \
            == ORGANISATION["name"]
