"""Reads from the search index: the one `search` function every page and API calls."""

from __future__ import annotations

import math
from dataclasses import replace

from django.db import connections, router
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from katalog.core import tenant_cache
from katalog.search.analysis import Clause, SynonymGroups, parse_query, synonym_groups
from katalog.search.backends import get_backend
from katalog.search.backends.base import SearchBackend, SearchPlan
from katalog.search.models import SearchTerm, Synonym
from katalog.search.ranking import today_rotation_day
from katalog.search.types import SearchFilters, SearchResult, Sort

MAX_PAGE_SIZE = 100
# Relaxed matching: when every clause together finds fewer results than this, fewer clauses are
# required, one at a time (docs/search.md, "Relaxed matching").
RELAX_BELOW = 5


def known_words(tenant_id: int, candidates: set[str]) -> dict[str, str]:
    """Which of these words the tenant's index has seen, with their stems."""
    if not candidates:
        return {}
    # A plain statement: the ORM's `word__in` over the ~600 one-letter edits of a word spent ~15 ms
    # preparing the values, ten times the query itself (docs/search.md).
    words = sorted(candidates)
    table = SearchTerm._meta.db_table
    found: dict[str, str] = {}
    with connections[router.db_for_read(SearchTerm)].cursor() as cursor:
        for start in range(0, len(words), 900):  # SQLite's limit on parameters per statement
            chunk = words[start : start + 900]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT word, stem FROM {table} WHERE tenant_id = %s AND word IN ({marks})",  # noqa: S608
                [tenant_id, *chunk],
            )
            found.update(cursor.fetchall())
    return found


def synonyms_for(tenant_id: int) -> list[tuple[str, str]]:
    return list(Synonym.objects.filter(tenant_id=tenant_id).values_list("term", "expansion"))


def _synonym_scope(tenant_id: int) -> str:
    return f"synonyms-{tenant_id}"


def synonym_groups_for(tenant_id: int) -> SynonymGroups:
    """The tenant's synonyms, analyzed into groups, kept between requests (every search page needs
    them; they change rarely). Kept by katalog/core/tenant_cache.py, so a change made in one worker
    shows at once in all of them."""
    return tenant_cache.cached(_synonym_scope(tenant_id), "groups", lambda: synonym_groups(synonyms_for(tenant_id)))


def forget_synonyms(tenant_id: int) -> None:
    """Drop the kept synonym groups of a tenant, in every process (now and after the commit)."""
    tenant_cache.forget(_synonym_scope(tenant_id))


@receiver(post_save, sender=Synonym, dispatch_uid="search-synonym-saved")
@receiver(post_delete, sender=Synonym, dispatch_uid="search-synonym-deleted")
def _synonym_changed(sender, instance: Synonym, **kwargs) -> None:
    forget_synonyms(instance.tenant_id)


def clauses_for(tenant_id: int, q: str) -> list[Clause]:
    """The clauses of a query for this tenant (synonyms and typo widening applied)."""
    if not q:
        return []
    return parse_query(q, synonym_groups_for(tenant_id), lambda c: known_words(tenant_id, c))


def build_plan(
    tenant_id: int,
    q: str = "",
    filters: SearchFilters | None = None,
    sort: Sort | str | None = None,
    page: int = 1,
    page_size: int = 20,
    *,
    backend: SearchBackend | None = None,
    rotation_day: int | None = None,
    min_match: int = 0,
) -> tuple[SearchBackend, SearchPlan]:
    """Analyze the query (synonyms, typos) and compile it for the engine; separate from running it
    so the benchmark can time the engine alone. `rotation_day` (0..6) defaults to today's in WIB;
    `min_match` 0 requires every clause."""
    engine = backend or get_backend()
    clauses = clauses_for(tenant_id, q)
    chosen = Sort(sort) if sort else (Sort.RELEVANCE if clauses else Sort.NEWEST)
    page_size = max(1, min(int(page_size), MAX_PAGE_SIZE))
    plan = SearchPlan(
        tenant_id=tenant_id,
        clauses=tuple(clauses),
        filters=filters or SearchFilters(),
        sort=chosen,
        offset=(max(1, int(page)) - 1) * page_size,
        limit=page_size,
        min_match=min(max(0, min_match), len(clauses)),
        rotation_day=(today_rotation_day() if rotation_day is None else rotation_day) % 7,
    )
    return engine, engine.plan(plan)


def relax_floor(n: int) -> int:
    """The fewest clauses a relaxed query may require: 1 for up to three, else half (rounded up)."""
    return 1 if n <= 3 else math.ceil(n / 2)


def _level_from_masks(masks: dict[int, int], n: int) -> tuple[int, list[int]]:
    """The relaxed level (n-1 down to the floor, first with RELAX_BELOW results) and the clauses no
    result of that level matches, from the counts by matched-clauses mask."""
    floor = relax_floor(n)
    level = floor
    for k in range(n - 1, floor - 1, -1):
        if sum(c for mask, c in masks.items() if mask.bit_count() >= k) >= RELAX_BELOW:
            level = k
            break
    seen = 0
    for mask in masks:
        if mask.bit_count() >= level:
            seen |= mask
    return level, [i for i in range(n) if not seen >> i & 1]


def search(
    tenant_id: int,
    q: str = "",
    filters: SearchFilters | None = None,
    sort: Sort | str | None = None,
    page: int = 1,
    page_size: int = 20,
    *,
    backend: SearchBackend | None = None,
    rotation_day: int | None = None,
) -> SearchResult:
    """One page of a tenant's products matching `q` (an empty q lists all), narrowed by `filters`,
    in `sort` order (relevance when there is a query, newest otherwise), with the total count and
    the facet counts of all matches (each facet ignoring its own filter).

    Every clause is required first; when that finds fewer than RELAX_BELOW products and the query
    has two clauses or more, fewer are required step by step (docs/search.md)."""
    engine, plan = build_plan(tenant_id, q, filters, sort, page, page_size, backend=backend, rotation_day=rotation_day)
    n = len(plan.clauses)
    labels = [c.label for c in plan.clauses]
    result = engine.execute(plan) if n < 2 else engine.execute_unless_fewer(plan, RELAX_BELOW)
    if result is not None:
        result.min_match, result.clause_labels = n, labels
        return result
    masks = engine.clause_masks(replace(plan, min_match=relax_floor(n)))
    left_out: list[int] = []
    if masks is not None:
        level, left_out = _level_from_masks(masks, n)
        relaxed = engine.execute(engine.plan(replace(plan, min_match=level, raw=None, masks=masks)))
    else:
        for level in range(n - 1, relax_floor(n) - 1, -1):
            relaxed = engine.execute(engine.plan(replace(plan, min_match=level, raw=None)))
            if relaxed.count >= RELAX_BELOW:
                break
    relaxed.min_match, relaxed.clause_labels, relaxed.relaxed = level, labels, True
    relaxed.left_out = [labels[i] for i in left_out]
    return relaxed
