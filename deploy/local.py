"""`make run`: the whole platform as local processes, stopped cleanly by Ctrl-C.

Services and gateway run the commands of deploy/processes.py, on SQLite files under
./var unless `<SERVICE>_DATABASE_URL` says otherwise, and the RabbitMQ at AMQP_URI.
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

STOP_GRACE_SECONDS = 15


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


def main():
    settings = Settings()
    ensure_broker(settings.amqp_uri)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    if not env.get("JWT_SECRET"):
        # Tokens signed with it die with this run; set JWT_SECRET to keep them.
        env["JWT_SECRET"] = secrets.token_hex(32)
    children = {name: subprocess.Popen(executable(command), cwd=REPO_ROOT, env=env)
                for name, command in COMMANDS.items()}
    bind = os.environ.get("GATEWAY_BIND", "127.0.0.1:8000")
    print(f"Domb'Innov is starting: http://{bind}/readyz then http://{bind}/api/v1/ "
          "(Ctrl-C stops everything)", flush=True)

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
