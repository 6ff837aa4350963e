"""Reads from the search index: the one `search` function every page and API calls."""

from __future__ import annotations

from katalog.search.analysis import parse_query
from katalog.search.backends import get_backend
from katalog.search.backends.base import SearchBackend, SearchPlan
from katalog.search.models import SearchTerm, Synonym
from katalog.search.types import SearchFilters, SearchResult, Sort

MAX_PAGE_SIZE = 100


def known_words(tenant_id: int, candidates: set[str]) -> dict[str, str]:
    """Which of these words the tenant's index has seen, with their stems."""
    if not candidates:
        return {}
    rows = SearchTerm.objects.filter(tenant_id=tenant_id, word__in=sorted(candidates)).values_list("word", "stem")
    return dict(rows)


def synonyms_for(tenant_id: int) -> list[tuple[str, str]]:
    return list(Synonym.objects.filter(tenant_id=tenant_id).values_list("term", "expansion"))


def build_plan(
    tenant_id: int,
    q: str = "",
    filters: SearchFilters | None = None,
    sort: Sort | str | None = None,
    page: int = 1,
    page_size: int = 20,
    *,
    backend: SearchBackend | None = None,
) -> tuple[SearchBackend, SearchPlan]:
    """Analyze the query (synonyms, typos) and compile it for the engine; separate from running it
    so the benchmark can time the engine alone."""
    engine = backend or get_backend()
    clauses = parse_query(q or "", synonyms_for(tenant_id), lambda c: known_words(tenant_id, c)) if q else []
    chosen = Sort(sort) if sort else (Sort.RELEVANCE if clauses else Sort.NEWEST)
    page_size = max(1, min(int(page_size), MAX_PAGE_SIZE))
    plan = SearchPlan(
        tenant_id=tenant_id,
        clauses=tuple(clauses),
        filters=filters or SearchFilters(),
        sort=chosen,
        offset=(max(1, int(page)) - 1) * page_size,
        limit=page_size,
    )
    return engine, engine.plan(plan)


def search(
    tenant_id: int,
    q: str = "",
    filters: SearchFilters | None = None,
    sort: Sort | str | None = None,
    page: int = 1,
    page_size: int = 20,
    *,
    backend: SearchBackend | None = None,
) -> SearchResult:
    """One page of a tenant's products matching `q` (every word required; an empty q lists all),
    narrowed by `filters`, in `sort` order (relevance when there is a query, newest otherwise),
    with the total count and the facet counts of all matches."""
    engine, plan = build_plan(tenant_id, q, filters, sort, page, page_size, backend=backend)
    return engine.execute(plan)
