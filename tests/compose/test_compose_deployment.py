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
import tempfile
import uuid
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from deploy.standins import build
from shared.config import REPO_ROOT, SERVICE_NAMES
from shared.migrate import alembic_config
from tests.support.compose import Deployment
from tests.support.funding import contribute, live_campaign, pay, payment_id, wait_for_status
from tests.support.running_platform import PASSWORD
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.compose, pytest.mark.timeout(2400)]

CACHE = Path(os.environ.get("COMPOSE_CACHE", REPO_ROOT / ".cache" / "compose"))
STEPS = build.Steps()
PROJECTIONS_TIMEOUT = 90  # a loaded CI machine, and a broker or a service coming back


@pytest.fixture(scope="module")
def deployment(request):
    chosen = STEPS.run("images (pulled, loaded or built)", build.images, CACHE, STEPS)
    STEPS.run("build the platform image", build.build_platform, chosen,
              "dombinnov/platform:latest")
    with tempfile.TemporaryDirectory(prefix="compose-test-") as workdir:
        deployed = Deployment(Path(workdir), build.override(chosen))
        failures = request.session.testsfailed
        try:
            STEPS.run("compose up (every container healthy)", up, deployed)
            yield deployed
        finally:
            if request.session.testsfailed > failures or not hasattr(deployed, "up"):
                print(deployed.logs())
            # Whatever happened: nothing of the project stays in the engine.
            if deployed.leftovers() != {"containers": [], "networks": [], "volumes": []}:
                deployed.compose("down", "-v", "--remove-orphans", "--timeout", "20",
                                 check=False)


def up(deployed):
    deployed.compose("up", "-d", "--no-build")
    deployed.wait_healthy()
    deployed.up = True


@pytest.fixture(scope="module")
def platform(deployment):
    return deployment.platform()


@pytest.fixture(scope="module")
def funder(platform):
    """A funder's account: the dashboard's reader."""
    email = f"financeur-{uuid.uuid4().hex[:8]}@example.org"
    answer = platform.post("/accounts", {"email": email, "password": PASSWORD,
                                         "display_name": "Région", "roles": ["funder"]})
    assert answer.status_code == 201, answer.text
    platform._headers["compose-funder"] = {
        "Authorization": f"Bearer {platform.login(email)['access_token']}"}
    return email


def figures(platform):
    summary = platform.get("/reports/summary").json()
    dashboard = platform.get("/reports/dashboard", as_="compose-funder").json()
    return summary["contributions"], summary["amount_raised_cents"], \
        dashboard["funding"]["totals"]["raised_cents"]


def wait_for_figures(platform, expected):
    return wait_until(lambda: figures(platform) == expected, timeout=PROJECTIONS_TIMEOUT,
                      interval=0.5, message=f"reporting and the dashboard to read {expected}")


def journey(platform, funder, amount_cents=2500, before_paying=None):
    """A citizen signs up, contributes through the payment simulator; the contribution
    reaches reporting, the funders' dashboard (API and page). `before_paying` runs
    between the contribution and its payment."""
    count, raised, dashboard_raised = figures(platform)
    email = f"citoyen-{uuid.uuid4().hex[:8]}@example.org"
    signed_up = platform.post("/auth/signup", {"email": email, "password": PASSWORD,
                                               "display_name": "Camille"}, as_=None)
    assert signed_up.status_code == 201, signed_up.text
    citizen = {"Authorization": f"Bearer {platform.login(email)['access_token']}"}

    campaign = live_campaign(platform)
    started = contribute(platform, campaign["id"], amount_cents, headers=citizen)
    assert started.status_code == 201, started.text
    contribution = started.json()
    assert contribution["payment_url"].startswith(platform.paysim.base_url + "/")
    if before_paying:
        before_paying()
    pay(platform, contribution)
    paid = wait_for_status(platform, contribution["id"], "captured",
                           timeout=PROJECTIONS_TIMEOUT)
    assert paid["amount_cents"] == amount_cents

    wait_for_figures(platform, (count + 1, raised + amount_cents,
                                dashboard_raised + amount_cents))
    page = platform.page_session(funder).get(platform.base_url + "/tableau-de-bord",
                                             timeout=15)
    assert page.status_code == 200 and "Tableau de bord" in page.text
    return contribution


def test_every_container_is_healthy_and_each_database_migrated_once(deployment):
    names = {c["Config"]["Labels"]["com.docker.compose.service"]
             for c in deployment.containers()}
    assert names == {"rabbitmq", "postgres", *SERVICE_NAMES, "gateway", "paysim", "mail",
                     "prometheus"}
    for name in SERVICE_NAMES:
        assert_migrated_once(deployment, name)


def assert_migrated_once(deployment, name):
    """The database at its head, and no replica of the service failed on its way (a
    second run of the migrations would fail on the tables the first made, and restart)."""
    head = ScriptDirectory.from_config(alembic_config(name, "sqlite://")).get_current_head()
    assert deployment.psql(name, "SELECT version_num FROM alembic_version") == head
    for container in deployment.containers(name):
        assert container["RestartCount"] == 0, container["Name"]
    assert "Traceback" not in deployment.logs(name)


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
    count, raised, dashboard_raised = figures(platform)
    deployment.compose("stop", "reporting")
    campaign = live_campaign(platform)
    started = contribute(platform, campaign["id"], 3100)
    assert started.status_code == 201, started.text
    pay(platform, started.json())
    wait_for_status(platform, started.json()["id"], "captured", timeout=PROJECTIONS_TIMEOUT)
    # The confirmation waits in reporting's durable queue while the broker restarts.
    STEPS.run("restart the broker", deployment.compose, "restart", "rabbitmq")
    deployment.compose("start", "reporting")
    STEPS.run("every container healthy after the broker's restart", deployment.wait_healthy)
    wait_for_figures(platform, (count + 1, raised + 3100, dashboard_raised + 3100))
    STEPS.run("smoke journey after the broker's restart", journey, platform, funder)


def test_down_removes_containers_networks_and_volumes(deployment):
    STEPS.run("compose down -v", deployment.compose, "down", "-v", "--remove-orphans")
    assert deployment.leftovers() == {"containers": [], "networks": [], "volumes": []}
