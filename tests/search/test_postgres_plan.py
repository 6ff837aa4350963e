"""PostgreSQL's relaxed matching ("at least k of n clauses") is one tsquery, the OR of the AND of
every k clauses, so the GIN index returns only the documents holding k clauses. It must answer
exactly as the plain form (any clause, then a sum of per-clause tests >= k), checked on the
generated catalogue of test_backends_agree.py.
"""

from __future__ import annotations

import dataclasses

import pytest

from katalog.search.backends.database import PostgresBackend
from katalog.search.selectors import build_plan

from .test_backends_agree import FILTERS, TENANT

pytestmark = pytest.mark.django_db

RELAXED = ["sepatu kulit hitam merah", "batik rotan kopi ulos tas", "kain sidikalang", "kemeja hitam kulit"]


@pytest.fixture
def engine(postgres_engine):
    return postgres_engine


def _where(plan) -> str:
    """The condition of the statement's first read of the matches (the one the facets count)."""
    sql = plan.raw[0][0]
    start = sql.index("FROM search_entry e WHERE")
    return sql[start : sql.index(" GROUP BY", start)]


def test_relaxed_match_is_one_index_condition(engine):
    """At least 2 of 4 clauses: one `tsv @@` test (the six pairs), no per-row sum in the WHERE."""
    plan = build_plan(TENANT, "sepatu kulit hitam merah", backend=engine, min_match=2)[1]
    where = _where(plan)
    assert where.count("tsv @@") == 1 and "::int" not in where
    dnf = [p for p in plan.raw[0][1] if isinstance(p, str) and " | " in p and " & " in p]
    assert len(set(dnf)) == 1 and dnf[0].count(" | ") == 5  # C(4, 2) = 6 conjunctions


@pytest.mark.parametrize("q", RELAXED)
def test_one_tsquery_matches_like_the_sum_of_clause_tests(engine, q, monkeypatch):
    """Masks, pages, counts and facets at every level are those of the plain form."""
    limit = PostgresBackend._MAX_SUBSETS
    for filters in FILTERS[:4]:
        for level in (1, 2, 3):
            plan = build_plan(TENANT, q, filters, backend=engine, min_match=level)[1]
            fast = (engine.clause_masks(plan), engine.execute(plan))
            monkeypatch.setattr(PostgresBackend, "_MAX_SUBSETS", 0)
            plain_plan = engine.plan(dataclasses.replace(plan, raw=None))
            if 1 < plan.required < len(plan.clauses):
                assert _where(plain_plan).count("tsv @@") > 1
            plain = (engine.clause_masks(plain_plan), engine.execute(plain_plan))
            monkeypatch.setattr(PostgresBackend, "_MAX_SUBSETS", limit)
            assert fast[0] == plain[0], (q, filters, level)
            assert (fast[1].ids, fast[1].count, fast[1].facets) == (plain[1].ids, plain[1].count, plain[1].facets)
