# SQL text here is assembled only from fixed fragments; every value travels as a parameter.
# ruff: noqa: S608
"""The default backend: the database's own full-text index (SQLite FTS5 or PostgreSQL tsvector).

Documents live in `search_entry` (see schema.py), written in the caller's transaction, so a
product change and its search entry commit or roll back together. The same filter skeleton serves
both engines; the text match, the facet filters, the table layout and the facet query differ.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import replace
from itertools import combinations
from typing import Any

from django.db import connections, transaction

from katalog.search.analysis import Clause
from katalog.search.backends.base import PreparedDocument, SearchBackend, SearchPlan
from katalog.search.ranking import SEEDS
from katalog.search.types import (
    SearchDocument,
    SearchFilters,
    SearchResult,
    Sort,
    band_bounds_sen,
    empty_facets,
    to_sen,
)

# SQLite's columns (PostgreSQL's layout differs, see PostgresBackend.index).
_COLUMNS = (
    "tenant_id, product_id, category_id, category_ids, price_sen, unit, size_class, district_code, "
    "vendor_id, tkdn, is_domestic, listed_s, name_terms, body_terms, preference"
)
_FACET_KEYS = {"s": "size_class", "d": "district", "b": "price_band", "c": "category"}
# Which facet each facet filter belongs to: a facet is counted with every filter but its own.
_FACETS = ("s", "d", "c", "b")


def _band_case() -> str:
    """SQL naming the price band of `price_sen`; the bounds are integers from PRICE_BANDS."""
    parts = [f"WHEN price_sen < {hi} THEN '{key}'" for key, _lo, hi in band_bounds_sen() if hi is not None]
    return f"CASE {' '.join(parts)} ELSE '{band_bounds_sen()[-1][0]}' END"


def _band_number(price_sen: int) -> int:
    """The price band's number, 0 = cheapest (PostgreSQL stores it per entry: `band`)."""
    for i, (_key, _lo, hi) in enumerate(band_bounds_sen()):
        if hi is None or price_sen < hi:
            return i
    raise AssertionError(price_sen)


def _facet_key(doc: SearchDocument) -> tuple[str, str, tuple[int, ...]]:
    """What a PostgreSQL facet set stands for: size class, district and the category path."""
    return doc.size_class, doc.district_code, tuple(sorted(set(doc.category_ids)))


def _ranked(plan: SearchPlan) -> bool:
    return plan.sort == Sort.RELEVANCE and bool(plan.clauses)


def _order_sql(sort: Sort, ranked: bool) -> str:
    """The order over the columns the page query selects: product_id, listed_s, price_sen, and
    when ranked matched, hits, preference and rot (katalog/search/ranking.py)."""
    tail = "listed_s DESC, product_id DESC"
    if sort == Sort.PRICE:
        return f"price_sen ASC, {tail}"
    if sort == Sort.PRICE_DESC:
        return f"price_sen DESC, {tail}"
    if sort == Sort.RELEVANCE and ranked:
        return "matched DESC, hits DESC, preference DESC, rot DESC, product_id DESC"
    return tail


def _price_filters(f: SearchFilters) -> tuple[list[str], list[Any]]:
    sql, params = [], []
    for fragment, value in (("e.price_sen >= %s", f.price_min), ("e.price_sen <= %s", f.price_max)):
        if value is not None:
            sql.append(fragment)
            params.append(to_sen(value))
    return sql, params


class DatabaseBackend(SearchBackend):
    """Shared SQL for both engines; subclasses supply the engine-specific fragments."""

    name = "database"

    def __init__(self, alias: str = "default") -> None:
        self.alias = alias

    # -- engine-specific fragments -----------------------------------------------------------
    def _match(self, clauses: Sequence[Clause], joiner: str, name_only: bool = False) -> tuple[str, list[Any]]:
        """A condition: the document holds every clause (joiner "AND") or any of them ("OR")."""
        raise NotImplementedError

    def _clause_hit(self, clause: Clause, name_only: bool) -> tuple[str, list[Any]]:
        """An integer expression: 1 when the document (or its name) matches the clause, else 0."""
        raise NotImplementedError

    def _rotation(self, day: int) -> str:
        """An integer expression: the product's tie-breaking key of that day (ranking.rotation_key)."""
        raise NotImplementedError

    # -- shared --------------------------------------------------------------------------------
    def _sum_hits(self, clauses: Sequence[Clause], name_only: bool) -> tuple[str, list[Any]]:
        parts, params = [], []
        for clause in clauses:
            sql, p = self._clause_hit(clause, name_only)
            parts.append(sql)
            params += p
        return "(" + " + ".join(parts) + ")", params

    def _mask(self, clauses: Sequence[Clause]) -> tuple[str, list[Any]]:
        """Which clauses a document matches, as bits (clause i = bit i)."""
        parts, params = [], []
        for i, clause in enumerate(clauses):
            sql, p = self._clause_hit(clause, False)
            parts.append(f"{sql} * {1 << i}")
            params += p
        return "(" + " + ".join(parts) + ")", params

    def _text(self, plan: SearchPlan) -> tuple[list[str], list[Any]]:
        """The text conditions: every clause, or (relaxed) any clause and at least `required`."""
        if not plan.clauses:
            return [], []
        if plan.required >= len(plan.clauses):
            sql, params = self._match(plan.clauses, "AND")
            return [sql], params
        sql, params = self._match(plan.clauses, "OR")
        if plan.required <= 1:
            return [sql], params
        matched, matched_params = self._sum_hits(plan.clauses, False)
        return [sql, f"{matched} >= %s"], [*params, *matched_params, plan.required]

    def _base_where(self, plan: SearchPlan) -> tuple[list[str], list[Any]]:
        """Tenant, text and the filters that are not facets (TKDN, PDN, vendor)."""
        f = plan.filters
        sql, params = ["e.tenant_id = %s"], [plan.tenant_id]
        text_sql, text_params = self._text(plan)
        sql += text_sql
        params += text_params
        for fragment, value in (
            ("e.tkdn >= %s", f.tkdn_min),
            ("e.is_domestic = %s", f.pdn),
            ("e.vendor_id = %s", f.vendor),
        ):
            if value is not None:
                sql.append(fragment)
                params.append(value)
        return sql, params

    def _rank_columns(self, plan: SearchPlan) -> tuple[str, list[Any]]:
        """matched, hits, preference and rot for a ranked page (constants otherwise)."""
        if not _ranked(plan):
            return "0 AS matched, 0 AS hits, 0 AS preference, 0 AS rot", []
        hits, hits_params = self._sum_hits(plan.clauses, True)
        if plan.required >= len(plan.clauses):
            matched, matched_params = str(len(plan.clauses)), []
        else:
            matched, matched_params = self._sum_hits(plan.clauses, False)
        sql = f"{matched} AS matched, {hits} AS hits, e.preference, {self._rotation(plan.rotation_day)} AS rot"
        return sql, [*matched_params, *hits_params]

    @staticmethod
    def _facets(rows: Sequence[tuple[str, Any, int]]) -> tuple[int, dict[str, dict[Any, int]]]:
        """Shape the (facet, value, count) rows; a row 'n' carries the count when a facet filter is
        set (the size-class facet then ignores its own filter and no longer sums to it)."""
        facets = empty_facets()
        by_size = total = 0
        has_total = False
        for kind, value, n in rows:
            if kind == "n":
                total, has_total = int(n), True
                continue
            key = _FACET_KEYS[kind]
            if int(n):
                facets[key][int(value) if kind == "c" else value] = int(n)
            if kind == "s":
                by_size += int(n)
        return (total if has_total else by_size), facets

    def execute_raw(self, plan: SearchPlan) -> object:
        with connections[self.alias].cursor() as cursor:
            out = []
            for sql, params in plan.raw:
                cursor.execute(sql, params)
                out.append(cursor.fetchall())
            return out

    def _masks_sql(self, plan: SearchPlan) -> tuple[str, list[Any]]:
        raise NotImplementedError

    def clause_masks(self, plan: SearchPlan) -> dict[int, int] | None:
        if len(plan.clauses) < 2 or len(plan.clauses) > 62:
            return None
        [rows] = self.execute_raw(replace(plan, raw=[self._masks_sql(plan)]))  # type: ignore[misc]
        return {int(mask): int(n) for mask, n in rows}


class SqliteBackend(DatabaseBackend):
    """SQLite: an FTS5 table whose rowid is the search_entry id; categories in a side table."""

    name = "sqlite"

    @staticmethod
    def _fts(clauses: Sequence[Clause], joiner: str = "AND") -> str:
        def alt(terms: tuple[str, ...]) -> str:
            return "(" + " AND ".join(f'"{t}"' for t in terms) + ")"

        return f" {joiner} ".join("(" + " OR ".join(alt(a) for a in c.alternatives) + ")" for c in clauses)

    def _match(self, clauses: Sequence[Clause], joiner: str, name_only: bool = False) -> tuple[str, list[Any]]:
        query = self._fts(clauses, joiner)
        return "e.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s)", [
            f"name : ({query})" if name_only else query
        ]

    def _clause_hit(self, clause: Clause, name_only: bool) -> tuple[str, list[Any]]:
        sql, params = self._match([clause], "AND", name_only)
        return f"({sql})", params

    def _rotation(self, day: int) -> str:
        # SQLite has no XOR: a ^ b = (a | b) - (a & b).
        perm = "((e.product_id * 2654435761) %% 4294967296)"
        seed = SEEDS[day % 7]
        return f"(({perm} | {seed}) - ({perm} & {seed}))"

    def _facet_filters(self, f: SearchFilters) -> dict[str, tuple[str, list[Any]]]:
        """The set filters that are also facets, by facet: each is a condition on one row."""
        out: dict[str, tuple[str, list[Any]]] = {}
        if f.size_class is not None:
            out["s"] = ("e.size_class = %s", [f.size_class])
        if f.district is not None:
            out["d"] = ("e.district_code = %s", [f.district])
        if f.category is not None:
            out["c"] = ("e.id IN (SELECT entry_id FROM search_entry_category WHERE category_id = %s)", [f.category])
        price_sql, price_params = _price_filters(f)
        if price_sql:
            out["b"] = (" AND ".join(price_sql), price_params)
        return out

    def _where(self, plan: SearchPlan) -> tuple[str, list[Any]]:
        sql, params = self._base_where(plan)
        for fragment, p in self._facet_filters(plan.filters).values():
            sql.append(fragment)
            params += p
        return " AND ".join(sql), params

    def plan(self, plan: SearchPlan) -> SearchPlan:
        where, params = self._where(plan)
        rank, rank_params = self._rank_columns(plan)
        page_sql = (
            f"SELECT e.product_id, e.listed_s, e.price_sen, {rank} FROM search_entry e WHERE {where} "
            f"ORDER BY {_order_sql(plan.sort, _ranked(plan))} LIMIT %s OFFSET %s"
        )
        raw = [(page_sql, [*rank_params, *params, plan.limit, plan.offset]), self._facet_sql(plan)]
        return SearchPlan(**{**plan.__dict__, "raw": raw})

    def _facet_sql(self, plan: SearchPlan) -> tuple[str, list[Any]]:
        """The facet counts, disjunctive: the matches without the facet filters are kept once (m)
        with one flag per facet filter that is set; each facet counts the rows that pass every flag
        but its own, and a row 'n' counts those passing all. With no facet filter set this is one
        GROUP BY per facet over the matches."""
        base, params = self._base_where(plan)
        chosen = self._facet_filters(plan.filters)
        flags, flag_params = [], []
        for kind, (fragment, p) in chosen.items():
            flags.append(f", ({fragment}) AS f_{kind}")
            flag_params += p

        def passing(skip: str | None) -> str:
            kept = [f"f_{kind}" for kind in chosen if kind != skip]
            return f" WHERE {' AND '.join(kept)}" if kept else ""

        sql = (
            "WITH m AS MATERIALIZED (SELECT e.id, e.size_class, e.district_code, e.price_sen"
            f"{''.join(flags)} FROM search_entry e WHERE {' AND '.join(base)}) "
            f"SELECT 's', size_class, count(*) FROM m{passing('s')} GROUP BY 2 "
            f"UNION ALL SELECT 'd', district_code, count(*) FROM m{passing('d')} GROUP BY 2 "
            f"UNION ALL SELECT 'b', {_band_case()}, count(*) FROM m{passing('b')} GROUP BY 2 "
            "UNION ALL SELECT 'c', c.category_id, count(*) FROM m "
            f"JOIN search_entry_category c ON c.entry_id = m.id{passing('c')} GROUP BY 2"
        )
        if chosen:
            sql += f" UNION ALL SELECT 'n', '', count(*) FROM m{passing(None)}"
        return sql, [*flag_params, *params]

    def _masks_sql(self, plan: SearchPlan) -> tuple[str, list[Any]]:
        where, params = self._where(plan)
        mask, mask_params = self._mask(plan.clauses)
        return f"SELECT {mask} AS mask, count(*) FROM search_entry e WHERE {where} GROUP BY 1", [
            *mask_params,
            *params,
        ]

    def execute(self, plan: SearchPlan) -> SearchResult:
        page_rows, facet_rows = self.execute_raw(plan)  # type: ignore[misc]
        count, facets = self._facets(facet_rows)
        return SearchResult(count=count, ids=[int(r[0]) for r in page_rows], facets=facets)

    def index(self, docs: Sequence[PreparedDocument]) -> None:
        with transaction.atomic(using=self.alias), connections[self.alias].cursor() as cursor:
            by_tenant: dict[int, list[int]] = {}
            for p in docs:
                by_tenant.setdefault(p.doc.tenant_id, []).append(p.doc.product_id)
            for tenant_id, ids in by_tenant.items():
                self._delete(cursor, tenant_id, ids)
            for p in docs:
                d = p.doc
                cursor.execute(
                    f"INSERT INTO search_entry ({_COLUMNS}) VALUES ({', '.join(['%s'] * 15)})",
                    [
                        d.tenant_id,
                        d.product_id,
                        d.category_id,
                        json.dumps(sorted(set(d.category_ids))),
                        p.price_sen,
                        d.unit,
                        d.size_class,
                        d.district_code,
                        d.vendor_id,
                        d.tkdn_percent,
                        d.is_domestic,
                        p.listed_s,
                        p.name_terms,
                        p.body_terms,
                        p.preference,
                    ],
                )
                entry_id = cursor.lastrowid
                cursor.execute(
                    "INSERT INTO search_fts (rowid, name, body) VALUES (%s, %s, %s)",
                    [entry_id, p.name_terms, p.body_terms],
                )
                cursor.executemany(
                    "INSERT INTO search_entry_category (category_id, entry_id) VALUES (%s, %s)",
                    [(c, entry_id) for c in sorted(set(d.category_ids))],
                )

    @staticmethod
    def _delete(cursor: Any, tenant_id: int, product_ids: Sequence[int]) -> None:
        for start in range(0, len(product_ids), 500):
            chunk = list(product_ids[start : start + 500])
            marks = ", ".join(["%s"] * len(chunk))
            subquery = f"SELECT id FROM search_entry WHERE tenant_id = %s AND product_id IN ({marks})"
            cursor.execute(f"DELETE FROM search_fts WHERE rowid IN ({subquery})", [tenant_id, *chunk])
            cursor.execute(f"DELETE FROM search_entry_category WHERE entry_id IN ({subquery})", [tenant_id, *chunk])
            cursor.execute(f"DELETE FROM search_entry WHERE id IN ({subquery})", [tenant_id, *chunk])

    def remove(self, tenant_id: int, product_ids: Sequence[int]) -> None:
        with transaction.atomic(using=self.alias), connections[self.alias].cursor() as cursor:
            self._delete(cursor, tenant_id, product_ids)

    def clear(self, tenant_id: int) -> None:
        with transaction.atomic(using=self.alias), connections[self.alias].cursor() as cursor:
            subquery = "SELECT id FROM search_entry WHERE tenant_id = %s"
            cursor.execute(f"DELETE FROM search_fts WHERE rowid IN ({subquery})", [tenant_id])
            cursor.execute(f"DELETE FROM search_entry_category WHERE entry_id IN ({subquery})", [tenant_id])
            cursor.execute("DELETE FROM search_entry WHERE tenant_id = %s", [tenant_id])


class PostgresBackend(DatabaseBackend):
    """PostgreSQL: a weighted tsvector ('simple' config over analyzed tokens; name weighted A) with
    a GIN index; size class, district and category path interned as one `facet_set` id per row
    (schema.py); one statement returns the page and every facet."""

    name = "postgres"

    # Settings for the search statement only. JIT: a query counting 600k rows has a plan cost far
    # above jit_above_cost, and compiling it costs 50-200 ms, more than it saves on a few simple
    # expressions. work_mem: the matches are kept once (a materialized CTE) and read twice (page,
    # facets); at the default 4 MB a few hundred thousand rows spill to disk and the GIN bitmap
    # turns lossy, forcing a tsvector recheck of every row on a lossy page.
    _SETTINGS = (("jit", "off"), ("work_mem", "64MB"))
    # Relaxed matching as one tsquery (see _text): C(6, 3) = 20 subsets are fine.
    _MAX_SUBSETS = 35
    # The empty query's page walks an order's index when it reaches the page's end within at most
    # this many entries, and fewer than pass the filters (see _counted_plan).
    _WALK_BUDGET = 20_000
    # A text query's date- or price-ordered page walks at most this many entries (_direct_plan).
    _WALK_LIMIT = 20_000
    _WALK_SLACK = 4
    # A relevance page reads the entries of its top groups when they are at most this many times
    # the matches (else the matches again; _direct_plan).
    _GROUP_READ = 1
    # Up to this many clauses the relevance key fits a bigint (_rank_key).
    _KEY_CLAUSES = 1024

    @staticmethod
    def _tsquery(clauses: Sequence[Clause], weight: str = "", joiner: str = "&") -> str:
        def alt(terms: tuple[str, ...]) -> str:
            return "(" + " & ".join(f"'{t}'{weight}" for t in terms) + ")"

        return f" {joiner} ".join("(" + " | ".join(alt(a) for a in c.alternatives) + ")" for c in clauses)

    def _match(self, clauses: Sequence[Clause], joiner: str, name_only: bool = False) -> tuple[str, list[Any]]:
        query = self._tsquery(clauses, ":A" if name_only else "", "&" if joiner == "AND" else "|")
        return "e.tsv @@ %s::tsquery", [query]

    def _clause_hit(self, clause: Clause, name_only: bool) -> tuple[str, list[Any]]:
        sql, params = self._match([clause], "AND", name_only)
        return f"({sql})::int", params

    def _text(self, plan: SearchPlan) -> tuple[list[str], list[Any]]:
        """Relaxed (at least k of n clauses, 1 < k < n) as ONE tsquery the GIN index answers
        exactly: the OR of the AND of every k clauses. Written as `any clause AND sum of per-clause
        tests >= k`, the index returned every document holding any one word (for `sepatu hitam
        kantor pria`, ~450k of 1M) and each was read from the heap and tested four times, though
        ~25k hold two; the relaxation runs this twice (clause_masks, then the page). Beyond
        _MAX_SUBSETS subsets the query text would outgrow the work it saves."""
        n, k = len(plan.clauses), plan.required
        if not 1 < k < n or math.comb(n, k) > self._MAX_SUBSETS:
            return super()._text(plan)
        query = " | ".join(
            f"({self._tsquery([plan.clauses[i] for i in chosen])})" for chosen in combinations(range(n), k)
        )
        return ["e.tsv @@ %s::tsquery"], [query]

    def _rotation(self, day: int, column: str = "e.product_id") -> str:
        return f"((({column} * 2654435761) %% 4294967296) # {SEEDS[day % 7]})"

    @staticmethod
    def _set_conditions(f: SearchFilters) -> dict[str, tuple[str, object]]:
        """The set filters that live in the facet sets, by facet, as conditions on a set's row."""
        conditions = {
            "c": ("category_ids @> ARRAY[%s]::integer[]", f.category),
            "s": ("size_class = %s", f.size_class),
            "d": ("district_code = %s", f.district),
        }
        return {kind: cond for kind, cond in conditions.items() if cond[1] is not None}

    def _facet_filters(self, f: SearchFilters, per_row: bool = False) -> tuple[list[str], list[Any]]:
        """Category, size class, district and price as conditions on an entry. The first three live
        in the facet sets: one membership test on the entry's int, whatever the number of such
        filters. `= ANY(ARRAY(...))` makes the matching sets a value computed once; written as
        `IN (SELECT ...)` the planner, misjudging how many sets match (e.g. before the small table
        is analyzed), chose a nested loop that re-ran the GIN match once per set: 8.5 s instead of
        0.09 s at 1M documents.

        `per_row`: the test is made on every row read anyway (a flag of the matches, or beside the
        text match): `(e.facet_set IN (SELECT ...)) IS TRUE`, a hashed subplan (one hash probe a
        row), which the planner cannot turn into a join; `= ANY(array)` compares with each of the
        sets in turn (a category matches ~170 at 1M): 243,000 rows cost 585 ms instead of 43 ms."""
        chosen = self._set_conditions(f)
        sql, params = _price_filters(f)
        if chosen:
            where = " AND ".join(cond for cond, _value in chosen.values())
            sets = f"SELECT id FROM search_facet_set WHERE {where}"
            sql.insert(0, f"(e.facet_set IN ({sets})) IS TRUE" if per_row else f"e.facet_set = ANY(ARRAY({sets}))")
            params[:0] = [value for _cond, value in chosen.values()]
        return sql, params

    def _where(self, plan: SearchPlan) -> tuple[str, list[Any]]:
        sql, params = self._base_where(plan)
        facet_sql, facet_params = self._facet_filters(plan.filters, per_row=bool(plan.clauses))
        return " AND ".join(sql + facet_sql), params + facet_params

    @staticmethod
    def _band_index() -> str:
        """SQL numbering the price band of `price_sen` (0 = cheapest); an int groups faster than
        the band's name, which the roll-up looks up once per group."""
        bounds = [hi for _key, _lo, hi in band_bounds_sen() if hi is not None]
        parts = [f"WHEN price_sen < {hi} THEN {i}" for i, hi in enumerate(bounds)]
        return f"CASE {' '.join(parts)} ELSE {len(bounds)} END"

    @staticmethod
    def _set_flags(set_conditions: dict[str, tuple[str, object]]) -> tuple[list[str], list[Any]]:
        """One column of g per facet filter held in the facet sets: does the set pass it."""
        flags, params = [], []
        for kind, (cond, value) in set_conditions.items():
            flags.append(f", (s.{cond}) AS f_{kind}")
            params.append(value)
        return flags, params

    @staticmethod
    def _passing(set_conditions: dict[str, tuple[str, object]], price: bool) -> Any:
        kinds = [*set_conditions, *(["b"] if price else [])]

        def passing(skip: str | None) -> str:
            kept = [f"f_{kind}" for kind in kinds if kind != skip]
            return f" WHERE {' AND '.join(kept)}" if kept else ""

        return passing

    @staticmethod
    def _rollup(passing: Any, total: str) -> str:
        """The facets as JSON, summed per facet from g (a group's sets and band, with n)."""
        return (
            "(SELECT coalesce(json_agg(json_build_array(f.k, f.v, f.n)), '[]'::json) FROM ("
            f"SELECT 's' AS k, size_class AS v, sum(n) AS n FROM g{passing('s')} GROUP BY 2 "
            f"UNION ALL SELECT 'd', district_code, sum(n) FROM g{passing('d')} GROUP BY 2 "
            f"UNION ALL SELECT 'b', band, sum(n) FROM g{passing('b')} GROUP BY 2 "
            f"UNION ALL SELECT 'c', c::text, sum(n) FROM g, unnest(g.category_ids) AS c{passing('c')} GROUP BY 2 "
            f"{total}) f)"
        )

    @staticmethod
    def _price_parts(f: SearchFilters) -> tuple[list[int], list[tuple[int, int | None]]] | None:
        """For a price filter: the bands wholly inside it, and the price ranges (sen, inclusive) of
        the bands it cuts. None without a price filter."""
        if f.price_min is None and f.price_max is None:
            return None
        low = to_sen(f.price_min) if f.price_min is not None else None
        high = to_sen(f.price_max) if f.price_max is not None else None
        inside, cut = [], []
        for i, (_key, lo, hi) in enumerate(band_bounds_sen()):
            top = hi - 1 if hi is not None else None
            a = lo if low is None else max(lo, low)
            b = top if high is None else (high if top is None else min(top, high))
            if b is not None and a > b:
                continue
            if a == lo and b == top:
                inside.append(i)
            else:
                cut.append((a, b))
        return inside, cut

    def _counted_plan(self, plan: SearchPlan) -> SearchPlan | None:
        """The empty query, filtered by facets only: the count and the facets come from the
        tenant's rows of search_facet_count (a few thousand: facet set x price band, kept exact by
        triggers), not from reading every entry. A price filter that cuts a band adds an index-only
        count of the entries in the cut part (search_entry_price carries the facet set and band).

        The page: when the order's index reaches the page's end within fewer entries than pass
        the filters, and within _WALK_BUDGET -- (offset + limit) x all entries <= passing x
        min(passing, _WALK_BUDGET) -- the planner walks that index (newest, or price) and stops
        at the page's end; otherwise the passing entries are gathered first and sorted. Both are
        in the statement, each under a one-time filter on the count, so only one runs; no page at
        all when nothing passes. Other filters (TKDN, PDN, vendor) take the general path (None)."""
        f = plan.filters
        if plan.clauses or f.tkdn_min is not None or f.pdn is not None or f.vendor is not None:
            return None
        set_conditions = self._set_conditions(f)
        price = self._price_parts(f)
        band_names = ", ".join(f"'{key}'" for key, _lo, _hi in band_bounds_sen())
        params: list[Any] = []
        if price is None:
            counts = "SELECT facet_set, band, n FROM search_facet_count WHERE tenant_id = %s"
            params.append(plan.tenant_id)
            c = f"SELECT facet_set, band, sum(n) AS n FROM ({counts}) c0 GROUP BY 1, 2 HAVING sum(n) <> 0"
        else:
            inside, cut = price
            f_b = f"band IN ({', '.join(str(i) for i in inside)})" if inside else "false"
            counts = f"SELECT facet_set, band, n, {f_b} AS f_b FROM search_facet_count WHERE tenant_id = %s"
            params.append(plan.tenant_id)
            if cut:
                ranges, range_params = [], []
                for a, b in cut:
                    ranges.append("price_sen BETWEEN %s AND %s" if b is not None else "price_sen >= %s")
                    range_params += [a] if b is None else [a, b]
                cut_sql = (
                    "SELECT facet_set, band, count(*) AS n FROM search_entry "
                    f"WHERE tenant_id = %s AND ({' OR '.join(ranges)}) GROUP BY 1, 2"
                )
                counts = (
                    f"WITH x AS MATERIALIZED ({cut_sql}) {counts} "
                    "UNION ALL SELECT facet_set, band, n, true FROM x "
                    "UNION ALL SELECT facet_set, band, -n, false FROM x"
                )
                params = [plan.tenant_id, *range_params, plan.tenant_id]
            c = f"SELECT facet_set, band, f_b, sum(n) AS n FROM ({counts}) c0 GROUP BY 1, 2, 3 HAVING sum(n) <> 0"
        flags, flag_params = self._set_flags(set_conditions)
        passing = self._passing(set_conditions, price is not None)
        g = (
            "SELECT s.size_class, s.district_code, s.category_ids, "
            f"(ARRAY[{band_names}])[c.band + 1] AS band, c.n{''.join(flags)}{', c.f_b' if price else ''} "
            f"FROM ({c}) c JOIN search_facet_set s ON s.id = c.facet_set"
        )
        kept = passing(None)
        tot = (
            f"SELECT coalesce(sum(n), 0) AS total, coalesce(sum(n) FILTER ({kept.strip() or 'WHERE true'}), 0) AS hits "
            "FROM g"
        )
        walk = "(%s::bigint * t.total <= t.hits * least(t.hits, %s::bigint))"
        filter_sql, filter_params = self._facet_filters(f)
        where = " AND ".join(["e.tenant_id = %s", *filter_sql])
        order = _order_sql(plan.sort, False)
        page = (
            "SELECT product_id FROM ("
            f"SELECT e.product_id FROM search_entry e WHERE {where} ORDER BY {order} LIMIT %s OFFSET %s"
            ") w WHERE (SELECT walk FROM t) "
            "UNION ALL SELECT product_id FROM ("
            f"SELECT product_id FROM (SELECT e.product_id, e.listed_s, e.price_sen FROM search_entry e WHERE {where} "
            f"OFFSET 0) m ORDER BY {order} LIMIT %s OFFSET %s"
            ") s WHERE NOT (SELECT walk FROM t) AND (SELECT hits FROM t) > 0"
        )
        page_params = [plan.tenant_id, *filter_params, plan.limit, plan.offset] * 2
        total = "UNION ALL SELECT 'n', '', hits FROM t" if (set_conditions or price) else ""
        sql = (
            f"WITH g AS MATERIALIZED ({g}), "
            f"t AS MATERIALIZED (SELECT total, hits, {walk} AS walk FROM ({tot}) t) "
            f"SELECT (SELECT coalesce(json_agg(p.product_id), '[]'::json) FROM ({page}) p), "
            f"{self._rollup(passing, total)}"
        )
        all_params = [
            *flag_params,
            *params,
            plan.offset + plan.limit,
            self._WALK_BUDGET,
            *page_params,
        ]
        return SearchPlan(**{**plan.__dict__, "raw": [(sql, all_params)]})

    def plan(self, plan: SearchPlan) -> SearchPlan:
        """One statement, one snapshot. The matches are read once to count them by (facet set,
        price band) -- a few thousand groups at most (g) -- and each facet is rolled up from g;
        then the page is read apart (_direct_plan). The empty query filtered by facets alone
        counts from search_facet_count instead (_counted_plan).

        Disjunctive facets: when a facet filter is set, g counts the matches WITHOUT the facet
        filters; a price filter adds its flag `f_b` to the key of g; the size-class, district and
        category filters are tested on the few rows of g. Each facet then sums the groups passing
        every filter but its own, and a row 'n' gives the count.

        Until issue 11's third pass the matches were copied once into a materialized CTE and both
        the facets and the page read that copy: at 1M documents the copy cost more than a second
        read (kantor, 243,000 matches: 356 against 156 ms for the count alone; medan, every
        product, spilled to disk: 1.8 s against 0.4 s)."""
        counted = self._counted_plan(plan)
        if counted is not None:
            return counted
        return self._direct_plan(plan)

    def _rank_key(self, plan: SearchPlan) -> tuple[str, list[Any]]:
        """One bigint per match that never orders two matches against the relevance order:
        ((matched x (n + 1) + name hits) x 16 + preference) x 2^32 + rotation key (32 bits). Only
        its maximum per group of g is used (_direct_plan)."""
        n = len(plan.clauses)
        if n >= self._KEY_CLAUSES:  # the key would outgrow a bigint: no group is read (_direct_plan)
            return "0::bigint", []
        hits, hits_params = self._sum_hits(plan.clauses, True)
        if plan.required >= n:
            matched, matched_params = str(n), []
        else:
            matched, matched_params = self._sum_hits(plan.clauses, False)
        sql = (
            f"((({matched})::bigint * {n + 1} + {hits}) * 16 + least(greatest(e.preference, 0), 15)) * 4294967296 "
            f"+ {self._rotation(plan.rotation_day)}"
        )
        return sql, [*matched_params, *hits_params]

    @staticmethod
    def _bands_touched(f: SearchFilters) -> list[int]:
        """The numbers of the price bands that hold a price passing the price filter (or none: -1)."""
        low = to_sen(f.price_min) if f.price_min is not None else None
        high = to_sen(f.price_max) if f.price_max is not None else None
        touched = [
            i
            for i, (_key, lo, hi) in enumerate(band_bounds_sen())
            if (high is None or high >= lo) and (low is None or hi is None or low < hi)
        ]
        return touched or [-1]

    def _direct_plan(self, plan: SearchPlan) -> SearchPlan:
        """The facets counted straight from the scan of the matches (g), then the page.

        Date or price order: the page walks that order's index (at most _WALK_LIMIT entries, each
        tested against the whole condition; a price order starts at the price filter's bound)
        when the count of the matches passing every filter says it comes soon: (offset + limit) x
        entries x _WALK_SLACK <= passing x _WALK_LIMIT, the entries being the tenant's (of the
        bands the price filter touches) from search_facet_count. The walk serves the page when it
        found min(offset + limit, passing) rows; otherwise, or when the count says no, the passing
        matches are read again and sorted.

        Relevance: g also keeps each group's best match as one bigint (_rank_key, never ordering
        two matches against the relevance order). The page's offset + limit best matches lie in the
        offset + limit groups (passing every filter) with the best maxima: each of them holds one
        match at least as good as any match outside them. So only those groups' entries are read,
        by the (tenant, facet set, band) index, each tested in full; when they outnumber the
        matches (_GROUP_READ), the matches are read again instead.

        The alternatives sit under one-time filters: only one runs, none when nothing passes."""
        f = plan.filters
        ranked = _ranked(plan)
        base, base_params = self._base_where(plan)
        set_conditions = self._set_conditions(f)
        price_sql, price_params = _price_filters(f)
        disjunctive = bool(set_conditions or price_sql)
        band_names = ", ".join(f"'{key}'" for key, _lo, _hi in band_bounds_sen())
        flags, flag_params = self._set_flags(set_conditions)
        passing = self._passing(set_conditions, bool(price_sql))

        key, key_params = "e.facet_set, e.band", []
        if price_sql:
            key += f", ({' AND '.join(price_sql)}) AS f_b"
            key_params += price_params
        best, best_params = "", []
        if ranked:
            best, best_params = self._rank_key(plan)
            best = f", max({best}) AS mx"
        g = (
            "SELECT s.size_class, s.district_code, s.category_ids, "
            f"(ARRAY[{band_names}])[c.band + 1] AS band, c.n{''.join(flags)}{', c.f_b' if price_sql else ''}"
            f"{', c.facet_set, c.band AS bno, c.mx' if ranked else ''} "
            f"FROM (SELECT {key}, count(*) AS n{best} FROM search_entry e WHERE {' AND '.join(base)} "
            f"GROUP BY 1, 2{', 3' if price_sql else ''}) c JOIN search_facet_set s ON s.id = c.facet_set"
        )
        g_params = [*flag_params, *key_params, *best_params, *base_params]
        kept = passing(None).strip() or "WHERE true"
        page_where, page_params = self._where(plan)
        order = _order_sql(plan.sort, ranked)
        need = plan.offset + plan.limit
        hits = "(SELECT hits FROM t)"
        if ranked:
            rank, rank_params = self._rank_columns(plan)
            t = f"SELECT coalesce(sum(n) FILTER ({kept}), 0) AS hits FROM g"
            t_params: list[Any] = []
            entries = (
                "SELECT coalesce(sum(c.n), 0) FROM top JOIN search_facet_count c "
                "ON c.tenant_id = %s AND c.facet_set = top.facet_set AND c.band = top.bno"
            )
            ctes = (
                f", top AS MATERIALIZED (SELECT facet_set, bno FROM g{passing(None)} ORDER BY mx DESC LIMIT %s), "
                f"u AS MATERIALIZED (SELECT ({entries}) <= %s * (SELECT coalesce(sum(n), 0) FROM g) AS few)"
            )
            group_read = self._GROUP_READ if len(plan.clauses) < self._KEY_CLAUSES else 0
            cte_params = [need, plan.tenant_id, group_read]
            # The entries of the top groups, each tested (OFFSET 0: the text match must not be
            # answered by the GIN index once per group); or, when they outnumber the matches, the
            # matches read again.
            page = (
                "SELECT product_id FROM (SELECT x.product_id FROM top CROSS JOIN LATERAL (SELECT e.product_id, "
                f"{rank} FROM (SELECT * FROM search_entry e WHERE e.tenant_id = %s AND e.facet_set = top.facet_set "
                f"AND e.band = top.bno OFFSET 0) e WHERE {page_where}) x ORDER BY {order} LIMIT %s OFFSET %s) a "
                "WHERE (SELECT few FROM u) "
                f"UNION ALL SELECT product_id FROM (SELECT product_id FROM (SELECT e.product_id, {rank} "
                f"FROM search_entry e WHERE {page_where} OFFSET 0) x ORDER BY {order} LIMIT %s OFFSET %s) b "
                f"WHERE NOT (SELECT few FROM u) AND {hits} > %s"
            )
            page_params = [
                *rank_params,
                plan.tenant_id,
                *page_params,
                plan.limit,
                plan.offset,
                *rank_params,
                *page_params,
                plan.limit,
                plan.offset,
                plan.offset,
            ]
        else:
            # A price order walks from the price filter's bound: the entries it passes are those of
            # the bands the filter touches (an upper bound), and the walk's own range.
            start, start_params, bands = ["e.tenant_id = %s"], [plan.tenant_id], ""
            if plan.sort in (Sort.PRICE, Sort.PRICE_DESC) and price_sql:
                start += price_sql
                start_params += price_params
                bands = f" AND band IN ({', '.join(str(i) for i in self._bands_touched(f))})"
            entries = f"(SELECT coalesce(sum(n), 0) FROM search_facet_count WHERE tenant_id = %s{bands})"
            t = (
                f"SELECT hits, (hits > %s AND %s::bigint * {entries} * %s <= hits * %s::bigint) AS walk "
                f"FROM (SELECT coalesce(sum(n) FILTER ({kept}), 0) AS hits FROM g) t0"
            )
            t_params = [plan.offset, need, plan.tenant_id, self._WALK_SLACK, self._WALK_LIMIT]
            walk = (
                f"SELECT product_id, listed_s, price_sen FROM (SELECT * FROM search_entry e WHERE {' AND '.join(start)} "
                f"ORDER BY {order} LIMIT %s) e WHERE {page_where} ORDER BY {order} LIMIT %s"
            )
            ctes = (
                f", w AS MATERIALIZED ({walk}), v AS MATERIALIZED (SELECT CASE WHEN (SELECT walk FROM t) "
                f"THEN (SELECT count(*) FROM w) >= least(%s::bigint, {hits}) ELSE false END AS served)"
            )
            cte_params = [*start_params, self._WALK_LIMIT, *page_params, need, need]
            page = (
                f"SELECT product_id FROM (SELECT product_id, listed_s, price_sen FROM w ORDER BY {order} OFFSET %s) a "
                "WHERE (SELECT served FROM v) "
                "UNION ALL SELECT product_id FROM (SELECT product_id FROM (SELECT e.product_id, e.listed_s, "
                f"e.price_sen FROM search_entry e WHERE {page_where} OFFSET 0) m ORDER BY {order} LIMIT %s OFFSET %s) b "
                f"WHERE NOT (SELECT served FROM v) AND {hits} > %s"
            )
            page_params = [plan.offset, *page_params, plan.limit, plan.offset, plan.offset]
        total = f"UNION ALL SELECT 'n', '', coalesce(sum(n), 0) FROM g{passing(None)}" if disjunctive else ""
        sql = (
            f"WITH g AS MATERIALIZED ({g}), t AS MATERIALIZED ({t}){ctes} "
            f"SELECT (SELECT coalesce(json_agg(p.product_id), '[]'::json) FROM ({page}) p), "
            f"{self._rollup(passing, total)}"
        )
        params = [*g_params, *t_params, *cte_params, *page_params]
        return SearchPlan(**{**plan.__dict__, "raw": [(sql, params)]})

    def _masks_sql(self, plan: SearchPlan) -> tuple[str, list[Any]]:
        where, params = self._where(plan)
        mask, mask_params = self._mask(plan.clauses)
        return f"SELECT {mask} AS mask, count(*) FROM search_entry e WHERE {where} GROUP BY 1", [
            *mask_params,
            *params,
        ]

    def execute_raw(self, plan: SearchPlan) -> object:
        """Run the plan with `_SETTINGS` in force for it alone: set transaction-locally, and put
        back afterwards in case the caller's transaction goes on (on an error the savepoint's
        rollback undoes them)."""
        names = [name for name, _value in self._SETTINGS]
        with transaction.atomic(using=self.alias), connections[self.alias].cursor() as cursor:
            cursor.execute(
                "SELECT "
                + ", ".join("current_setting(%s)" for _ in names)
                + ", "
                + ", ".join("set_config(%s, %s, true)" for _ in names),
                [*names, *[x for pair in self._SETTINGS for x in pair]],
            )
            previous = cursor.fetchone()[: len(names)]
            out = []
            for sql, params in plan.raw:
                cursor.execute(sql, params)
                out.append(cursor.fetchall())
            cursor.execute(
                "SELECT " + ", ".join("set_config(%s, %s, true)" for _ in names),
                [x for pair in zip(names, previous, strict=True) for x in pair],
            )
            return out

    def execute(self, plan: SearchPlan) -> SearchResult:
        [[(ids, facet_rows)]] = self.execute_raw(plan)  # type: ignore[misc]
        ids = json.loads(ids) if isinstance(ids, str) else ids
        facet_rows = json.loads(facet_rows) if isinstance(facet_rows, str) else facet_rows
        count, facets = self._facets(facet_rows)
        return SearchResult(count=count, ids=[int(i) for i in ids], facets=facets)

    def _facet_set_ids(self, cursor: Any, docs: Sequence[PreparedDocument]) -> dict[tuple[Any, ...], int]:
        """The facet-set id of every (size class, district, category path) in `docs`, creating
        missing sets. Sets are never changed or deleted (an unused one is only a row), so an id is
        valid for as long as the row that uses it; they are not cached across calls because a
        set created in a transaction that rolls back is gone. Sorted inserts keep two concurrent
        writers from deadlocking on new sets."""
        keys = sorted({_facet_key(d.doc) for d in docs})
        arrays = [
            [k[0] for k in keys],
            [k[1] for k in keys],
            ["{" + ",".join(str(c) for c in k[2]) + "}" for k in keys],
        ]
        given = "SELECT s, d, c::integer[] FROM unnest(%s::text[], %s::text[], %s::text[]) AS u(s, d, c)"
        cursor.execute(
            f"INSERT INTO search_facet_set (size_class, district_code, category_ids) {given} ON CONFLICT DO NOTHING",
            arrays,
        )
        cursor.execute(
            "SELECT id, size_class, district_code, category_ids FROM search_facet_set "
            f"WHERE (size_class, district_code, category_ids) IN ({given})",
            arrays,
        )
        return {(s, d, tuple(sorted(c))): int(i) for i, s, d, c in cursor.fetchall()}

    def index(self, docs: Sequence[PreparedDocument]) -> None:
        """One upsert per call from arrays (unnest), so the facet-count triggers run once per
        batch; a product given twice keeps its last document, as one upsert after the other did."""
        columns = (
            "tenant_id, facet_set, product_id, listed_s, price_sen, vendor_id, is_domestic, tkdn, preference, band, tsv"
        )
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns.split(", ")[1:] if c != "product_id")
        sql = (
            f"INSERT INTO search_entry ({columns}) SELECT t, f, p, l, pr, v, d, k, r, bd, "
            "setweight(to_tsvector('simple', nm), 'A') || setweight(to_tsvector('simple', b), 'B') "
            "FROM unnest(%s::integer[], %s::integer[], %s::bigint[], %s::bigint[], %s::bigint[], %s::bigint[], "
            "%s::boolean[], %s::double precision[], %s::smallint[], %s::smallint[], %s::text[], %s::text[]) "
            "AS u(t, f, p, l, pr, v, d, k, r, bd, nm, b) "
            f"ON CONFLICT (tenant_id, product_id) DO UPDATE SET {updates}"
        )
        with transaction.atomic(using=self.alias), connections[self.alias].cursor() as cursor:
            if not docs:
                return
            latest = list({(p.doc.tenant_id, p.doc.product_id): p for p in docs}.values())
            # Written grouped by category, then name: products of a category share their words, so
            # a common word's matches fill fewer heap pages and its scan reads fewer (at 1M, a
            # rebuild in batches: `kantor`, a quarter of the products, on about a third of them).
            latest.sort(key=lambda p: (sorted(set(p.doc.category_ids)), p.name_terms, p.doc.product_id))
            sets = self._facet_set_ids(cursor, latest)
            columns_of = [
                [int(p.doc.tenant_id) for p in latest],
                [sets[_facet_key(p.doc)] for p in latest],
                [int(p.doc.product_id) for p in latest],
                [int(p.listed_s) for p in latest],
                [int(p.price_sen) for p in latest],
                [int(p.doc.vendor_id) for p in latest],
                [bool(p.doc.is_domestic) for p in latest],
                [None if p.doc.tkdn_percent is None else float(p.doc.tkdn_percent) for p in latest],
                [int(p.preference) for p in latest],
                [_band_number(p.price_sen) for p in latest],
                [p.name_terms for p in latest],
                [p.body_terms for p in latest],
            ]
            cursor.execute(sql, columns_of)

    def remove(self, tenant_id: int, product_ids: Sequence[int]) -> None:
        with connections[self.alias].cursor() as cursor:
            cursor.execute(
                "DELETE FROM search_entry WHERE tenant_id = %s AND product_id = ANY(%s)",
                [tenant_id, list(product_ids)],
            )

    def clear(self, tenant_id: int) -> None:
        with connections[self.alias].cursor() as cursor:
            cursor.execute("DELETE FROM search_entry WHERE tenant_id = %s", [tenant_id])
