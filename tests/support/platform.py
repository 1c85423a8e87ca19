"""The platform's real processes, started with the commands `make run` and compose use."""
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import requests

from deploy.processes import COMMANDS
from shared.config import REPO_ROOT
from tests.support.waiting import wait_until


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def executable(command):
    binary = Path(sys.executable).parent / command[0]
    return [str(binary) if binary.exists() else command[0], *command[1:]]


class Processes:
    """Starts named processes (a name of deploy.processes.COMMANDS, or `name#2` for a
    second replica); stops them with SIGTERM, as compose and Ctrl-C do."""

    def __init__(self, env: dict, log_dir: Path):
        self.env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), **env}
        self.log_dir = log_dir
        self.children = {}

    def start(self, *names, **env):
        """Start `names`; keyword arguments override environment variables for them."""
        for name in names:
            command = COMMANDS[name.split("#")[0]]
            log = open(self.log_dir / f"{name.replace('#', '-')}.log", "ab")
            self.children[name] = (subprocess.Popen(executable(command), cwd=REPO_ROOT,
                                                    env={**self.env, **env}, stdout=log,
                                                    stderr=subprocess.STDOUT), log)
        return self

    def stop(self, *names):
        for name in names or list(self.children):
            process, log = self.children.pop(name)
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            log.close()

    def log(self, name) -> str:
        return (self.log_dir / f"{name.replace('#', '-')}.log").read_text()

    def assert_running(self):
        for name, (process, _) in self.children.items():
            assert process.poll() is None, f"{name} exited:\n{self.log(name)[-3000:]}"


def wait_ready(base_url: str, timeout=60.0):
    def ready():
        try:
            return requests.get(f"{base_url}/readyz", timeout=3).status_code == 200
        except requests.RequestException:
            return False
    wait_until(ready, timeout=timeout, interval=0.3, message=f"{base_url}/readyz")
