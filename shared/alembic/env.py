"""Alembic environment shared by every service; shared.migrate says which one runs."""
import importlib

from alembic import context
from sqlalchemy import text

from shared.database import create_engine, is_sqlite

config = context.config
service_name = config.attributes["service"]
url = config.attributes["url"]
target_metadata = importlib.import_module(f"services.{service_name}.models").metadata

# Several replicas may start at once: on PostgreSQL they take turns on this lock.
MIGRATION_LOCK_ID = 7_211_964


def run_offline():
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=is_sqlite(url))
    with context.begin_transaction():
        context.run_migrations()


def run_online():
    engine = create_engine(url)
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID})
            connection.commit()
        try:
            context.configure(connection=connection, target_metadata=target_metadata,
                              render_as_batch=is_sqlite(url), transaction_per_migration=False)
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
        finally:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_unlock(:id)"),
                                   {"id": MIGRATION_LOCK_ID})
                connection.commit()
    engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
