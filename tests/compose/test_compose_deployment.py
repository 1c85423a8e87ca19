"""docker-compose.yml brought up for real (`make compose-test`, after the suite in CI):
images built (stand-ins from Debian's packages where the registry's cannot be pulled),
every container healthy, migrations applied once, a contribution through the gateway,
the payment simulator, reporting and the dashboard; then again with funding scaled to
two replicas, with funding crashed and restarted by its policy, with the broker
restarted; `down -v` leaves nothing. Each step says how long it took.

The tests share one deployment and run in file order. Not in `make test`: they need a
Docker engine (marker `compose`, deselected by default).
"""
import os
import signal
from datetime import datetime, timezone

import pytest

from deploy.standins import build
from shared.config import SERVICE_NAMES
from tests.support.compose import (assert_migrated_once, contribution_waiting_for, journey,
                                   wait_for_figures)
from tests.support.funding import payment_id
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.compose, pytest.mark.timeout(2400)]

STEPS = build.Steps()


def test_every_container_is_healthy_and_each_database_migrated_once(deployment):
    names = {c["Config"]["Labels"]["com.docker.compose.service"]
             for c in deployment.containers()}
    assert names == {"rabbitmq", "postgres", *SERVICE_NAMES, "gateway", "paysim", "mail",
                     "prometheus"}
    for name in SERVICE_NAMES:
        assert_migrated_once(deployment, name)


@pytest.mark.parametrize("secret", ["RABBITMQ_PASSWORD", "POSTGRES_PASSWORD", "JWT_SECRET",
                                    "PAYMENT_API_KEY", "PAYMENT_WEBHOOK_SECRET"])
def test_compose_refuses_to_start_without_a_secret(deployment, secret):
    without = deployment.workdir / f"without-{secret}.env"
    without.write_text("".join(f"{key}={value}\n" for key, value in deployment.env.items()
                               if key != secret))
    refused = deployment.compose("config", "--quiet", env_file=without, check=False)
    assert refused.returncode != 0 and secret in refused.stderr, refused.stderr
    assert deployment.compose("config", "--quiet").returncode == 0


def test_each_container_runs_within_its_resource_limits(deployment):
    for container in deployment.containers():
        limits = container["HostConfig"]
        assert limits["Memory"] > 0 and limits["NanoCpus"] > 0, container["Name"]


def test_a_citizen_contributes_and_the_dashboard_shows_it(platform, funder):
    STEPS.run("smoke journey", journey, platform, funder)


def test_prometheus_scrapes_the_gateway(deployment, platform):
    def gateway_up():
        answer = platform.http.get(deployment.prometheus_url + "/api/v1/query",
                                   params={"query": 'up{job="gateway"}'}, timeout=10).json()
        return [sample["value"][1] for sample in answer["data"]["result"]] == ["1"]
    STEPS.run("prometheus scrapes the gateway", wait_until, gateway_up, 120, 2,
              "prometheus to scrape the gateway's /metrics")


def test_two_funding_replicas_serve_the_journey(deployment, platform, funder):
    STEPS.run("scale funding to 2", up_scaled, deployment)
    assert len(deployment.containers("funding")) == 2
    assert_migrated_once(deployment, "funding")
    STEPS.run("smoke journey, funding=2", journey, platform, funder)


def up_scaled(deployment):
    deployment.compose("up", "-d", "--no-build", "--no-recreate", "--scale", "funding=2")
    return deployment.wait_healthy()


def test_funding_crashed_is_restarted_by_its_policy_and_nothing_is_lost(deployment, platform,
                                                                        funder):
    def crash_funding():
        # The main process killed from outside, as the kernel's OOM killer would: a
        # crash. (`docker kill` counts as an operator's stop, which the policy honours.)
        for container in deployment.containers("funding"):
            os.kill(container["State"]["Pid"], signal.SIGKILL)
        STEPS.run("funding restarted by its policy", wait_restarted)

    def wait_restarted():
        wait_until(lambda: all(c["RestartCount"] >= 1 for c in deployment.containers("funding")),
                   timeout=120, interval=1, message="funding restarted by its policy")
        deployment.wait_healthy()

    contribution = STEPS.run("smoke journey, funding crashed before the payment", journey,
                             platform, funder, 4200, crash_funding)
    events = platform.paysim.events(payment_id(contribution))
    assert {event["delivery"]["status"] for event in events} == {"delivered"}


def test_the_broker_restarted_loses_no_event(deployment, platform, funder):
    # The confirmation waits in reporting's durable queue while the broker restarts.
    count, raised, dashboard_raised = contribution_waiting_for(deployment, platform,
                                                               "reporting", 3100)
    STEPS.run("restart the broker", deployment.compose, "restart", "rabbitmq")
    restarted = datetime.now(timezone.utc)
    deployment.compose("start", "reporting")
    STEPS.run("every container healthy after the broker's restart", deployment.wait_healthy,
              600, (), restarted)
    wait_for_figures(platform, (count + 1, raised + 3100, dashboard_raised + 3100))
    STEPS.run("smoke journey after the broker's restart", journey, platform, funder)


def test_down_removes_containers_networks_and_volumes(deployment):
    STEPS.run("compose down -v", deployment.compose, "down", "-v", "--remove-orphans")
    assert deployment.leftovers() == {"containers": [], "networks": [], "volumes": []}
