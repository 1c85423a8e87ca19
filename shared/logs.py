"""Structured JSON logs that carry the correlation id of the request being served.

The id lives in a context variable: each gateway thread and each nameko worker
(a greenlet, which has its own context) sees only its own. A password in a URI
(AMQP_URI, a database URL) never reaches a log line: it is masked.
"""
import contextvars
import logging
import re
import sys
import uuid

from pythonjsonlogger.json import JsonFormatter

correlation_id = contextvars.ContextVar("correlation_id", default=None)


# scheme://user:password@ — the password ends at the @ (reserved characters in it are
# percent-encoded); several URIs may be joined by ";" (a cluster's nodes, AMQP_URI).
_URI_PASSWORD = re.compile(r"([a-z][a-z0-9+.-]*://[^:/@\s;]*:)[^/@\s;]+@", re.IGNORECASE)


def mask_passwords(text: str) -> str:
    """`text` with the password of each URI in it replaced by ***."""
    if "://" not in text:
        # No URI, nothing to mask: the regex backtracks over every run of letters and
        # digits (~20 us for an access log line), and most lines hold no URI.
        return text
    return _URI_PASSWORD.sub(r"\1***@", text)


def new_correlation_id() -> str:
    return uuid.uuid4().hex


class _MaskingJsonFormatter(JsonFormatter):
    def format(self, record):
        return mask_passwords(super().format(record))


class _CorrelationFilter(logging.Filter):
    def filter(self, record):
        record.correlation_id = correlation_id.get()
        return True


def configure(component: str, level: str = "INFO", stream=None) -> None:
    """Send every log record to stdout as one JSON object per line."""
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.addFilter(_CorrelationFilter())
    handler.setFormatter(
        _MaskingJsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            static_fields={"component": component},
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Broker and ORM chatter drowns the events that matter.
    for noisy in ("amqp", "kombu", "nameko", "alembic.runtime.migration"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))

