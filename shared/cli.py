"""The commands that run a service, the same locally (deploy/local.py) and in compose.

    python -m shared.cli start members     migrate, declare the topology, serve
    python -m shared.cli migrate members   apply members' migrations (or: all)
    python -m shared.cli revision members -m "add circles" [--autogenerate]
    python -m shared.cli ping members      exit 0 if the service answers (health check)
    python -m shared.cli dead-letters reporting [--replay ID ... | --replay-all] [--all]
                                           list the events a service could not apply
                                           or decode (kept raw);
                                           replay them once their cause is fixed
"""
import shared.green  # noqa: F401  (must come first: patches the standard library)

# isort: split
import argparse
import base64
import logging
import signal
import sys
import time

import eventlet
import kombu
from nameko.runners import ServiceRunner

from shared import logs, migrate, topology
from shared.config import SERVICE_NAMES, Settings
from shared.errors import DomainError
from shared.rpc import ClusterRpcProxy  # a DomainError answer arrives as itself

log = logging.getLogger("shared.cli")


def wait_for_broker(amqp_uri: str, deadline_seconds: float = 60.0,
                    queue_type: str = "classic") -> None:
    """Declare the topology (its queues of `queue_type`), retrying while the broker is
    not up yet (compose starts everything at once); one clear line if it never answers."""
    deadline = time.monotonic() + deadline_seconds
    while True:
        try:
            with kombu.Connection(amqp_uri, connect_timeout=3) as connection:
                connection.ensure_connection(max_retries=1)
                topology.declare(connection, queue_type)
                return
        except (OSError, kombu.exceptions.OperationalError) as exc:
            if time.monotonic() > deadline:
                raise SystemExit(f"RabbitMQ does not answer at {logs.mask_passwords(amqp_uri)} "
                                 f"({exc}).") from None
            log.warning("waiting for RabbitMQ", extra={"error": str(exc)})
            time.sleep(1)


def serve(service_name: str, settings: Settings) -> int:
    """Serve until SIGTERM or SIGINT (0), or until the service's container dies (1: the
    process exits, so that compose's restart policy starts it again, rather than
    staying up with no consumer left)."""
    runner = ServiceRunner(settings.nameko_config(service_name))
    runner.add_service(topology.service_class(service_name))
    outcome = eventlet.event.Event()

    def request_stop(*_):
        if not outcome.ready():
            outcome.send(0)

    def watch():
        try:
            runner.wait()
        except Exception:
            log.exception("service died", extra={"service": service_name})
            if not outcome.ready():
                outcome.send(1)

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    runner.start()
    eventlet.spawn(watch)
    log.info("service started", extra={"service": service_name})
    code = outcome.wait()
    log.info("service stopping", extra={"service": service_name})
    if code:
        runner.kill()
    else:
        runner.stop()
    return code


def ping(service_name: str, settings: Settings) -> int:
    try:
        with ClusterRpcProxy({"AMQP_URI": settings.amqp_uri}, timeout=5) as rpc:
            answer = getattr(rpc, service_name).ping()
    except Exception as exc:
        print(f"{service_name} does not answer: {type(exc).__name__} {exc}", file=sys.stderr)
        return 1
    if answer.get("status") == "ok":
        return 0
    print(f"{service_name} answers, but its database is {answer.get('database')}",
          file=sys.stderr)
    return 1


PREVIEW_BYTES = 80


def raw_preview(raw: bytes) -> str:
    """The start of a raw body, readable on one line: text as text, other bytes and
    control characters escaped (\\xff, \\n)."""
    text = raw[:PREVIEW_BYTES].decode("utf-8", "backslashreplace")
    shown = "".join(char if char.isprintable() else char.encode("unicode_escape").decode()
                    for char in text)
    return shown + ("…" if len(raw) > PREVIEW_BYTES else "")


def _dead_letter_line(letter: dict) -> str:
    error = (letter["error"] or "").splitlines()[0][:160] if letter["error"] else ""
    replayed = f"  replayed {letter['replayed_at']}" if letter["replayed_at"] else ""
    if letter["undecodable"]:
        raw = base64.b64decode(letter["raw_body"])
        what = (f"undecodable ({letter['content_type'] or 'no content type'}, "
                f"{letter['content_encoding'] or 'no encoding'}) from "
                f"{letter['exchange'] or '-'}, routing key {letter['routing_key'] or '-'}")
        body = f"\n    raw ({len(raw)} bytes): {raw_preview(raw)}"
    else:
        what, body = f"event {letter['event_id'] or '-'}", ""
    return (f"{letter['id']}  {letter['failed_at']}  {letter['consumer']}  "
            f"{what}{replayed}\n    {error}{body}")


def dead_letters(service_name: str, settings: Settings, replay=(), replay_all=False,
                 include_replayed=False) -> int:
    """List a service's dead letters; or replay some (by id) or all of those not replayed
    yet, each through the handler that failed, once. Exit 1 if one fails again (it is
    dead-lettered anew, under a new id) or cannot be replayed."""
    try:
        with ClusterRpcProxy({"AMQP_URI": settings.amqp_uri},
                             timeout=settings.rpc_timeout * 6) as cluster:
            service = getattr(cluster, service_name)
            if not replay and not replay_all:
                letters = service.dead_letters(include_replayed=include_replayed)
                for letter in letters:
                    print(_dead_letter_line(letter))
                print(f"{len(letters)} dead letter(s) in {service_name}.")
                return 0
            ids = list(replay) or [letter["id"] for letter in service.dead_letters()]
            code = 0
            for dead_letter_id in ids:
                try:
                    outcome = service.replay_dead_letter(dead_letter_id)["outcome"]
                except DomainError as exc:
                    print(f"{dead_letter_id}: {exc.message}", file=sys.stderr)
                    code = 1
                    continue
                print(f"{dead_letter_id}: {outcome}")
                if outcome == "dead_lettered":
                    code = 1
            return code
    except Exception as exc:
        print(f"{service_name} does not answer: {type(exc).__name__} {exc}", file=sys.stderr)
        return 1


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m shared.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("start", help="migrate, declare the topology, then serve")
    start.add_argument("service", choices=SERVICE_NAMES)
    mig = commands.add_parser("migrate", help="apply migrations")
    mig.add_argument("service", choices=(*SERVICE_NAMES, "all"))
    rev = commands.add_parser("revision", help="create a migration")
    rev.add_argument("service", choices=SERVICE_NAMES)
    rev.add_argument("-m", "--message", required=True)
    rev.add_argument("--autogenerate", action="store_true")
    png = commands.add_parser("ping", help="exit 0 if the service answers")
    png.add_argument("service", choices=SERVICE_NAMES)
    dead = commands.add_parser("dead-letters", help="list the events a service could not "
                               "apply, or replay them")
    dead.add_argument("service", choices=SERVICE_NAMES)
    which = dead.add_mutually_exclusive_group()
    which.add_argument("--replay", type=int, nargs="+", metavar="ID",
                       help="replay these dead letters")
    which.add_argument("--replay-all", action="store_true",
                       help="replay every dead letter not replayed yet")
    dead.add_argument("--all", action="store_true", dest="include_replayed",
                      help="list the replayed ones too")
    args = parser.parse_args(argv)

    settings = Settings()
    component = getattr(args, "service", "cli")
    logs.configure(component, settings.log_level)

    if args.command == "ping":
        return ping(args.service, settings)
    if args.command == "dead-letters":
        return dead_letters(args.service, settings, replay=args.replay or (),
                            replay_all=args.replay_all, include_replayed=args.include_replayed)
    if args.command == "migrate":
        for name in SERVICE_NAMES if args.service == "all" else (args.service,):
            migrate.upgrade(name)
    elif args.command == "revision":
        migrate.revision(args.service, args.message, args.autogenerate)
    elif args.command == "start":
        migrate.upgrade(args.service)
        wait_for_broker(settings.amqp_uri, queue_type=settings.amqp_queue_type)
        return serve(args.service, settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
