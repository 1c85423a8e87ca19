"""Sending the mails due, after the transactions that wrote them, through SMTP.

A sender takes a batch of due mails under a lease (`FOR UPDATE SKIP LOCKED` on
PostgreSQL, so replicas take different ones), commits, sends each, and marks each sent.
A mail that fails is tried again later with backoff, and given up after a while.

At least once, not exactly once: a sender that dies after the SMTP server accepted a
mail but before marking it sent leaves it leased; once the lease is over, a sender
sends it again. That window is a crash between two statements, rare, and the second
copy carries the same Message-ID (derived from the fact's key), so most mail readers
show it once. Marking first and sending after would lose the mail instead, which is
worse.
"""
import hashlib
import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, formatdate, parseaddr

import sqlalchemy as sa

from services.notifications import models
from services.notifications.domain import retries

log = logging.getLogger(__name__)
Message = models.Message
BATCH = 50
SMTP_TIMEOUT = 15


class Undeliverable(Exception):
    """Trying again would not help (no such account, the server refused the address)."""


def take_due(session, now, batch=BATCH) -> list:
    rows = session.scalars(
        sa.select(Message).where(Message.status == models.PENDING,
                                 Message.next_attempt_at <= now)
        .order_by(Message.next_attempt_at).limit(batch)
        .with_for_update(skip_locked=True)).all()
    for row in rows:
        row.next_attempt_at = now + retries.LEASE
        row.attempts += 1
    return [{"key": row.key, "kind": row.kind, "account_id": row.account_id, "subject": row.subject,
             "text_body": row.text_body, "html_body": row.html_body,
             "attempts": row.attempts} for row in rows]


def mark_sent(session, key, now):
    # Only a pending mail becomes sent: one cancelled meanwhile (erasure) stays cancelled.
    session.execute(sa.update(Message).where(Message.key == key,
                                             Message.status == models.PENDING)
                    .values(status=models.SENT, sent_at=now, last_error=None))


def mark_failed(session, mail, error, now, permanent=False):
    give_up = permanent or retries.gives_up(mail["attempts"])
    session.execute(sa.update(Message).where(Message.key == mail["key"],
                                             Message.status == models.PENDING).values(
        status=models.FAILED if give_up else models.PENDING, last_error=str(error)[:2000],
        next_attempt_at=retries.next_attempt(mail["attempts"], now)))
    log.log(logging.ERROR if give_up else logging.WARNING, "mail not sent",
            extra={"key": mail["key"], "attempts": mail["attempts"], "error": str(error),
                   "given_up": give_up})


def put_back(session, keys, now):
    """Mails taken but not tried: due again at once, the attempt not counted."""
    session.execute(sa.update(Message).where(Message.key.in_(keys),
                                             Message.status == models.PENDING)
                    .values(next_attempt_at=now, attempts=Message.attempts - 1))


def message_id(key: str, sender: str) -> str:
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def compose(mail, sender: str, address: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = mail["subject"]
    message["From"] = sender
    message["To"] = formataddr(("", address))
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id(mail["key"], sender)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no autoreply, please
    message["X-Dombinnov-Fact"] = mail["key"]
    message.set_content(mail["text_body"])
    message.add_alternative(mail["html_body"], subtype="html")
    # After the parts: making the message multipart moves Content-* headers into them.
    message["Content-Language"] = "fr"
    return message


class Smtp:
    """One connection for a batch, opened on the first mail and closed after the last."""

    def __init__(self, config):
        self.config = config
        self.connection = None

    def send(self, message: EmailMessage):
        if self.connection is None:
            self.connection = self._connect()
        try:
            self.connection.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            raise Undeliverable(f"refused by the SMTP server: {error.recipients}") from None
        except smtplib.SMTPException:
            self.close()  # a broken session is not reused for the next mail
            raise

    def _connect(self):
        config = self.config
        connection = smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]),
                                  timeout=SMTP_TIMEOUT)
        if config.get("SMTP_STARTTLS"):
            connection.starttls(context=ssl.create_default_context())
        if config.get("SMTP_USER"):
            connection.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
        return connection

    def close(self):
        connection, self.connection = self.connection, None
        if connection is not None:
            try:
                connection.quit()
            except (smtplib.SMTPException, OSError):
                pass  # the server went away first: nothing left to close
