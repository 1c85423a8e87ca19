"""Contributions per second through the gateway, and event propagation to reporting.

A contribution here is the citizen's POST: gateway, RPC, funding's commit with its
outbox, the payment created at the simulated provider, and the event published and
archived by reporting. Under a steady background load, two propagation delays are timed:
from a pledge's HTTP answer to its event in reporting's archive (committed with the
projections, in one transaction), and from the payer's confirmation at the provider
(signed webhook, capture, event) to the contribution's count in reporting's summary.

    python -m bench.contributions --requests 2000 --concurrency 16 --concurrency 64 \
        --replicas 1 --replicas 2 [--profile DIR]

Starts the whole platform as local processes (the commands `make run` uses) on fresh
databases (PostgreSQL when TEST_DATABASE_URL is set, else SQLite) and a fresh vhost,
measures with one funding replica, then starts a second one and measures again. With
`--profile DIR`, py-spy samples funding, the gateway's workers and reporting during the
first load and leaves their collapsed stacks in DIR (bench/profile.py summarises them). It
asserts nothing: figures are read, compared and explained, not tested (`make bench`,
bench/run.py, prints them beside the machine's ceilings).
"""
import argparse
import json
import os
import secrets
import shutil
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

from bench.cpu import broker_cpu, children_of, command_cpu, processes_cpu
from shared.config import REPO_ROOT, SERVICE_NAMES
from shared.database import create_engine
from tests.support.broker import Vhosts
from tests.support.databases import Databases
from tests.support.paysim import Paysim
from tests.support.platform import Processes, executable, free_port, wait_ready

PASSWORD = "benchmark passphrase"
PYSPY = os.environ.get("PYSPY", shutil.which("py-spy") or "/tmp/pyspy/bin/py-spy")


def cpu_by_component(processes) -> dict:
    """CPU seconds used so far by each platform process (replicas of one service added
    up, gunicorn's workers with their master), RabbitMQ and PostgreSQL."""
    usage = {}
    for name, (process, _) in processes.children.items():
        component = name.split("#")[0]
        try:
            spent = processes_cpu(process.pid)[0]
        except OSError:
            continue
        usage[component] = usage.get(component, 0.0) + spent
    usage["rabbitmq"] = broker_cpu()
    usage["postgresql"] = command_cpu("postgres")
    return usage


def cpu_per_request(before, after, requests_count):
    return {name: round((after[name] - before.get(name, 0.0)) * 1000 / requests_count, 2)
            for name in after if after[name] - before.get(name, 0.0) > 0}


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


class Platform:
    """The platform's processes on fresh databases and a fresh vhost."""

    def __init__(self, workdir: Path, gateway_workers: int = 2):
        self.vhosts = Vhosts(os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/"),
                             os.environ.get("RABBITMQ_MANAGEMENT_URL"))
        self.databases = Databases(os.environ.get("TEST_DATABASE_URL") or None, workdir)
        self.urls = {name: self.databases.new(name) for name in SERVICE_NAMES}
        port = free_port()
        env = {"AMQP_URI": self.vhosts.create(), "GATEWAY_BIND": f"127.0.0.1:{port}",
               "GATEWAY_WORKERS": str(gateway_workers), "LOG_LEVEL": "WARNING",
               "JWT_SECRET": secrets.token_hex(32), "PUBLIC_URL": f"http://127.0.0.1:{port}",
               **{f"{name.upper()}_DATABASE_URL": url for name, url in self.urls.items()}}
        self.processes = Processes(env, workdir)
        self.paysim = Paysim(webhook_url=f"http://127.0.0.1:{port}/api/v1/payments/webhook",
                             processes=self.processes)
        self.processes.env.update(self.paysim.funding_env())
        self.base = f"http://127.0.0.1:{port}"
        self.api = self.base + "/api/v1"

    def start(self):
        self.paysim.start()
        self.processes.start(*SERVICE_NAMES, "gateway")
        wait_ready(self.base)
        return self

    def replicas(self, service: str) -> int:
        return sum(1 for name in self.processes.children if name.split("#")[0] == service)

    def scale(self, service: str, replicas: int):
        """Start more replicas of `service` and wait until each consumes its RPC queue."""
        while self.replicas(service) < replicas:
            self.processes.start(f"{service}#{self.replicas(service) + 1}")
        deadline = time.monotonic() + 60
        while _consumers(self.processes.env["AMQP_URI"], f"rpc-{service}") < replicas:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{replicas} replicas of {service} did not come up")
            time.sleep(0.3)

    def pids(self, service: str) -> list:
        pids = []
        for name, (process, _) in self.processes.children.items():
            if name.split("#")[0] == service:
                pids += children_of(process.pid) or [process.pid]
        return pids

    def stop(self):
        try:
            self.processes.stop()
        finally:
            self.vhosts.delete_all()
            self.databases.drop_all()


def _consumers(amqp_uri, queue_name) -> int:
    import kombu
    with kombu.Connection(amqp_uri) as connection:
        try:
            return connection.default_channel.queue_declare(queue_name, passive=True).consumer_count
        except Exception:  # the queue does not exist yet
            return 0


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
            "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
            "p999_ms": round(percentile(latencies, 0.999) * 1000, 1),
            "max_ms": round(max(latencies) * 1000, 1)}


class BackgroundLoad:
    """Contributions at `concurrency`, without pause, until the block ends."""

    def __init__(self, api, campaign_id, citizen, concurrency):
        self.args = api, campaign_id, citizen
        self.concurrency = concurrency
        self.stopping = threading.Event()
        self.done = 0

    def _run(self):
        api, campaign_id, citizen = self.args
        session = citizen_session(citizen)
        while not self.stopping.is_set():
            contribute(session, api, campaign_id)
            self.done += 1

    def __enter__(self):
        self.threads = [threading.Thread(target=self._run, daemon=True)
                        for _ in range(self.concurrency)]
        for thread in self.threads:
            thread.start()
        time.sleep(1.0)  # steady state
        return self

    def __exit__(self, *exc_info):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=60)


def wait_for(condition, what, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"a probe was not {what} in {timeout:.0f} s")
        time.sleep(0.001)


def propagation(api, campaign_id, citizen, reporting_url, probes, paysim):
    """Two delays per probe, read straight from reporting's database every millisecond:
    a pledge's HTTP answer -> its event in the archive (archived and projected in one
    transaction); the payer's confirmation at the provider -> the contribution's count
    in the summary projection."""
    engine = create_engine(reporting_url)
    session = citizen_session(citizen)
    counted_query = sa.text("SELECT contributions FROM summary WHERE id = 'platform'")
    archived_query = sa.text(
        "SELECT count(*) FROM event_archive WHERE type = 'funding.contribution_pledged' "
        "AND occurred_at >= :since AND data LIKE :pattern")
    to_archive, to_summary = [], []
    with engine.connect() as connection:
        def read(query, **params):
            value = connection.execute(query, params).scalar()
            connection.rollback()
            return value
        for _ in range(probes):
            since = datetime.now(timezone.utc) - timedelta(seconds=5)
            _, contribution = contribute(session, api, campaign_id)
            answered = time.perf_counter()
            pattern = f'%{contribution["id"]}%'
            wait_for(lambda s=since, p=pattern: read(archived_query, since=s, pattern=p),
                     "archived")
            to_archive.append(time.perf_counter() - answered)
            before = read(counted_query)
            paysim.pay(contribution["payment_url"].rsplit("/", 1)[-1])
            confirmed = time.perf_counter()
            wait_for(lambda b=before: read(counted_query) > b, "counted")
            to_summary.append(time.perf_counter() - confirmed)
    engine.dispose()

    def figures(delays):
        return {"p50_ms": round(percentile(delays, 0.50) * 1000, 1),
                "p99_ms": round(percentile(delays, 0.99) * 1000, 1)}
    return {"probes": probes, "pledge_to_archive": figures(to_archive),
            "confirm_to_summary": figures(to_summary)}


def profiled(pids, seconds, out_dir: Path, label):
    """py-spy record on each pid for `seconds`, in the background; the processes."""
    if not Path(PYSPY).exists():
        print(f"py-spy not found at {PYSPY} (set PYSPY): no profile")
        return []
    out_dir.mkdir(parents=True, exist_ok=True)
    return [subprocess.Popen([PYSPY, "record", "--pid", str(pid), "--duration", str(seconds),
                              "--rate", "200", "--format", "raw", "--nonblocking",
                              "--output", str(out_dir / f"{label}-{pid}.txt")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for pid in pids]


class PostgresWaits:
    """What funding's connections are doing, sampled every 50 ms during the block:
    running, idle in a transaction, or waiting for a lock (another's row lock)."""

    def __init__(self, funding_url):
        self.engine = create_engine(funding_url)
        self.database = self.engine.url.database
        self.samples = {}
        self.stopping = threading.Event()

    def _run(self):
        query = sa.text("SELECT state, coalesce(wait_event_type, 'CPU or client') AS wait, "
                        "count(*) FROM pg_stat_activity WHERE datname = :db "
                        "AND pid <> pg_backend_pid() AND state <> 'idle' GROUP BY 1, 2")
        with self.engine.connect() as connection:
            while not self.stopping.is_set():
                for state, wait, count in connection.execute(query, {"db": self.database}):
                    key = f"{state}: {wait}"
                    self.samples[key] = self.samples.get(key, 0) + count
                connection.rollback()
                self.ticks = getattr(self, "ticks", 0) + 1
                time.sleep(0.05)

    def __enter__(self):
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stopping.set()
        self.thread.join()
        self.engine.dispose()

    def average(self):
        """Average number of funding's connections in each state."""
        ticks = getattr(self, "ticks", 1)
        return {key: round(count / ticks, 2) for key, count in
                sorted(self.samples.items(), key=lambda item: -item[1])}


def measure(platform, citizen, campaign_id, requests_count, concurrencies, probes,
            background, profile_dir=None, log=print):
    """Throughput at each concurrency, CPU per request, propagation under load."""
    api = platform.api
    figures = {}
    for concurrency in concurrencies:
        load(api, campaign_id, citizen, min(200, requests_count), concurrency)  # warm-up
        spies, seconds = [], 0
        if profile_dir is not None and concurrency == concurrencies[0]:
            seconds = max(5, int(requests_count / 40))
            spies = profiled(platform.pids("funding"), seconds, profile_dir, "funding") + \
                profiled(platform.pids("gateway"), seconds, profile_dir, "gateway") + \
                profiled(platform.pids("reporting"), seconds, profile_dir, "reporting")
        cpu_before = cpu_by_component(platform.processes)
        client_before = time.process_time()
        with PostgresWaits(platform.urls["funding"]) as waits:
            throughput = load(api, campaign_id, citizen, requests_count, concurrency)
        client_cpu = time.process_time() - client_before
        throughput["funding_connections"] = waits.average()
        throughput["cpu_ms_per_request"] = cpu_per_request(
            cpu_before, cpu_by_component(platform.processes), requests_count)
        # The load's own client (requests in threads) runs on the same cores: not the
        # platform's, but what it takes is not the platform's to use.
        throughput["load_client_cpu_ms_per_request"] = round(
            client_cpu * 1000 / requests_count, 2)
        for spy in spies:  # py-spy has been seen to hang on a process: not waited for long
            try:
                spy.wait(timeout=seconds + 60)
            except subprocess.TimeoutExpired:
                spy.kill()
                spy.wait()
        figures[f"c{concurrency}"] = throughput
        log(f"  c{concurrency}: {throughput}")
    with BackgroundLoad(api, campaign_id, citizen, background):
        figures["propagation"] = propagation(api, campaign_id, citizen,
                                             platform.urls["reporting"], probes,
                                             platform.paysim)
    figures["propagation"]["background_concurrency"] = background
    log(f"  propagation under c{background} load: {figures['propagation']}")
    return figures


def run(requests_count=2000, concurrencies=(16,), probes=200, replicas=(1,),
        gateway_workers=2, background=16, profile_dir=None, workdir=None, log=print,
        after=None):
    """Stand the platform up, measure at each number of funding replicas; `after(platform,
    staff)` runs before it stops (bench/run.py times the reports there)."""
    with tempfile.TemporaryDirectory() as scratch:
        platform = Platform(Path(workdir or scratch), gateway_workers)
        try:
            platform.start()
            staff, citizen = accounts(platform.api, platform.processes)
            campaign_id = live_campaign(platform.api, staff)
            results = {}
            for count in replicas:
                platform.scale("funding", count)
                log(f"funding replicas: {count}")
                results[f"replicas_{count}"] = measure(
                    platform, citizen, campaign_id, requests_count, concurrencies, probes,
                    background, profile_dir if count == replicas[0] else None, log)
            if after is not None:
                results.update(after(platform, staff) or {})
            return results
        finally:
            platform.stop()


def main():
    parser = argparse.ArgumentParser(prog="python -m bench.contributions")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, action="append")
    parser.add_argument("--probes", type=int, default=200)
    parser.add_argument("--replicas", type=int, action="append")
    parser.add_argument("--gateway-workers", type=int, default=2)
    parser.add_argument("--profile", type=Path, help="py-spy stacks of funding, the gateway and "
                        "reporting during the first load, into this directory")
    args = parser.parse_args()
    results = run(args.requests, tuple(args.concurrency or (16,)), args.probes,
                  tuple(args.replicas or (1,)), args.gateway_workers,
                  profile_dir=args.profile)
    result = {"database": "postgresql" if os.environ.get("TEST_DATABASE_URL") else "sqlite",
              "cpus": os.cpu_count(), **results}
    print(json.dumps(result, indent=2))
    if args.profile:
        from bench.profile import summarise
        print(summarise(args.profile))


if __name__ == "__main__":
    main()
