"""`make run` (deploy/local.py) as a real process tree: a process that dies is started
again, said on the console, and the others run on; SIGTERM stops everything."""
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests

from deploy.local import crashes_in_a_row, restart_delay
from services.funding.payments import PaymentProvider
from shared.config import REPO_ROOT, SERVICE_NAMES
from tests.support.platform import free_port
from tests.support.waiting import wait_until

pytestmark = pytest.mark.timeout(240)


def test_a_crashed_process_waits_longer_after_each_crash_in_a_row_up_to_30_seconds():
    assert [restart_delay(n) for n in range(1, 9)] == [1, 2, 4, 8, 16, 30, 30, 30]


def test_a_crash_after_a_while_up_counts_from_one_again():
    assert crashes_in_a_row(0, stayed_up=0.5) == 1
    assert crashes_in_a_row(3, stayed_up=2.0) == 4
    assert crashes_in_a_row(5, stayed_up=600.0) == 1


def children_of(pid: int) -> dict:
    """{pid: command line} of a process's direct children."""
    found = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                found[int(child)] = Path(f"/proc/{child}/cmdline").read_bytes().replace(
                    b"\0", b" ").decode()
            except FileNotFoundError:  # gone meanwhile
                pass
    return found


def pid_of(supervisor: subprocess.Popen, needle: str) -> int:
    [pid] = [pid for pid, line in children_of(supervisor.pid).items() if needle in line]
    return pid


def readiness(base_url):
    try:
        return requests.get(f"{base_url}/readyz", timeout=5).json()
    except (requests.RequestException, ValueError):
        return {}


def test_make_run_restarts_a_killed_service_and_the_others_keep_their_state(
        vhosts, databases, tmp_path):
    gateway, paysim_port, mail = free_port(), free_port(), free_port()
    api_key = f"sk_test_{uuid.uuid4().hex}"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "AMQP_URI": vhosts.create(),
           "GATEWAY_BIND": f"127.0.0.1:{gateway}", "PAYSIM_BIND": f"127.0.0.1:{paysim_port}",
           "PAYSIM_PUBLIC_URL": f"http://127.0.0.1:{paysim_port}",
           "MAIL_BIND": f"127.0.0.1:{mail}", "DATA_DIR": str(tmp_path), "PAYSIM_API_KEY": api_key,
           "GATEWAY_WORKERS": "1", "GATEWAY_THREADS": "4",
           **{f"{name.upper()}_DATABASE_URL": databases.new(name) for name in SERVICE_NAMES}}
    console_path = tmp_path / "console.txt"
    base_url = f"http://127.0.0.1:{gateway}"
    with open(console_path, "wb") as console:
        supervisor = subprocess.Popen([sys.executable, "-m", "deploy.local"], cwd=REPO_ROOT,
                                      env=env, stdout=console, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: readiness(base_url).get("status") == "ready", timeout=120,
                   message="make run's platform to be ready")
        provider = PaymentProvider(f"http://127.0.0.1:{paysim_port}", api_key)
        payment = provider.create_payment(
            amount_cents=2500, reference="kept", description="Kept across a crash",
            capture="automatic", return_url=None, idempotency_key=uuid.uuid4().hex)
        paysim_pid = pid_of(supervisor, "paysim")
        funding_pid = pid_of(supervisor, "shared.cli start funding")

        os.kill(funding_pid, signal.SIGKILL)
        wait_until(lambda: "funding restarted" in console_path.read_text(), timeout=30,
                   message="the supervisor to start funding again")
        wait_until(lambda: readiness(base_url).get("status") == "ready", timeout=90,
                   message="funding to answer again")
        assert pid_of(supervisor, "shared.cli start funding") != funding_pid
        # Nothing else was stopped: paysim is the same process and keeps its payments.
        assert pid_of(supervisor, "paysim") == paysim_pid
        assert provider.get_payment(payment["id"])["amount_cents"] == 2500
        lines = console_path.read_text().splitlines()
        assert ("[make run] funding exited with code -9 (killed by SIGKILL); "
                "restarting it in 1 s (crash 1 in a row).") in lines
        restarted = [line for line in lines if line.startswith("[make run] funding restarted")]
        new_pid = pid_of(supervisor, "shared.cli start funding")
        assert restarted == [f"[make run] funding restarted (pid {new_pid})."]

        children = children_of(supervisor.pid)
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=60) == 0
        assert "Domb'Innov stopped." in console_path.read_text()
        assert not [pid for pid in children if Path(f"/proc/{pid}").exists()]
    finally:
        if supervisor.poll() is None:
            for pid in children_of(supervisor.pid):
                os.kill(pid, signal.SIGKILL)
            supervisor.kill()
            supervisor.wait()
