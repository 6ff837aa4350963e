"""PostgreSQL: the empty query reads its count and facets from `search_facet_count` (entries per
facet set and price band, kept by triggers) and walks an order's index for its page. The counts
must stay exact through every kind of write, and the answers must be those of the general path
(which reads every entry), whatever the filters, price cuts, orders, pages and walk decision.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from django.db import connection

from katalog.search.backends.base import prepare
from katalog.search.backends.database import PostgresBackend
from katalog.search.selectors import build_plan
from katalog.search.types import SearchFilters, Sort

from .test_backends_agree import DOCS, FILTERS, OTHER, SORTS, TENANT

pytestmark = pytest.mark.django_db

CUTS = [
    SearchFilters(price_max=Decimal("500000")),  # includes 500,000: cuts the 500rb-1jt band
    SearchFilters(price_min=Decimal("99999.99"), price_max=Decimal("250000")),
    SearchFilters(price_min=Decimal("100000"), price_max=Decimal("499999.99")),  # whole bands only
    SearchFilters(price_min=Decimal("1000000")),
    SearchFilters(price_min=Decimal("7500000"), size_class="mikro", category=2),
    SearchFilters(price_min=Decimal("300000"), price_max=Decimal("200000")),  # nothing
    SearchFilters(district="12.71.09"),  # no such district: nothing
]


@pytest.fixture
def engine(postgres_engine):
    return postgres_engine


def _cube() -> dict[tuple[int, int, int], int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tenant_id, facet_set, band, n FROM search_facet_count WHERE n <> 0")
        return {(t, s, b): n for t, s, b, n in cursor.fetchall()}


def _counted() -> dict[tuple[int, int, int], int]:
    """The entries counted now; the stored band of each is that of its price."""
    band = PostgresBackend._band_index()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM search_entry WHERE band <> {band}")  # noqa: S608
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT tenant_id, facet_set, band, count(*) FROM search_entry GROUP BY 1, 2, 3")
        return {(t, s, b): n for t, s, b, n in cursor.fetchall()}


def test_counts_stay_exact_through_every_write(engine):
    assert _cube() == _counted() and sum(_cube().values()) == len(DOCS)
    # re-index with other prices and facet sets (an upsert: the UPDATE trigger), twice in one batch
    moved = [dataclasses.replace(d, price=d.price * 3, size_class="besar") for d in DOCS[:40]]
    engine.index([prepare(d) for d in [*moved, *moved[:5]]])
    assert _cube() == _counted()
    engine.remove(TENANT, [d.product_id for d in DOCS[40:70] if d.tenant_id == TENANT])
    assert _cube() == _counted()
    engine.clear(OTHER)
    assert _cube() == _counted() and not any(t == OTHER for t, _s, _b in _cube())
    engine.rebuild(TENANT, [[prepare(d) for d in DOCS if d.tenant_id == TENANT][:50]])
    assert _cube() == _counted() and sum(_cube().values()) == 50


def _general(engine, plan):
    """The same plan through the general path, which reads every entry."""
    original = engine._counted_plan
    engine._counted_plan = lambda _plan: None
    try:
        return engine.execute(engine.plan(dataclasses.replace(plan, raw=None)))
    finally:
        engine._counted_plan = original


@pytest.mark.parametrize("budget", [0, 20_000, 10**12])
def test_the_empty_query_answers_as_the_general_path(engine, budget, monkeypatch):
    """Count, facets and every page alike, whether the page walks an index (as soon as the page
    comes within the passing entries: huge budget), sorts the gathered entries (budget 0) or
    decides as configured."""
    monkeypatch.setattr(PostgresBackend, "_WALK_BUDGET", budget)
    for filters in [*FILTERS, *CUTS]:
        for sort in SORTS:
            for page in (1, 2, 9):
                plan = build_plan(TENANT, "", filters, sort, page=page, page_size=7, backend=engine)[1]
                counted = engine.execute(plan)
                general = _general(engine, plan)
                assert (counted.ids, counted.count, counted.facets) == (general.ids, general.count, general.facets), (
                    filters,
                    sort,
                    page,
                )


def test_the_empty_query_reads_the_counts_not_the_entries(engine):
    """With facet filters only, the statement counts from search_facet_count; with TKDN, PDN or a
    vendor (not in the counts) it takes the general path."""
    plan = build_plan(TENANT, "", SearchFilters(category=1, price_max=Decimal("500000")), backend=engine)[1]
    assert engine._counted_plan(plan) is not None and "WITH m AS" not in plan.raw[0][0]
    plan = build_plan(TENANT, "", SearchFilters(tkdn_min=40.0), backend=engine)[1]
    assert engine._counted_plan(plan) is None
    plan = build_plan(TENANT, "kain", SearchFilters(category=1), Sort.NEWEST, backend=engine)[1]
    assert engine._counted_plan(plan) is None


@pytest.fixture
def no_entries():
    """A transactional test sees what earlier ones committed, and `search_entry`, not being a Django
    model's table, is not emptied by Django's flush: start and end with no entries (deleted, so the
    triggers keep the counts)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL backend only")

    def empty() -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_entry")

    empty()
    yield
    empty()


@pytest.mark.django_db(transaction=True)
def test_a_truncate_of_the_entries_empties_their_counts(no_entries):
    """No row trigger fires on TRUNCATE (an operator's, or a restore's), yet no count may outlive
    its entries."""
    PostgresBackend().index([prepare(d) for d in DOCS])
    assert sum(_cube().values()) == len(DOCS)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE search_entry CASCADE")
    assert _cube() == {}


@pytest.mark.django_db(transaction=True)
def test_migration_fills_bands_and_counts_of_existing_entries(no_entries):
    """Migration 0005 on an index that holds entries: their bands and the counts come out as
    indexing them would have made them (the triggers then keep them)."""
    from django.db.migrations.executor import MigrationExecutor

    def migrate(target):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(target or executor.loader.graph.leaf_nodes("search"))

    backend = PostgresBackend()
    backend.index([prepare(d) for d in DOCS])
    try:
        migrate([("search", "0004_zero_results_and_suggestions")])
        migrate(None)
        assert _cube() == _counted() and sum(_cube().values()) == len(DOCS)
        backend.remove(TENANT, [d.product_id for d in DOCS[:30] if d.tenant_id == TENANT])
        assert _cube() == _counted()
    finally:
        migrate(None)
        backend.clear(TENANT)
        backend.clear(OTHER)
