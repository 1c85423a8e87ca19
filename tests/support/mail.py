"""The mail catcher (deploy/mail_catcher.py, a real aiosmtpd SMTP server) as a process,
and the mails it kept, read back from its Maildir.

It runs as its own process, as in `make run`: the test process is patched by eventlet,
and aiosmtpd's asyncio loop wants real threads and sockets.
"""
import mailbox
import smtplib
import tempfile
from email import policy
from email.parser import BytesParser
from pathlib import Path

from tests.support.platform import Processes, free_port
from tests.support.waiting import wait_until


class MailCatcher:
    def __init__(self, processes: Processes | None = None, port: int | None = None):
        self.port = port or free_port()
        self.processes = processes or Processes({}, Path(tempfile.mkdtemp(prefix="mail-")))
        self.directory = self.processes.log_dir / f"maildir-{self.port}"
        self.name = f"mail#{self.port}"

    def start(self) -> "MailCatcher":
        self.processes.start(self.name, MAIL_BIND=f"127.0.0.1:{self.port}",
                             MAIL_DIR=str(self.directory))
        wait_until(self._answers, timeout=30, interval=0.1,
                   message=f"the mail catcher on port {self.port}")
        return self

    def stop(self) -> None:
        if self.name in self.processes.children:
            self.processes.stop(self.name)

    def smtp_env(self) -> dict:
        """Where the notifications service sends: settings, or nameko config keys."""
        return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(self.port)}

    def _answers(self):
        try:
            with smtplib.SMTP("127.0.0.1", self.port, timeout=2) as smtp:
                return smtp.noop()[0] == 250
        except OSError:
            return False

    def messages(self) -> list:
        """Every mail received, parsed (modern EmailMessage API)."""
        if not (self.directory / "new").exists():
            return []
        box = mailbox.Maildir(self.directory, factory=None, create=False)
        parser = BytesParser(policy=policy.default)
        return [parser.parsebytes(box.get_bytes(key)) for key in box.iterkeys()]

    def by_fact(self) -> dict:
        """{fact key: [mails]}: one fact, one mail, as the tests check."""
        facts = {}
        for message in self.messages():
            facts.setdefault(message["X-Dombinnov-Fact"], []).append(message)
        return facts


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()
