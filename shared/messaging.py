"""The tables every service keeps beside its own, in its own database.

- outbox: events written in the same transaction as the change they describe,
  published afterwards by the relay (shared.outbox);
- inbox: the events a consumer has applied, so a redelivery changes nothing;
- dead_letters: events a handler could not apply, kept for an operator to replay; a
  message that could not be decoded is kept as it arrived (raw_body and its delivery);
- idempotency_keys: the answers of commands sent with an Idempotency-Key, stored in
  the same transaction as their effect, so a retried command is answered, not redone.
"""
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

from shared.sqltypes import BigSerial, UtcDateTime


@dataclass(frozen=True)
class MessagingTables:
    outbox: sa.Table
    inbox: sa.Table
    dead_letters: sa.Table
    idempotency_keys: sa.Table


def service_base():
    """A declarative base of a service's own, with its messaging tables in its metadata:
    `Base, messaging = service_base()` at the top of each models.py."""
    base = type("Base", (DeclarativeBase,), {"__doc__": "A service's declarative base."})
    return base, messaging_tables(base.metadata)


def messaging_tables(metadata: sa.MetaData) -> MessagingTables:
    outbox = sa.Table(
        "outbox", metadata,
        sa.Column("seq", BigSerial, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("exchange", sa.String(100), nullable=False),
        sa.Column("routing_key", sa.String(100), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("correlation_id", sa.String(64)),
        sa.Column("occurred_at", UtcDateTime, nullable=False),
        sa.Column("published_at", UtcDateTime),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text),
        sa.Index(
            "ix_outbox_pending", "seq",
            postgresql_where=sa.text("published_at IS NULL"),
            sqlite_where=sa.text("published_at IS NULL"),
        ),
    )
    inbox = sa.Table(
        "inbox", metadata,
        sa.Column("consumer", sa.String(150), primary_key=True),
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("received_at", UtcDateTime, nullable=False),
    )
    dead_letters = sa.Table(
        "dead_letters", metadata,
        sa.Column("id", BigSerial, primary_key=True, autoincrement=True),
        sa.Column("consumer", sa.String(150), nullable=False),
        sa.Column("event_id", sa.String(36)),
        sa.Column("body", sa.Text),  # the decoded body, as JSON; or, when undecodable:
        sa.Column("raw_body", sa.LargeBinary),
        sa.Column("content_type", sa.String(255)),
        sa.Column("content_encoding", sa.String(64)),
        sa.Column("exchange", sa.String(255)),
        sa.Column("routing_key", sa.String(255)),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("failed_at", UtcDateTime, nullable=False),
        sa.Column("replayed_at", UtcDateTime),
    )
    idempotency_keys = sa.Table(
        "idempotency_keys", metadata,
        sa.Column("scope", sa.String(100), primary_key=True),
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("response", sa.Text),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    return MessagingTables(outbox, inbox, dead_letters, idempotency_keys)
