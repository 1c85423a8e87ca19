"""Contributions per second through the gateway, and event propagation to reporting.

A contribution here is the citizen's POST: gateway, RPC, funding's commit with its
outbox, and the payment created at the simulated provider. Propagation is timed from
the payer's confirmation at the provider (signed webhook, capture, event) to the
contribution's count in reporting's summary.

    make bench                  (or: python -m bench.contributions --requests 2000)

Starts the whole platform as local processes (the commands `make run` uses) on fresh
databases (PostgreSQL when TEST_DATABASE_URL is set, else SQLite) and a fresh vhost,
then prints its figures and writes them to artifacts/bench-contributions.json. It
asserts nothing: figures are read, compared and explained, not tested.
"""
import argparse
import json
import os
import secrets
import subprocess
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests
import sqlalchemy as sa

from shared.config import REPO_ROOT, SERVICE_NAMES
from shared.database import create_engine
from tests.support.broker import Vhosts
from tests.support.databases import Databases
from tests.support.paysim import Paysim
from tests.support.platform import Processes, executable, free_port, wait_ready

PASSWORD = "benchmark passphrase"


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_by_component(processes) -> dict:
    """CPU seconds used so far by each platform process, RabbitMQ and PostgreSQL."""
    usage = {name: cpu_seconds(process.pid) for name, (process, _) in processes.children.items()}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "comm").read_text().strip()
            component = {"beam.smp": "rabbitmq", "postgres": "postgresql"}.get(command)
            if component:
                usage[component] = usage.get(component, 0.0) + cpu_seconds(int(entry.name))
        except OSError:
            continue
    # gunicorn workers are children of the gateway's master
    for child in Path("/proc").iterdir():
        if child.name.isdigit():
            try:
                stat = (child / "stat").read_text()
                parent = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if parent == processes.children["gateway"][0].pid:
                usage["gateway"] += cpu_seconds(int(child.name))
    return usage


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def stand_up(workdir: Path, gateway_workers: int):
    vhosts = Vhosts(os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/"),
                    os.environ.get("RABBITMQ_MANAGEMENT_URL"))
    databases = Databases(os.environ.get("TEST_DATABASE_URL") or None, workdir)
    urls = {name: databases.new(name) for name in SERVICE_NAMES}
    port = free_port()
    env = {"AMQP_URI": vhosts.create(), "GATEWAY_BIND": f"127.0.0.1:{port}",
           "GATEWAY_WORKERS": str(gateway_workers), "LOG_LEVEL": "WARNING",
           "JWT_SECRET": secrets.token_hex(32), "PUBLIC_URL": f"http://127.0.0.1:{port}",
           **{f"{name.upper()}_DATABASE_URL": url for name, url in urls.items()}}
    processes = Processes(env, workdir)
    paysim = Paysim(webhook_url=f"http://127.0.0.1:{port}/api/v1/payments/webhook",
                    processes=processes)
    processes.env.update(paysim.funding_env())
    paysim.start()
    processes.start(*SERVICE_NAMES, "gateway")
    base = f"http://127.0.0.1:{port}"
    wait_ready(base)
    return base + "/api/v1", urls, processes, vhosts, databases, paysim


def bearer(api, email):
    answer = requests.post(f"{api}/auth/login", json={"email": email, "password": PASSWORD})
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def accounts(api, processes):
    """A staff account made by the operator's command, and a citizen who signs up."""
    subprocess.run(executable(["python", "-m", "deploy.accounts", "create", "--email",
                               "staff@bench.example", "--name", "Bench", "--role", "animator",
                               "--password-stdin"]),
                   input=PASSWORD + "\n", text=True, env=processes.env, cwd=REPO_ROOT,
                   check=True, capture_output=True)
    requests.post(f"{api}/auth/signup", json={"email": "citizen@bench.example",
                                              "password": PASSWORD, "display_name": "Bench"}
                  ).raise_for_status()
    return bearer(api, "staff@bench.example"), bearer(api, "citizen@bench.example")


def live_campaign(api, staff):
    http = requests.Session()
    http.headers.update(staff)
    project = http.post(f"{api}/projects", json={
        "title": "Banc d'essai", "summary": "Mesure.", "field": "citizen_economy",
        "founders": "Banc",
        "commune": "Trévoux"}).json()
    campaign = http.post(f"{api}/campaigns", json={
        "project_id": project["id"], "title": "Mesure", "goal_cents": 10**9,
        "deadline": (datetime.now(timezone.utc) + timedelta(days=1)).isoformat()}).json()
    for step in ("submit", "approve"):
        http.post(f"{api}/campaigns/{campaign['id']}/{step}").raise_for_status()
    return campaign["id"]


def contribute(session, api, campaign_id, amount=500):
    """One contribution; `session` carries the citizen's Authorization header. Returns
    (seconds, the contribution)."""
    started = time.perf_counter()
    answer = session.post(f"{api}/campaigns/{campaign_id}/contributions",
                          json={"amount_cents": amount},
                          headers={"Idempotency-Key": uuid.uuid4().hex}, timeout=30)
    answer.raise_for_status()
    return time.perf_counter() - started, answer.json()


def citizen_session(citizen):
    session = requests.Session()
    session.headers.update(citizen)
    return session


def load(api, campaign_id, citizen, requests_count, concurrency):
    local = threading.local()

    def one(_):
        if not hasattr(local, "session"):
            local.session = citizen_session(citizen)
        return contribute(local.session, api, campaign_id)[0]

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        latencies = list(pool.map(one, range(requests_count)))
    elapsed = time.perf_counter() - started
    return {"requests": requests_count, "concurrency": concurrency,
            "per_second": round(requests_count / elapsed, 1),
            "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
            "p99_ms": round(percentile(latencies, 0.99) * 1000, 1)}


def propagation(api, campaign_id, citizen, reporting_url, probes, paysim):
    """From the payer's confirmation at the provider to the contribution's count in the
    summary projection, read straight from reporting's database every millisecond."""
    engine = create_engine(reporting_url)
    session = citizen_session(citizen)
    query = sa.text("SELECT contributions FROM summary WHERE id = 'platform'")
    delays = []
    with engine.connect() as connection:
        def counted():
            value = connection.execute(query).scalar()
            connection.rollback()
            return value
        for _ in range(probes):
            before = counted()
            _, contribution = contribute(session, api, campaign_id)
            paysim.pay(contribution["payment_url"].rsplit("/", 1)[-1])
            answered = time.perf_counter()
            while counted() <= before:
                time.sleep(0.001)
            delays.append(time.perf_counter() - answered)
    engine.dispose()
    return {"probes": probes, "p50_ms": round(percentile(delays, 0.50) * 1000, 1),
            "p99_ms": round(percentile(delays, 0.99) * 1000, 1)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--probes", type=int, default=200)
    parser.add_argument("--gateway-workers", type=int, default=2)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as workdir:
        api, urls, processes, vhosts, databases, paysim = stand_up(Path(workdir),
                                                                   args.gateway_workers)
        try:
            staff, citizen = accounts(api, processes)
            campaign_id = live_campaign(api, staff)
            load(api, campaign_id, citizen, 200, args.concurrency)  # warm-up: pools, caches
            cpu_before = cpu_by_component(processes)
            throughput = load(api, campaign_id, citizen, args.requests, args.concurrency)
            cpu_after = cpu_by_component(processes)
            throughput["cpu_ms_per_request"] = {
                name: round((cpu_after[name] - cpu_before.get(name, 0.0)) * 1000 / args.requests, 2)
                for name in cpu_after}
            delays = propagation(api, campaign_id, citizen, urls["reporting"], args.probes,
                                 paysim)
        finally:
            processes.stop()
            vhosts.delete_all()
            databases.drop_all()

    result = {"database": "postgresql" if os.environ.get("TEST_DATABASE_URL") else "sqlite",
              "cpus": os.cpu_count(), "contributions": throughput, "propagation": delays}
    print(f"database: {result['database']}, cpus: {result['cpus']}")
    print(f"contributions through the gateway, concurrency {throughput['concurrency']}: "
          f"{throughput['per_second']}/s, p50 {throughput['p50_ms']} ms, "
          f"p99 {throughput['p99_ms']} ms ({throughput['requests']} requests)")
    print("CPU per request (ms): " + ", ".join(
        f"{name} {value}" for name, value in throughput["cpu_ms_per_request"].items()))
    print(f"payer confirms -> reporting summary: p50 {delays['p50_ms']} ms, "
          f"p99 {delays['p99_ms']} ms ({delays['probes']} probes)")
    out = REPO_ROOT / "artifacts" / "bench-contributions.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
