"""`make run`: the whole platform as local processes, stopped cleanly by Ctrl-C.

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

STOP_GRACE_SECONDS = 15
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
    if docker_works():
        print(f"No RabbitMQ at {amqp_uri}: starting the compose file's rabbitmq...", flush=True)
        subprocess.run(["docker", "compose", "up", "-d", "--wait", "rabbitmq"], check=True)
        if broker_answers(amqp_uri):
            return
    sys.exit(f"No RabbitMQ answers at {amqp_uri}: start one with `rabbitmq-server -detached` "
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


def main():
    settings = Settings()
    ensure_broker(settings.amqp_uri)
    env = platform_env(os.environ)
    children = {name: subprocess.Popen(executable(command), cwd=REPO_ROOT, env=env)
                for name, command in COMMANDS.items()}
    bind = os.environ.get("GATEWAY_BIND") or GATEWAY_BIND
    print(f"Domb'Innov is starting: http://{bind}/readyz then http://{bind}/api/v1/, "
          f"payments simulated at {env['PAYMENT_PROVIDER_URL']}, "
          f"mails sent through {env['SMTP_HOST']}:{env['SMTP_PORT']} "
          "(the local catcher keeps them in var/mail/new) (Ctrl-C stops everything)",
          flush=True)

    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for name, child in children.items():
            if child.poll() is not None:
                print(f"{name} exited with code {child.returncode}; stopping the rest.",
                      file=sys.stderr, flush=True)
                exit_code, stopping = 1, True
                break
        time.sleep(0.5)

    for child in children.values():
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for child in children.values():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    print("Domb'Innov stopped.", flush=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
