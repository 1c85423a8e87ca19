"""docker-compose.yml with deploy/compose/rabbitmq-cluster.yml, brought up for real
(`make compose-test`): RabbitMQ as three nodes of one cluster, the platform's queues
quorum queues on all three, RPC reply queues classic and exclusive; the smoke journey;
then the first node (every service's first address) stopped while an event waits in a
queue: nothing is lost and the journey goes on with two nodes. `down -v` leaves
nothing. Each step says how long it took.

The tests share one deployment and run in file order (marker `compose`).
"""
import json
from datetime import datetime, timezone

import pytest

from deploy.standins import build
from shared import topology
from shared.config import REPO_ROOT, SERVICE_NAMES
from tests.support.compose import contribution_waiting_for, journey, wait_for_figures
from tests.support.queues import list_queues_command, read_queue_listing

pytestmark = [pytest.mark.compose, pytest.mark.timeout(2400)]

STEPS = build.Steps()
COMPOSE_FILES = (REPO_ROOT / "deploy" / "compose" / "rabbitmq-cluster.yml",)
STANDIN_NODES = build.CLUSTER_NODES
NODES = ("rabbitmq", "rabbitmq-2", "rabbitmq-3")


def rabbitmqctl(deployment, node, *command):
    return deployment.compose("exec", "-T", node, *command, timeout=120).stdout


def queues(deployment, node="rabbitmq"):
    return read_queue_listing(rabbitmqctl(deployment, node, *list_queues_command("/")))


def test_three_nodes_form_one_cluster(deployment):
    status = json.loads(rabbitmqctl(deployment, "rabbitmq", "rabbitmqctl", "-q",
                                    "cluster_status", "--formatter", "json"))
    assert sorted(status["running_nodes"]) == [f"rabbit@{node}" for node in NODES]


def test_the_platforms_queues_are_quorum_queues_on_the_three_nodes(deployment):
    declared = queues(deployment)
    replies = {name for name in declared if name.startswith("rpc.reply-")}
    assert replies, "the gateway and the services keep RPC clients"
    for name in replies:
        assert (declared[name]["type"], declared[name]["exclusive"]) == ("classic", True), name

    expected = {queue.name for queue in topology.all_queues("quorum")} \
        | {f"rpc-{name}" for name in SERVICE_NAMES}
    assert set(declared) - replies == expected
    for name in expected:
        assert declared[name]["type"] == "quorum", name
        assert sorted(declared[name]["members"]) == [f"rabbit@{node}" for node in NODES], name


def test_compose_refuses_the_cluster_without_its_cookie(deployment):
    without = deployment.workdir / "without-cookie.env"
    without.write_text("".join(f"{key}={value}\n" for key, value in deployment.env.items()
                               if key != "RABBITMQ_ERLANG_COOKIE"))
    refused = deployment.compose("config", "--quiet", env_file=without, check=False)
    assert refused.returncode != 0 and "RABBITMQ_ERLANG_COOKIE" in refused.stderr


def test_a_citizen_contributes_through_the_cluster(platform, funder):
    STEPS.run("smoke journey, three nodes", journey, platform, funder)


def test_a_node_stopped_loses_no_event_and_the_journey_goes_on(deployment, platform, funder):
    # The confirmation waits in reporting's quorum queue while the node stops.
    count, raised, dashboard_raised = contribution_waiting_for(deployment, platform,
                                                               "reporting", 3100)
    STEPS.run("stop the first RabbitMQ node", deployment.compose, "stop", "rabbitmq")
    stopped = datetime.now(timezone.utc)
    deployment.compose("start", "reporting")
    # Each service's connections made again on the other nodes: its check (an RPC
    # through the broker) passed since the node stopped.
    STEPS.run("every other container healthy, one node down", deployment.wait_healthy,
              600, ("rabbitmq",), stopped)
    wait_for_figures(platform, (count + 1, raised + 3100, dashboard_raised + 3100))
    STEPS.run("smoke journey, one node down", journey, platform, funder)
    assert all(queue["type"] == "quorum" for name, queue in queues(deployment, "rabbitmq-2")
               .items() if not name.startswith("rpc.reply-"))


def test_down_removes_containers_networks_and_volumes(deployment):
    STEPS.run("compose down -v", deployment.compose, "down", "-v", "--remove-orphans")
    assert deployment.leftovers() == {"containers": [], "networks": [], "volumes": []}
