"""`make run`: the whole platform as local processes, stopped cleanly by Ctrl-C.

A process that dies (a crash, kill -9, the OOM killer) is started again after a
growing delay, as compose's `restart: unless-stopped` would, and the console says so;
the others keep running, so the payment simulator keeps its payments.

Services, gateway, the simulated payment provider and the mail catcher run the
commands of deploy/processes.py, on SQLite files under ./var unless
`<SERVICE>_DATABASE_URL` says otherwise, and the RabbitMQ at AMQP_URI.
"""
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import kombu

from deploy.processes import COMMANDS
from shared.config import REPO_ROOT, Settings
from shared.http_health import reachable
from shared.logs import mask_passwords

STOP_GRACE_SECONDS = 15
# A crashed process starts again after 1 s, then 2, 4... at most 30 s; once it has
# stayed up this long, its next crash counts from 1 again.
RESTART_FIRST_DELAY, RESTART_MAX_DELAY = 1.0, 30.0
STABLE_AFTER_SECONDS = 60.0
GATEWAY_BIND = "127.0.0.1:8000"
PAYSIM_BIND = "127.0.0.1:8100"
MAIL_BIND = "127.0.0.1:1025"


def broker_answers(amqp_uri: str) -> bool:
    try:
        with kombu.Connection(amqp_uri, connect_timeout=3) as connection:
            connection.ensure_connection(max_retries=1)
        return True
    except Exception:
        return False


def docker_works() -> bool:
    return shutil.which("docker") is not None and subprocess.run(
        ["docker", "info"], capture_output=True).returncode == 0


def ensure_broker(amqp_uri: str) -> None:
    if broker_answers(amqp_uri):
        return
    shown = mask_passwords(amqp_uri)
    if docker_works():
        print(f"No RabbitMQ at {shown}: starting the compose file's rabbitmq...", flush=True)
        subprocess.run(["docker", "compose", "up", "-d", "--wait", "rabbitmq"], check=True)
        if broker_answers(amqp_uri):
            return
    sys.exit(f"No RabbitMQ answers at {shown}: start one with `rabbitmq-server -detached` "
             "or `docker compose up -d rabbitmq`, or set AMQP_URI.")


def executable(command):
    """Run the venv's own python and gunicorn, whatever PATH says."""
    binary = Path(sys.executable).parent / command[0]
    return [str(binary) if binary.exists() else command[0], *command[1:]]


def share_secret(env: dict, *names: str) -> None:
    """Give every variable of `names` the value one of them has, or a new one: paysim
    and funding must hold the same API key and the same webhook secret."""
    value = next((env[name] for name in names if env.get(name)), None) or secrets.token_hex(32)
    for name in names:
        env[name] = env.get(name) or value


def platform_env(environ) -> dict:
    env = {**environ, "PYTHONPATH": str(REPO_ROOT)}
    if not env.get("JWT_SECRET"):
        # Tokens signed with it die with this run; set JWT_SECRET to keep them.
        env["JWT_SECRET"] = secrets.token_hex(32)
    share_secret(env, "PAYMENT_API_KEY", "PAYSIM_API_KEY")
    share_secret(env, "PAYMENT_WEBHOOK_SECRET", "PAYSIM_WEBHOOK_SECRET")
    # Funding calls paysim, paysim posts its webhooks to the gateway and sends the payer
    # back to it: each where the other listens, unless told otherwise.
    gateway = f"http://{reachable(env.get('GATEWAY_BIND') or GATEWAY_BIND)}"
    # Notifications mail through the local catcher (deploy/mail_catcher.py, started
    # with the rest), unless SMTP_HOST names a real server.
    mail_host, _, mail_port = reachable(env.get("MAIL_BIND") or MAIL_BIND).rpartition(":")
    defaults = {
        "PAYMENT_PROVIDER_URL": f"http://{reachable(env.get('PAYSIM_BIND') or PAYSIM_BIND)}",
        "PAYSIM_WEBHOOK_URL": f"{gateway}/api/v1/payments/webhook",
        "PUBLIC_URL": gateway,
        "SMTP_HOST": mail_host,
        "SMTP_PORT": mail_port,
    }
    for name, value in defaults.items():
        env[name] = env.get(name) or value
    return env


class Supervised:
    """One process of the platform, started again when it dies."""

    def __init__(self, name, command, env):
        self.name, self.command, self.env = name, command, env
        self.process = None
        self.started_at = 0.0
        self.crashes = 0          # crashes in a row, each soon after its start
        self.restart_at = None    # when a crashed process is due to start again

    def start(self):
        self.process = subprocess.Popen(executable(self.command), cwd=REPO_ROOT, env=self.env)
        self.started_at, self.restart_at = time.monotonic(), None

    def check(self, now):
        """Notice a crash (and say when it restarts), or restart a process now due."""
        if self.restart_at is not None:
            if now >= self.restart_at:
                self.start()
                say(f"{self.name} restarted (pid {self.process.pid}).")
            return
        code = self.process.poll()
        if code is None:
            return
        self.crashes = crashes_in_a_row(self.crashes, stayed_up=now - self.started_at)
        delay = restart_delay(self.crashes)
        self.restart_at = now + delay
        say(f"{self.name} exited with code {code} ({describe_exit(code)}); "
            f"restarting it in {delay:g} s (crash {self.crashes} in a row).")

    def terminate(self):
        if self.restart_at is None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def wait(self, deadline):
        if self.restart_at is not None:
            return
        try:
            self.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def restart_delay(crashes: int) -> float:
    """Seconds before starting again a process that crashed `crashes` times in a row:
    1 s, doubling each time, at most 30 s (compose's `restart: unless-stopped` backs off
    the same way), so a process that cannot start does not spin."""
    return min(RESTART_MAX_DELAY, RESTART_FIRST_DELAY * 2 ** (crashes - 1))


def crashes_in_a_row(previous: int, stayed_up: float) -> int:
    """A crash after the process stayed up a while starts the count again."""
    return 1 if stayed_up >= STABLE_AFTER_SECONDS else previous + 1


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return "crashed" if code else "stopped by itself"


def say(line: str) -> None:
    print(f"[make run] {line}", flush=True)


def main():
    settings = Settings()
    ensure_broker(settings.amqp_uri)
    env = platform_env(os.environ)
    children = [Supervised(name, command, env) for name, command in COMMANDS.items()]
    for child in children:
        child.start()
    bind = os.environ.get("GATEWAY_BIND") or GATEWAY_BIND
    print(f"Domb'Innov is starting: http://{bind}/readyz then http://{bind}/api/v1/, "
          f"payments simulated at {env['PAYMENT_PROVIDER_URL']}, "
          f"mails sent through {env['SMTP_HOST']}:{env['SMTP_PORT']} "
          "(the local catcher keeps them in var/mail/new). A process that dies is "
          "started again; Ctrl-C stops everything.", flush=True)

    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping:
        for child in children:
            child.check(time.monotonic())
        time.sleep(0.2)

    for child in children:
        child.terminate()
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for child in children:
        child.wait(deadline)
    print("Domb'Innov stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
