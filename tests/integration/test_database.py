"""The database layer under eventlet, and migrations that match the models."""
import time

import eventlet
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from shared.config import SERVICE_NAMES
from shared.database import create_engine
from shared.topology import service_class


def test_two_slow_queries_overlap_under_eventlet(databases):
    """psycopg2 is made cooperative (shared.green): a query waiting on PostgreSQL lets
    other green threads run, including another query. Without eventlet's psycopg2 patch
    the two queries run one after the other."""
    if databases.backend != "postgresql":
        pytest.skip("psycopg2 needs PostgreSQL: set TEST_DATABASE_URL (CI does)")
    engine = create_engine(databases.new("members"), pool_size=2)
    spans = []

    def slow_query():
        with engine.connect() as connection:
            started = time.monotonic()
            connection.exec_driver_sql("SELECT pg_sleep(0.5)")
            spans.append((started, time.monotonic()))

    threads = [eventlet.spawn(slow_query) for _ in range(2)]
    for thread in threads:
        thread.wait()
    engine.dispose()
    (first_start, first_end), (second_start, second_end) = sorted(spans)
    assert second_start < first_end, "the second query waited for the first to finish"


@pytest.mark.parametrize("service_name", SERVICE_NAMES)
def test_migrations_build_exactly_the_tables_the_models_describe(databases, service_name):
    engine = create_engine(databases.new(service_name))
    metadata = service_class(service_name).db.tables.outbox.metadata
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    engine.dispose()
    assert differences == []
