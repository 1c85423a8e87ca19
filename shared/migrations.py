"""Migration steps shared by the revisions of every service, frozen as written.

A revision must not change when models change later, so these are spelled out
rather than derived from shared.messaging.
"""
import sqlalchemy as sa
from alembic import op

from shared.sqltypes import BigSerial


def create_messaging_tables_v1(op):
    op.create_table(
        "outbox",
        sa.Column("seq", BigSerial, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("exchange", sa.String(100), nullable=False),
        sa.Column("routing_key", sa.String(100), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("correlation_id", sa.String(64)),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text),
    )
    op.create_index(
        "ix_outbox_pending", "outbox", ["seq"],
        postgresql_where=sa.text("published_at IS NULL"),
        sqlite_where=sa.text("published_at IS NULL"),
    )
    op.create_table(
        "inbox",
        sa.Column("consumer", sa.String(150), primary_key=True),
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "dead_letters",
        sa.Column("id", BigSerial, primary_key=True, autoincrement=True),
        sa.Column("consumer", sa.String(150), nullable=False),
        sa.Column("event_id", sa.String(36)),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replayed_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("scope", sa.String(100), primary_key=True),
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("response", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def drop_messaging_tables_v1(op):
    op.drop_table("idempotency_keys")
    op.drop_table("dead_letters")
    op.drop_table("inbox")
    op.drop_index("ix_outbox_pending", table_name="outbox")
    op.drop_table("outbox")



def keep_undecodable_dead_letters_v2():
    """Dead letters keep a message that could not be decoded as it arrived. Every service
    runs it in a revision of its own: `upgrade = keep_undecodable_dead_letters_v2`."""
    with op.batch_alter_table("dead_letters") as table:
        table.alter_column("body", existing_type=sa.Text, nullable=True)
        table.add_column(sa.Column("raw_body", sa.LargeBinary))
        table.add_column(sa.Column("content_type", sa.String(255)))
        table.add_column(sa.Column("content_encoding", sa.String(64)))
        table.add_column(sa.Column("exchange", sa.String(255)))
        table.add_column(sa.Column("routing_key", sa.String(255)))


def drop_undecodable_dead_letters_v2():
    with op.batch_alter_table("dead_letters") as table:
        for column in ("routing_key", "exchange", "content_encoding", "content_type",
                       "raw_body"):
            table.drop_column(column)
        table.alter_column("body", existing_type=sa.Text, nullable=False)
