"""The gateway's own CPU per request: the contribution's POST, as bench.contributions
sends it (a bearer token, an Idempotency-Key, a JSON body), answered by a stand-in
funding service (on the platform's entrypoint and container, returning a canned
contribution at once), so that the gateway's share is measured apart from any service's
work.

The gateway runs as `make run` starts it (gunicorn, gateway/gunicorn_conf.py,
gateway.wsgi:app) from a tree: this checkout, and with `--against REF` a `git archive`
copy of REF in /tmp, alternated run by run. `--concurrency` clients (asyncio, raw
sockets, keep-alive) send `--requests` POSTs; the figure is the CPU of the gunicorn
master and its workers, from /proc, per request. Beside it, the stand-in's CPU and
RabbitMQ's: the whole hop from an HTTP request to a service that does nothing, the floor
under any contribution (on a quiet machine: the broker's figure counts all it serves).

    python -m bench.gateway_request [--requests 4000] [--concurrency 16] [--pairs 3]
                                    [--against main] [--app gateway|hello]
                                    [--breakdown]

`--app hello` serves a bare Flask route (the same gunicorn settings), the floor under
the gateway. `--breakdown` times, in this process, each piece of the gateway's work per
request (the WSGI app called directly with the RPC stubbed, and its parts alone).
Figures only, no asserts.
"""
import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bench.cpu import broker_cpu, processes_cpu
from tests.support.broker import Vhosts

REPO = Path(__file__).resolve().parent.parent
CAMPAIGN = "5b0e7c1e-3f7a-4f4e-9a51-0c8f0a6f2b10"

CONTRIBUTION = {
    "id": "6c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5", "campaign_id": CAMPAIGN, "reward_id": None,
    "amount_cents": 2500, "matched_cents": 0, "contributor_name": "Camille",
    "contributor_account_id": "7d2e3f40-5b6c-4d7e-9f80-91a2b3c4d5e6", "public": True,
    "status": "pending", "channel": "card", "transfer_reference": None, "counted": False,
    "cancel_reason": None, "payment_url": "http://127.0.0.1:8100/pay/pay_0123456789abcdef",
    "hold_expires_at": "2026-12-07T06:00:00+00:00", "reflection_ends_at": None,
    "board_decision": None, "receipt_number": None, "receipt_status": "not_applicable",
    "receipt_notice": None, "created_at": "2026-12-07T05:45:00+00:00",
    "updated_at": "2026-12-07T05:45:00+00:00",
}

# The stand-in: funding's `contribute` answering at once, on the platform's entrypoint
# and container (its CPU is reported apart: the hop's floor, not the gateway's).
FUNDING = """
import shared
import eventlet
eventlet.monkey_patch()
from shared.rpc import rpc
from nameko.runners import ServiceRunner

class Funding:
    name = "funding"

    @rpc
    def contribute(self, campaign_id, body, key, account_id, verified):
        return {{"contribution": {contribution}, "replayed": False}}

runner = ServiceRunner({{"AMQP_URI": "{uri}", "max_workers": 16,
                         "SERVICE_CONTAINER_CLS": "shared.container.Container"}})
runner.add_service(Funding)
runner.start()
print("ready", flush=True)
eventlet.event.Event().wait()
"""

HELLO = '''
from flask import Flask
app = Flask(__name__)

@app.post("/api/v1/campaigns/<uuid:campaign_id>/contributions")
def contribute(campaign_id):
    return {"id": str(campaign_id)}, 201
'''


def token(secret):
    import jwt
    now = datetime.now(timezone.utc)
    return jwt.encode({"iss": "dombinnov", "aud": "dombinnov-api", "sub": str(uuid.uuid4()),
                       "jti": uuid.uuid4().hex, "iat": now, "exp": now + timedelta(hours=2),
                       "roles": ["citizen"], "org": None, "ev": True}, secret,
                      algorithm="HS256")


def request_bytes(port, bearer):
    body = json.dumps({"amount_cents": 2500, "public": True}).encode()
    key = uuid.uuid4().hex
    return (f"POST /api/v1/campaigns/{CAMPAIGN}/contributions HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{port}\r\nAuthorization: Bearer {bearer}\r\n"
            f"Idempotency-Key: {key}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


async def client(port, bearer, count, statuses):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for _ in range(count):
            writer.write(request_bytes(port, bearer))
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            statuses[status] = statuses.get(status, 0) + 1
    finally:
        writer.close()


async def load(port, bearer, requests, concurrency):
    statuses = {}
    shares = [requests // concurrency + (1 if index < requests % concurrency else 0)
              for index in range(concurrency)]
    await asyncio.gather(*(client(port, bearer, share, statuses) for share in shares))
    return statuses


class Gateway:
    """gunicorn serving the gateway (or the hello app) from `tree`."""

    def __init__(self, tree: Path, amqp_uri, secret, app, log_dir, log_level="INFO"):
        self.tree, self.app = tree, app
        self.port = _free_port()
        env = {**os.environ, "PYTHONPATH": str(tree), "AMQP_URI": amqp_uri,
               "JWT_SECRET": secret, "GATEWAY_BIND": f"127.0.0.1:{self.port}",
               "PUBLIC_URL": f"http://127.0.0.1:{self.port}", "LOG_LEVEL": log_level}
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        target = "gateway.wsgi:app"
        if app == "hello":
            (log_dir / "bench_hello.py").write_text(HELLO)
            env["PYTHONPATH"] = f"{log_dir}:{tree}"
            target = "bench_hello:app"
        self.log = open(log_dir / f"gateway-{tree.name}-{app}.log", "ab")
        gunicorn = Path(sys.executable).parent / "gunicorn"
        self.process = subprocess.Popen(
            [str(gunicorn), "--config", "gateway/gunicorn_conf.py", target], cwd=tree,
            env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def __enter__(self):
        import socket
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(f"the gateway from {self.tree} did not start")
                time.sleep(0.1)

    def __exit__(self, *exc_info):
        self.process.terminate()
        self.process.wait(timeout=20)
        self.log.close()


def _free_port():
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def measure(gateway, bearer, requests, concurrency, standin_pid):
    """(requests per second, CPU ms per request by process, statuses). Besides the
    gateway: the stand-in service and RabbitMQ, the rest of an HTTP request's hop to a
    service that does nothing (the broker's figure counts whatever else it serves)."""
    asyncio.run(load(gateway.port, bearer, 40 * concurrency, concurrency))  # warm every worker
    cpu_before, pids = processes_cpu(gateway.process.pid)
    standin_before, broker_before = processes_cpu(standin_pid)[0], broker_cpu()
    started = time.perf_counter()
    statuses = asyncio.run(load(gateway.port, bearer, requests, concurrency))
    elapsed = time.perf_counter() - started
    cpu_after, pids_after = processes_cpu(gateway.process.pid)
    standin_after, broker_after = processes_cpu(standin_pid)[0], broker_cpu()
    if pids_after != pids:
        raise RuntimeError("a gateway worker was replaced during the run")
    per_request = {"gateway": cpu_after - cpu_before,
                   "service": standin_after - standin_before,
                   "rabbitmq": broker_after - broker_before}
    return (requests / elapsed,
            {name: spent * 1000 / requests for name, spent in per_request.items()}, statuses)


def archive(ref):
    target = Path(tempfile.mkdtemp(prefix=f"gw-{ref.replace('/', '-')}-"))
    tar = subprocess.run(["git", "archive", ref], cwd=REPO, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(target)], input=tar.stdout, check=True)
    return target


def breakdown(repeat, profile=None):
    """Per request, in this process: the gateway's WSGI app with the RPC stubbed, and
    its parts alone."""
    import io
    import logging

    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="gw-metrics-"))
    os.environ.setdefault("JWT_SECRET", secrets.token_hex(32))
    from flask import Flask

    from gateway import calls
    from gateway.app import create_app
    from gateway.metrics import REQUEST_SECONDS, REQUESTS
    from shared import logs
    from shared.config import Settings

    # Each line written and flushed, as to the log file gunicorn's stdout goes to.
    sink = open(os.devnull, "w")
    logs.configure("gateway", os.environ.get("LOG_LEVEL", "INFO"), stream=sink)
    settings = Settings()
    app = create_app(settings, pool_size=1)
    answer = {"contribution": CONTRIBUTION, "replayed": False}
    import gateway.funding_routes as routes
    routes.call = lambda service, method, *args: answer  # the RPC, stubbed
    bearer = token(settings.jwt_secret)
    body = request_bytes(8000, bearer).partition(b"\r\n\r\n")[2]

    def environ():
        return {
            "REQUEST_METHOD": "POST", "SCRIPT_NAME": "",
            "PATH_INFO": f"/api/v1/campaigns/{CAMPAIGN}/contributions", "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": "40000", "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr,
            "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
            "wsgi.version": (1, 0), "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)), "HTTP_HOST": "127.0.0.1:8000",
            "HTTP_AUTHORIZATION": f"Bearer {bearer}",
            "HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex,
        }

    def start_response(status, headers, exc_info=None):
        pass

    def wsgi(target):
        def once():
            for chunk in target(environ(), start_response):
                pass
        return once

    hello = Flask("hello")

    @hello.post("/api/v1/campaigns/<uuid:campaign_id>/contributions")
    def hello_route(campaign_id):
        return {"id": str(campaign_id)}, 201

    access = logging.getLogger("gateway.access")
    record_extra = {"method": "POST", "path": "/api/v1/campaigns/x/contributions",
                    "route": "/api/v1/campaigns/<uuid:campaign_id>/contributions",
                    "status": 201, "duration_ms": 1.23, "client": "127.0.0.1"}
    route = "/api/v1/campaigns/<uuid:campaign_id>/contributions"
    tokens = app.extensions["tokens"]

    def metrics_once():
        REQUESTS.labels("POST", route, "201").inc()
        REQUEST_SECONDS.labels("POST", route).observe(0.002)
        calls.RPC_SECONDS.labels("funding", "contribute", "ok").observe(0.002)

    def jsonify_once():
        with app.app_context():
            app.json.response(CONTRIBUTION)

    pieces = [
        ("the gateway's WSGI app, RPC stubbed", wsgi(app)),
        ("a bare Flask route (JSON answer)", wsgi(hello)),
        ("metrics: a Counter inc, two Histogram observes", metrics_once),
        ("the JSON access log line", lambda: access.info("request", extra=record_extra)),
        ("the token check (remembered)", lambda: tokens.verify(bearer)),
        ("new correlation id (uuid4)", logs.new_correlation_id),
        ("jsonify the contribution", jsonify_once),
    ]
    if profile:
        import cProfile
        import pstats
        once = pieces[0][1]
        for _ in range(200):
            once()
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(repeat):
            once()
        profiler.disable()
        pstats.Stats(profiler).sort_stats(profile).print_stats(45)
        return
    def timed(piece):
        for _ in range(200):
            piece()
        rounds = []  # the best of 5 rounds: the machine is shared
        for _ in range(5):
            started = time.process_time()
            for _ in range(repeat // 5):
                piece()
            rounds.append((time.process_time() - started) * 1e6 / (repeat // 5))
        return min(rounds)

    root = logging.getLogger()
    for name, piece in pieces:
        print(f"  {name:50s} {timed(piece):8.1f} us", flush=True)
        if piece is pieces[0][1] and root.level == logging.INFO:
            root.setLevel(logging.WARNING)  # as bench.contributions runs the gateway
            print(f"  {'the same at LOG_LEVEL=WARNING (no access log)':50s} "
                  f"{timed(piece):8.1f} us", flush=True)
            root.setLevel(logging.INFO)

def main():
    parser = argparse.ArgumentParser(prog="python -m bench.gateway_request")
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--against", help="a git ref to compare with, alternated (e.g. main)")
    parser.add_argument("--app", choices=("gateway", "hello"), default="gateway")
    parser.add_argument("--breakdown", action="store_true")
    parser.add_argument("--log-level", default="INFO",
                        help="the gateway's LOG_LEVEL: INFO logs each request (as deployed); "
                        "bench.contributions runs WARNING")
    parser.add_argument("--profile", metavar="SORT",
                        help="--breakdown: cProfile the gateway's app instead (tottime...)")
    parser.add_argument("--repeat", type=int, default=5000, help="per piece, --breakdown")
    args = parser.parse_args()

    if args.breakdown:
        print("in-process CPU per request (one thread):")
        breakdown(args.repeat, args.profile)
        return

    trees = [("this", REPO)]
    if args.against:
        trees.insert(0, (args.against, archive(args.against)))
    vhosts = Vhosts(os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/"),
                    os.environ.get("RABBITMQ_MANAGEMENT_URL"))
    amqp = vhosts.create()
    secret = secrets.token_hex(32)
    bearer = token(secret)
    log_dir = Path(tempfile.mkdtemp(prefix="gw-request-"))
    funding = subprocess.Popen(
        [sys.executable, "-c", FUNDING.format(uri=amqp, contribution=repr(CONTRIBUTION))],
        stdout=subprocess.PIPE, text=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    results = {name: [] for name, _ in trees}
    try:
        assert funding.stdout.readline().strip() == "ready"
        for pair in range(args.pairs):
            for name, tree in trees:
                with Gateway(tree, amqp, secret, args.app, log_dir,
                             args.log_level) as gateway:
                    rate, cpu, statuses = measure(gateway, bearer, args.requests,
                                                  args.concurrency, funding.pid)
                load = " ".join(f"{value:.2f}" for value in os.getloadavg())
                results[name].append(cpu["gateway"])
                hop = (f" (the hop: stand-in service {cpu['service']:.3f}, RabbitMQ "
                       f"{cpu['rabbitmq']:.3f}, in all {sum(cpu.values()):.3f} ms)"
                       if args.app == "gateway" else "")
                print(f"pair {pair + 1} {name:>6} ({args.app}): {rate:6.0f} requests/s, "
                      f"{cpu['gateway']:.3f} ms gateway CPU per request{hop}, "
                      f"statuses {statuses} (load {load})", flush=True)
    finally:
        funding.terminate()
        funding.wait()
        vhosts.delete_all()
    for name, figures in results.items():
        print(f"{name:>6}: median {sorted(figures)[len(figures) // 2]:.3f} ms "
              f"({', '.join(f'{value:.3f}' for value in figures)})")
    if args.against and args.pairs:
        ratios = [after / before for before, after in zip(*results.values())]
        print("ratio this/" + args.against + ": " + ", ".join(f"{r:.2f}" for r in ratios))


if __name__ == "__main__":
    main()
