"""PostgreSQL: a text query's facets are counted from one read of its matches, and its page is
read apart: a date or price page by walking the order's index (bounded, and checked against the
count), a relevance page from the groups (facet set, band) holding the best matches. Whichever way
the page is read, every answer must be the same (the default way is compared with the other
engine and with the contract by test_backends_agree.py).
"""

from __future__ import annotations

import dataclasses

import pytest

from katalog.search.backends.database import PostgresBackend
from katalog.search.selectors import build_plan
from katalog.search.types import Sort

from .test_backends_agree import FILTERS, SORTS, TENANT
from .test_postgres_counts import CUTS

pytestmark = pytest.mark.django_db

QUERIES = ["kain", "medan", "sepatu kulit", "kemeja hitam kulit", "baju", "zzzz", ""]
# (walk limit, walk slack, group read): the way each page is read.
WAYS = {
    "walk, always served": (10**9, 0, 10**9),
    "walk cut short, then the matches again": (3, 0, 0),
    "no walk, the matches again": (0, 4, 0),
}


@pytest.fixture
def engine(postgres_engine):
    return postgres_engine


def _answers(engine, monkeypatch, way):
    limit, slack, group = WAYS[way]
    monkeypatch.setattr(PostgresBackend, "_WALK_LIMIT", limit)
    monkeypatch.setattr(PostgresBackend, "_WALK_SLACK", slack)
    monkeypatch.setattr(PostgresBackend, "_GROUP_READ", group)
    out = {}
    for q in QUERIES:
        for filters in [*FILTERS, *CUTS]:
            for sort in SORTS:
                for page in (1, 2, 9):
                    plan = build_plan(TENANT, q, filters, sort, page=page, page_size=7, backend=engine)[1]
                    result = engine.execute(plan)
                    out[(q, filters, sort, page)] = (result.ids, result.count, result.facets)
    return out


def test_every_way_of_reading_the_page_gives_the_same_answers(engine, monkeypatch):
    default = _answers(engine, monkeypatch, "walk, always served")
    assert any(ids for ids, _count, _facets in default.values())
    for way in list(WAYS)[1:]:
        other = _answers(engine, monkeypatch, way)
        assert other.keys() == default.keys()
        for key, answer in default.items():
            assert other[key] == answer, (way, key)


def test_a_price_page_walks_from_the_price_filters_bound(engine):
    """Prices below the filter's bound are where a descending walk starts, not the dearest entry."""
    filters = CUTS[0]  # price_max 500,000
    plan = build_plan(TENANT, "kain", filters, Sort.PRICE_DESC, backend=engine)[1]
    sql = plan.raw[0][0]
    walk = sql[sql.index("w AS MATERIALIZED") :]
    assert "e.price_sen <= %s ORDER BY price_sen DESC" in walk


def test_a_query_of_very_many_words_reads_its_matches_again(engine, monkeypatch):
    """Beyond _KEY_CLAUSES clauses the relevance key would overflow; the page is still right."""
    plan = build_plan(TENANT, "kain kulit", backend=engine, min_match=1)[1]
    expected = engine.execute(plan)
    monkeypatch.setattr(PostgresBackend, "_KEY_CLAUSES", 2)
    again = engine.execute(engine.plan(dataclasses.replace(plan, raw=None)))
    assert expected.ids and (again.ids, again.count, again.facets) == (expected.ids, expected.count, expected.facets)
