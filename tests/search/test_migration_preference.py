"""Migration 0003 adds `preference` to the search entries of both engines and fills the rows that are
already indexed from their size class and TKDN (on PostgreSQL the size class lives in a facet set)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from katalog.search.backends.database import PostgresBackend, SqliteBackend
from katalog.search.ranking import preference

from .catalogue import PRODUCTS, TENANT, documents

BEFORE = [("search", "0002_postgres_facet_sets")]
LATEST = None  # the app's latest migration: going back to 0003 only would drop the later tables


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes("search"))


@pytest.mark.django_db(transaction=True)
def test_existing_entries_get_their_preference():
    from katalog.search.backends.base import prepare

    backend = PostgresBackend() if connection.vendor == "postgresql" else SqliteBackend()
    docs = [d for d in documents() if d.tenant_id == TENANT]
    backend.index([prepare(d) for d in docs])
    try:
        _migrate(BEFORE)  # the column goes, the entries stay
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM search_entry WHERE tenant_id = %s", [TENANT])
            assert cursor.fetchone()[0] == len(PRODUCTS)
        _migrate(LATEST)
        with connection.cursor() as cursor:
            cursor.execute("SELECT product_id, preference FROM search_entry WHERE tenant_id = %s", [TENANT])
            stored = dict(cursor.fetchall())
        assert stored == {d.product_id: preference(d) for d in docs}
        assert len(set(stored.values())) > 2  # the fixture has several levels
    finally:
        _migrate(LATEST)
        backend.clear(TENANT)
