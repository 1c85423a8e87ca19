"""The platform as docker-compose.yml deploys it: brought up under a project name of its
own with a fresh .env of random secrets, driven through its published ports, torn down
with its volumes (`make compose-test`, tests/compose)."""
import json
import os
import re
import secrets
import shutil
import subprocess
import uuid
from pathlib import Path

import requests

from shared.config import REPO_ROOT
from tests.support.paysim import Paysim
from tests.support.platform import free_port
from tests.support.running_platform import PASSWORD, Platform
from tests.support.waiting import wait_until

DOCKER = os.environ.get("DOCKER", "docker")


def compose_command() -> list[str]:
    """The compose CLI this machine has: the v2 plugin, or Debian's docker-compose (v1)."""
    if subprocess.run([DOCKER, "compose", "version"], capture_output=True).returncode == 0:
        return [DOCKER, "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    raise AssertionError("neither `docker compose` nor `docker-compose` is installed "
                         "(make compose-test installs Debian's docker-compose)")


class Deployment:
    """One compose project: its .env, the override naming stand-in images, its containers."""

    def __init__(self, workdir: Path, override: str, project: str | None = None):
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
        self.override_file.write_text(override or "services: {}\n")
        self.command = compose_command()

    def compose(self, *args, check=True, timeout=900, input=None, env_file=None):
        files = ["-f", str(REPO_ROOT / "docker-compose.yml"), "-f", str(self.override_file)]
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

    def wait_healthy(self, timeout=600):
        def all_healthy():
            states = {c["Name"]: (c["State"]["Status"],
                                  c["State"].get("Health", {}).get("Status"))
                      for c in self.containers()}
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
        command = ["exec", "-T", "members", "python", "-m", "deploy.accounts", "create",
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
