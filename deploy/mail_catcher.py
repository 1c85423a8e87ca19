"""A local SMTP server that keeps every mail it receives, for `make run`, the tests
and a first try of compose: nothing leaves the machine.

    python -m deploy.mail_catcher            # listens on MAIL_BIND (127.0.0.1:1025)
    python -m deploy.mail_catcher --check    # exit 0 if it answers (health check)

Mails land in the Maildir MAIL_DIR (default <DATA_DIR>/mail: one file per mail under
new/, with the envelope's recipients in its X-RcptTo header), and one line per mail is
printed. In production, SMTP_HOST points the notifications service at a real relay
instead. It is aiosmtpd's server and Maildir handler, run as a process.
"""
import argparse
import json
import os
import signal
import smtplib
import sys
import threading
from email.header import decode_header, make_header
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox

from shared.config import REPO_ROOT

DEFAULT_BIND = "127.0.0.1:1025"


def mail_dir() -> Path:
    default = Path(os.environ.get("DATA_DIR", REPO_ROOT / "var")) / "mail"
    return Path(os.environ.get("MAIL_DIR") or default)


def bind() -> tuple:
    host, _, port = (os.environ.get("MAIL_BIND") or DEFAULT_BIND).rpartition(":")
    return host, int(port)


class KeepAndPrint(Mailbox):
    def handle_message(self, message):
        super().handle_message(message)
        subject = str(make_header(decode_header(message["Subject"] or "")))
        print(json.dumps({"mail_to": message["X-RcptTo"], "subject": subject},
                         ensure_ascii=False), flush=True)


def check() -> int:
    host, port = bind()
    try:
        with smtplib.SMTP(host if host not in ("0.0.0.0", "") else "127.0.0.1", port,
                          timeout=5) as smtp:
            return 0 if smtp.noop()[0] == 250 else 1
    except OSError as error:
        print(f"no SMTP server at {host}:{port}: {error}", file=sys.stderr)
        return 1


def serve() -> int:
    host, port = bind()
    directory = mail_dir()
    directory.parent.mkdir(parents=True, exist_ok=True)  # the Maildir makes itself
    controller = Controller(KeepAndPrint(directory), hostname=host, port=port)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    controller.start()
    print(f"mail catcher on {host}:{port}, keeping mails in {directory}", flush=True)
    stop.wait()
    controller.stop()
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m deploy.mail_catcher")
    parser.add_argument("--check", action="store_true", help="exit 0 if the server answers")
    args = parser.parse_args(argv)
    return check() if args.check else serve()


if __name__ == "__main__":
    sys.exit(main())
