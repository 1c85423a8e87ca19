"""The platform as docker-compose.yml deploys it: brought up under a project name of its
own with a fresh .env of random secrets, driven through its published ports, torn down
with its volumes (`make compose-test`, tests/compose); the smoke journey the tests
drive through it."""
import json
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import uuid
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import requests
import yaml
from alembic.script import ScriptDirectory

from deploy.standins import build
from shared.config import REPO_ROOT
from shared.migrate import alembic_config
from tests.support.funding import contribute, live_campaign, pay, wait_for_status
from tests.support.paysim import Paysim
from tests.support.platform import free_port
from tests.support.running_platform import PASSWORD, Platform
from tests.support.waiting import wait_until

DOCKER = os.environ.get("DOCKER", "docker")
CACHE = Path(os.environ.get("COMPOSE_CACHE", REPO_ROOT / ".cache" / "compose"))
PROJECTIONS_TIMEOUT = 90  # a loaded CI machine, and a broker or a service coming back
# CI's two cores are shared with the suite's other runs: a health check (a process that
# imports the platform, or an Erlang VM) may take longer than production's 20 seconds.
HEALTH_CHECK_TIMEOUT = os.environ.get("COMPOSE_HEALTH_CHECK_TIMEOUT", "90s")


def compose_command() -> list[str]:
    """The compose CLI this machine has: the v2 plugin, or Debian's docker-compose (v1)."""
    if subprocess.run([DOCKER, "compose", "version"], capture_output=True).returncode == 0:
        return [DOCKER, "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    raise AssertionError("neither `docker compose` nor `docker-compose` is installed "
                         "(make compose-test installs Debian's docker-compose)")


def with_health_check_timeout(override: str, files, timeout: str) -> str:
    """`override`, giving every health check of the compose `files` `timeout`."""
    merged = yaml.safe_load(override or "") or {}
    services = merged["services"] = merged.get("services") or {}
    for path in files:
        for name, service in (yaml.safe_load(path.read_text())["services"] or {}).items():
            if "healthcheck" in service:
                services.setdefault(name, {})["healthcheck"] = {**service["healthcheck"],
                                                                "timeout": timeout}
    return yaml.safe_dump(merged, sort_keys=False)


class Deployment:
    """One compose project: its .env, the compose files (docker-compose.yml, then
    `files`, then the override naming stand-in images), its containers."""

    def __init__(self, workdir: Path, override: str, project: str | None = None,
                 files: tuple[Path, ...] = ()):
        self.project = project or f"dombinnov-test-{uuid.uuid4().hex[:8]}"
        self.workdir = workdir
        self.ports = {name: free_port() for name in ("gateway", "paysim", "management",
                                                     "prometheus")}
        self.base_url = f"http://127.0.0.1:{self.ports['gateway']}"
        self.paysim_url = f"http://127.0.0.1:{self.ports['paysim']}"
        self.prometheus_url = f"http://127.0.0.1:{self.ports['prometheus']}"
        self.env = {
            # The secrets an operator writes in .env (README, "Deploy it").
            "RABBITMQ_PASSWORD": secrets.token_hex(24),
            "POSTGRES_PASSWORD": secrets.token_hex(24),
            "JWT_SECRET": secrets.token_hex(32),
            "PAYMENT_API_KEY": f"sk_test_{secrets.token_hex(24)}",
            "PAYMENT_WEBHOOK_SECRET": f"whsec_{secrets.token_hex(24)}",
            # The RabbitMQ nodes' shared secret (deploy/compose/rabbitmq-cluster.yml).
            "RABBITMQ_ERLANG_COOKIE": secrets.token_hex(24),
            # The demo profile: the simulated provider and the mail catcher.
            "COMPOSE_PROFILES": "demo",
            "PAYMENT_PROVIDER_URL": "http://paysim:8100",
            "SMTP_HOST": "mail", "SMTP_PORT": "1025", "SMTP_STARTTLS": "false",
            # Ports of this host nothing else uses, and the addresses they make.
            "GATEWAY_PORT": str(self.ports["gateway"]),
            "PAYSIM_PORT": str(self.ports["paysim"]),
            "RABBITMQ_MANAGEMENT_PORT": str(self.ports["management"]),
            "PROMETHEUS_PORT": str(self.ports["prometheus"]),
            "PUBLIC_URL": self.base_url,
            "PAYMENT_PAGE_URL": self.paysim_url,
            # CI's two cores are shared with the suite's other runs: the gateway waits
            # longer for a service than production's 5 seconds before answering 503.
            "RPC_TIMEOUT": "30",
        }
        self.env_file = workdir / ".env"
        self.env_file.write_text("".join(f"{key}={value}\n" for key, value in self.env.items()))
        self.override_file = workdir / "standins.yml"
        self.files = (REPO_ROOT / "docker-compose.yml", *files, self.override_file)
        self.override_file.write_text(with_health_check_timeout(
            override, self.files[:-1], HEALTH_CHECK_TIMEOUT))
        self.command = compose_command()

    def compose(self, *args, check=True, timeout=900, input=None, env_file=None):
        files = [option for path in self.files for option in ("-f", str(path))]
        # Only what compose needs from this process: the .env alone sets the variables.
        env = {key: os.environ[key] for key in ("PATH", "HOME", "DOCKER_HOST")
               if key in os.environ}
        env["COMPOSE_PROFILES"] = self.env["COMPOSE_PROFILES"]
        run = subprocess.run([*self.command, "--project-name", self.project, "--env-file",
                              str(env_file or self.env_file), *files, *args], env=env,
                             cwd=REPO_ROOT,
                             capture_output=True, text=True, timeout=timeout, input=input)
        if check and run.returncode:
            raise AssertionError(f"compose {' '.join(args)} failed:\n{run.stdout}{run.stderr}")
        return run

    def docker(self, *args, check=True, timeout=300):
        run = subprocess.run([DOCKER, *args], capture_output=True, text=True, timeout=timeout)
        if check and run.returncode:
            raise AssertionError(f"docker {' '.join(args)} failed:\n{run.stdout}{run.stderr}")
        return run.stdout

    def containers(self, service: str | None = None, all: bool = True) -> list[dict]:
        """`docker inspect` of the project's containers (of one service)."""
        filters = ["--filter", f"label=com.docker.compose.project={self.project}"]
        if service:
            filters += ["--filter", f"label=com.docker.compose.service={service}"]
        ids = self.docker("ps", "-q", *(["-a"] if all else []), *filters).split()
        return json.loads(self.docker("inspect", *ids)) if ids else []

    def leftovers(self) -> dict[str, list[str]]:
        """What the project still holds in the engine: containers, networks, volumes."""
        label = f"label=com.docker.compose.project={self.project}"
        return {"containers": self.docker("ps", "-aq", "--filter", label).split(),
                "networks": self.docker("network", "ls", "-q", "--filter", label).split(),
                "volumes": self.docker("volume", "ls", "-q", "--filter", label).split()}

    def wait_healthy(self, timeout=600, stopped=(), checked_since: datetime | None = None):
        """Every container running and healthy, but those of the services `stopped`.

        With `checked_since`, healthy by a check that started after that moment: Docker
        keeps a container healthy until `retries` checks in a row fail, so right after a
        broker node went away every service still reads healthy, its connections not yet
        made again."""
        def reading(container):
            health = container["State"].get("Health", {})
            status = health.get("Status")
            if checked_since and status == "healthy" and not passed_since(health, checked_since):
                status = "healthy, not checked since"
            return container["State"]["Status"], status

        def all_healthy():
            states = {c["Name"]: reading(c) for c in self.containers()
                      if c["Config"]["Labels"]["com.docker.compose.service"] not in stopped}
            sick = {name: state for name, state in states.items()
                    if state != ("running", "healthy")}
            if any(status in ("exited", "dead") for status, _ in sick.values()):
                raise AssertionError(f"containers stopped: {sick}\n{self.logs()}")
            return states and not sick and states
        return wait_until(all_healthy, timeout=timeout, interval=2,
                          message="every container healthy")

    def logs(self, service: str | None = None) -> str:
        return self.compose("logs", "--no-color", *([service] if service else []),
                            check=False).stdout

    def psql(self, database: str, sql: str) -> str:
        return self.compose("exec", "-T", "postgres", "psql", "-U", "postgres", "-d", database,
                            "-Atc", sql).stdout.strip()

    def platform(self) -> "ComposePlatform":
        return ComposePlatform(self)

    def up(self):
        self.compose("up", "-d", "--no-build")
        self.wait_healthy()
        self.is_up = True


def passed_since(health: dict, moment: datetime) -> bool:
    """The container's latest health check started after `moment` and passed. (Docker
    writes nanoseconds and a Z, which Python 3.11's fromisoformat reads.)"""
    checks = health.get("Log") or []
    return bool(checks) and checks[-1]["ExitCode"] == 0 \
        and datetime.fromisoformat(checks[-1]["Start"]) > moment


@contextmanager
def deployed(request, steps: build.Steps, files: tuple[Path, ...] = (),
             nodes: dict | None = None):
    """The platform's images (stand-ins where the registry's cannot be pulled; `nodes`:
    services running one of them under another name, build.override), then the project
    up, every container healthy; its logs shown if a test failed, and nothing of it left
    in the engine afterwards, whatever happened."""
    chosen = steps.run("images (pulled, loaded or built)", build.images, CACHE, steps)
    steps.run("build the platform image", build.build_platform, chosen,
              "dombinnov/platform:latest")
    with tempfile.TemporaryDirectory(prefix="compose-test-") as workdir:
        deployment = Deployment(Path(workdir), build.override(chosen, nodes), files=files)
        failures = request.session.testsfailed
        try:
            steps.run("compose up (every container healthy)", deployment.up)
            yield deployment
        finally:
            if request.session.testsfailed > failures or not hasattr(deployment, "is_up"):
                print(deployment.logs())
            if deployment.leftovers() != {"containers": [], "networks": [], "volumes": []}:
                deployment.compose("down", "-v", "--remove-orphans", "--timeout", "20",
                                   check=False)


def assert_migrated_once(deployment, name):
    """The database at its head, and no replica of the service failed on its way (a
    second run of the migrations would fail on the tables the first made, and restart)."""
    head = ScriptDirectory.from_config(alembic_config(name, "sqlite://")).get_current_head()
    assert deployment.psql(name, "SELECT version_num FROM alembic_version") == head
    for container in deployment.containers(name):
        assert container["RestartCount"] == 0, container["Name"]
    assert "Traceback" not in deployment.logs(name)


def new_funder(platform) -> str:
    """A funder's account, the dashboard's reader, signed in as "compose-funder"."""
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
    assert signed_up.status_code == 202, signed_up.text
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


def contribution_waiting_for(deployment, platform, service, amount_cents):
    """A contribution paid while `service` is stopped: its confirmation waits in the
    service's durable queue. Figures before it are returned."""
    before = figures(platform)
    deployment.compose("stop", service)
    campaign = live_campaign(platform)
    started = contribute(platform, campaign["id"], amount_cents)
    assert started.status_code == 201, started.text
    pay(platform, started.json())
    wait_for_status(platform, started.json()["id"], "captured", timeout=PROJECTIONS_TIMEOUT)
    return before


class ComposePaysim(Paysim):
    """The demo profile's paysim, through its published port."""

    def __init__(self, base_url: str, api_key: str):
        self.base_url, self.api_key = base_url, api_key
        self.http = requests.Session()


class ComposePlatform(Platform):
    """The client the e2e tests use, pointed at the gateway compose publishes; the
    staff account is made with the operator's command inside the members container."""

    def __init__(self, deployment: Deployment):
        super().__init__(deployment.base_url, {}, None,
                         ComposePaysim(deployment.paysim_url, deployment.env["PAYMENT_API_KEY"]))
        self.deployment = deployment

    def create_by_command(self, email, roles):
        # As patient as the gateway (RPC_TIMEOUT in .env): hashing a password on a
        # loaded CI machine may take longer than the default 5 seconds.
        command = ["exec", "-T", "-e", f"RPC_TIMEOUT={self.deployment.env['RPC_TIMEOUT']}",
                   "members", "python", "-m", "deploy.accounts", "create",
                   "--email", email, "--name", "Ops", "--password-stdin"]
        for role in roles:
            command += ["--role", role]
        return self.deployment.compose(*command, input=PASSWORD + "\n", timeout=120).stdout

    def page_session(self, email: str) -> requests.Session:
        """A browser-like session signed in through the login page."""
        session = requests.Session()
        page = session.get(self.base_url + "/connexion", timeout=15)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        answer = session.post(self.base_url + "/connexion", timeout=15, allow_redirects=False,
                              data={"email": email, "password": PASSWORD, "csrf_token": token})
        assert answer.status_code == 303, answer.text
        return session
