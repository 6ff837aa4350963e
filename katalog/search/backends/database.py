# SQL text here is assembled only from fixed fragments; every value travels as a parameter.
# ruff: noqa: S608
"""The default backend: the database's own full-text index (SQLite FTS5 or PostgreSQL tsvector).

Documents live in `search_entry` (see schema.py), written in the caller's transaction, so a
product change and its search entry commit or roll back together. The same filter skeleton serves
both engines; the text match, the facet filters, the table layout and the facet query differ.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.db import connections, transaction

from katalog.search.analysis import Clause
from katalog.search.backends.base import PreparedDocument, SearchBackend, SearchPlan
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
    "vendor_id, tkdn, is_domestic, listed_s, name_terms, body_terms"
)
_FACET_KEYS = {"s": "size_class", "d": "district", "b": "price_band", "c": "category"}


def _band_case() -> str:
    """SQL naming the price band of `price_sen`; the bounds are integers from PRICE_BANDS."""
    parts = [f"WHEN price_sen < {hi} THEN '{key}'" for key, _lo, hi in band_bounds_sen() if hi is not None]
    return f"CASE {' '.join(parts)} ELSE '{band_bounds_sen()[-1][0]}' END"


def _facet_key(doc: SearchDocument) -> tuple[str, str, tuple[int, ...]]:
    """What a PostgreSQL facet set stands for: size class, district and the category path."""
    return doc.size_class, doc.district_code, tuple(sorted(set(doc.category_ids)))


def _order_sql(sort: Sort, ranked: bool) -> str:
    tail = "listed_s DESC, product_id DESC"
    if sort == Sort.PRICE:
        return f"price_sen ASC, {tail}"
    if sort == Sort.PRICE_DESC:
        return f"price_sen DESC, {tail}"
    if sort == Sort.RELEVANCE and ranked:
        return f"hits DESC, {tail}"
    return tail


class DatabaseBackend(SearchBackend):
    """Shared SQL for both engines; subclasses supply the engine-specific fragments."""

    name = "database"

    def __init__(self, alias: str = "default") -> None:
        self.alias = alias

    # -- engine-specific fragments -----------------------------------------------------------
    def _text_match(self, clauses: Sequence[Clause]) -> tuple[str, list[Any]]:
        raise NotImplementedError

    def _name_hits(self, clauses: Sequence[Clause]) -> tuple[str, list[Any]]:
        raise NotImplementedError

    def _category_match(self, category: int) -> tuple[str, list[Any]]:
        raise NotImplementedError

    def _facet_filters(self, f: SearchFilters) -> tuple[list[str], list[Any]]:
        """Conditions for the filters that are also facets (category, size class, district)."""
        sql, params = [], []
        if f.category is not None:
            cat_sql, cat_params = self._category_match(f.category)
            sql.append(cat_sql)
            params += cat_params
        for fragment, value in (("e.size_class = %s", f.size_class), ("e.district_code = %s", f.district)):
            if value is not None:
                sql.append(fragment)
                params.append(value)
        return sql, params

    # -- shared --------------------------------------------------------------------------------
    def _where(self, plan: SearchPlan) -> tuple[str, list[Any]]:
        f = plan.filters
        sql, params = ["e.tenant_id = %s"], [plan.tenant_id]
        if plan.clauses:
            text_sql, text_params = self._text_match(plan.clauses)
            sql.append(text_sql)
            params += text_params
        facet_sql, facet_params = self._facet_filters(f)
        sql += facet_sql
        params += facet_params
        simple: list[tuple[str, object]] = [
            ("e.price_sen >= %s", None if f.price_min is None else to_sen(f.price_min)),
            ("e.price_sen <= %s", None if f.price_max is None else to_sen(f.price_max)),
            ("e.tkdn >= %s", f.tkdn_min),
            ("e.is_domestic = %s", f.pdn),
            ("e.vendor_id = %s", f.vendor),
        ]
        for fragment, value in simple:
            if value is not None:
                sql.append(fragment)
                params.append(value)
        return " AND ".join(sql), params

    def _hits_select(self, plan: SearchPlan) -> tuple[str, list[Any], bool]:
        ranked = plan.sort == Sort.RELEVANCE and bool(plan.clauses)
        if not ranked:
            return "0", [], False
        hits_sql, hits_params = self._name_hits(plan.clauses)
        return hits_sql, hits_params, True

    @staticmethod
    def _facets(rows: Sequence[tuple[str, Any, int]]) -> tuple[int, dict[str, dict[Any, int]]]:
        facets = empty_facets()
        count = 0
        for kind, value, n in rows:
            key = _FACET_KEYS[kind]
            facets[key][int(value) if kind == "c" else value] = int(n)
            if kind == "s":
                count += int(n)
        return count, facets

    def execute_raw(self, plan: SearchPlan) -> object:
        with connections[self.alias].cursor() as cursor:
            out = []
            for sql, params in plan.raw:
                cursor.execute(sql, params)
                out.append(cursor.fetchall())
            return out


class SqliteBackend(DatabaseBackend):
    """SQLite: an FTS5 table whose rowid is the search_entry id; categories in a side table."""

    name = "sqlite"

    @staticmethod
    def _fts(clauses: Sequence[Clause]) -> str:
        def alt(terms: tuple[str, ...]) -> str:
            return "(" + " AND ".join(f'"{t}"' for t in terms) + ")"

        return " AND ".join("(" + " OR ".join(alt(a) for a in c.alternatives) + ")" for c in clauses)

    def _text_match(self, clauses: Sequence[Clause]) -> tuple[str, list[Any]]:
        return "e.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s)", [self._fts(clauses)]

    def _name_hits(self, clauses: Sequence[Clause]) -> tuple[str, list[Any]]:
        parts = ["(e.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s))" for _ in clauses]
        return "(" + " + ".join(parts) + ")", [f"name : ({self._fts([c])})" for c in clauses]

    def _category_match(self, category: int) -> tuple[str, list[Any]]:
        return "e.id IN (SELECT entry_id FROM search_entry_category WHERE category_id = %s)", [category]

    def plan(self, plan: SearchPlan) -> SearchPlan:
        where, params = self._where(plan)
        hits, hits_params, ranked = self._hits_select(plan)
        page_sql = (
            f"SELECT e.product_id, {hits} AS hits, e.listed_s, e.price_sen FROM search_entry e WHERE {where} "
            f"ORDER BY {_order_sql(plan.sort, ranked)} LIMIT %s OFFSET %s"
        )
        facet_sql = (
            "WITH m AS MATERIALIZED (SELECT e.id, e.size_class, e.district_code, e.price_sen "
            f"FROM search_entry e WHERE {where}) "
            "SELECT 's', size_class, count(*) FROM m GROUP BY 2 "
            "UNION ALL SELECT 'd', district_code, count(*) FROM m GROUP BY 2 "
            f"UNION ALL SELECT 'b', {_band_case()}, count(*) FROM m GROUP BY 2 "
            "UNION ALL SELECT 'c', c.category_id, count(*) FROM m "
            "JOIN search_entry_category c ON c.entry_id = m.id GROUP BY 2"
        )
        raw = [(page_sql, [*hits_params, *params, plan.limit, plan.offset]), (facet_sql, params)]
        return SearchPlan(**{**plan.__dict__, "raw": raw})

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
                    f"INSERT INTO search_entry ({_COLUMNS}) VALUES ({', '.join(['%s'] * 14)})",
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

    @staticmethod
    def _tsquery(clauses: Sequence[Clause], weight: str = "") -> str:
        def alt(terms: tuple[str, ...]) -> str:
            return "(" + " & ".join(f"'{t}'{weight}" for t in terms) + ")"

        return " & ".join("(" + " | ".join(alt(a) for a in c.alternatives) + ")" for c in clauses)

    def _text_match(self, clauses: Sequence[Clause]) -> tuple[str, list[Any]]:
        return "e.tsv @@ %s::tsquery", [self._tsquery(clauses)]

    def _name_hits(self, clauses: Sequence[Clause]) -> tuple[str, list[Any]]:
        parts = ["(e.tsv @@ %s::tsquery)::int" for _ in clauses]
        return "(" + " + ".join(parts) + ")", [self._tsquery([c], ":A") for c in clauses]

    def _facet_filters(self, f: SearchFilters) -> tuple[list[str], list[Any]]:
        """Category, size class and district live in the facet sets: one membership test on the
        entry's int, whatever the number of such filters. `= ANY(ARRAY(...))` makes the matching
        sets a value computed once; written as `IN (SELECT ...)` the planner, misjudging how many
        sets match (e.g. before the small table is analyzed), chose a nested loop that re-ran
        the GIN match once per set: 8.5 s instead of 0.09 s at 1M documents."""
        conditions: list[tuple[str, object]] = [
            ("category_ids @> ARRAY[%s]::integer[]", f.category),
            ("size_class = %s", f.size_class),
            ("district_code = %s", f.district),
        ]
        chosen = [(sql, value) for sql, value in conditions if value is not None]
        if not chosen:
            return [], []
        where = " AND ".join(sql for sql, _value in chosen)
        return (
            [f"e.facet_set = ANY(ARRAY(SELECT id FROM search_facet_set WHERE {where}))"],
            [v for _s, v in chosen],
        )

    @staticmethod
    def _band_index() -> str:
        """SQL numbering the price band of `price_sen` (0 = cheapest); an int groups faster than
        the band's name, which the roll-up looks up once per group."""
        bounds = [hi for _key, _lo, hi in band_bounds_sen() if hi is not None]
        parts = [f"WHEN price_sen < {hi} THEN {i}" for i, hi in enumerate(bounds)]
        return f"CASE {' '.join(parts)} ELSE {len(bounds)} END"

    def plan(self, plan: SearchPlan) -> SearchPlan:
        where, params = self._where(plan)
        hits, hits_params, ranked = self._hits_select(plan)
        band_names = ", ".join(f"'{key}'" for key, _lo, _hi in band_bounds_sen())
        # One statement, one snapshot, one read of the matches: they are copied once into m, the
        # page is a top-N sort of m, and the facets are ONE hash aggregate of m by (facet set,
        # price band) -- a few thousand groups at most -- rolled up per facet from that small
        # result (g). Counting each facet straight from m (four GROUP BYs, and unnest() of every
        # row's category array) cost three times as much at 1M documents.
        # Not done: fetching a date- or price-ordered page by walking the btree index in a
        # subquery of its own. It takes under 1 ms for a common word, but when filters leave few
        # or no matches the planner's estimate is off and it walks the whole index (4.2 s
        # measured for a query with no match at 1M documents).
        sql = (
            "WITH m AS MATERIALIZED (SELECT e.product_id, e.listed_s, e.price_sen, e.facet_set, "
            f"{hits} AS hits FROM search_entry e WHERE {where}), "
            "g AS MATERIALIZED (SELECT s.size_class, s.district_code, s.category_ids, "
            f"(ARRAY[{band_names}])[c.band + 1] AS band, c.n FROM "
            f"(SELECT facet_set, {self._band_index()} AS band, count(*) AS n FROM m GROUP BY 1, 2) c "
            "JOIN search_facet_set s ON s.id = c.facet_set) "
            "SELECT (SELECT coalesce(json_agg(p.product_id), '[]'::json) FROM "
            f"(SELECT product_id FROM m ORDER BY {_order_sql(plan.sort, ranked)} LIMIT %s OFFSET %s) p), "
            "(SELECT coalesce(json_agg(json_build_array(f.k, f.v, f.n)), '[]'::json) FROM ("
            "SELECT 's' AS k, size_class AS v, sum(n) AS n FROM g GROUP BY 2 "
            "UNION ALL SELECT 'd', district_code, sum(n) FROM g GROUP BY 2 "
            "UNION ALL SELECT 'b', band, sum(n) FROM g GROUP BY 2 "
            "UNION ALL SELECT 'c', c::text, sum(n) FROM g, unnest(g.category_ids) AS c GROUP BY 2) f)"
        )
        raw = [(sql, [*hits_params, *params, plan.limit, plan.offset])]
        return SearchPlan(**{**plan.__dict__, "raw": raw})

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
        columns = "tenant_id, facet_set, product_id, listed_s, price_sen, vendor_id, is_domestic, tkdn, tsv"
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns.split(", ")[1:] if c != "product_id")
        sql = (
            f"INSERT INTO search_entry ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, "
            "setweight(to_tsvector('simple', %s), 'A') || setweight(to_tsvector('simple', %s), 'B')) "
            f"ON CONFLICT (tenant_id, product_id) DO UPDATE SET {updates}"
        )
        with transaction.atomic(using=self.alias), connections[self.alias].cursor() as cursor:
            if not docs:
                return
            sets = self._facet_set_ids(cursor, docs)
            rows = [
                [
                    p.doc.tenant_id,
                    sets[_facet_key(p.doc)],
                    p.doc.product_id,
                    p.listed_s,
                    p.price_sen,
                    p.doc.vendor_id,
                    p.doc.is_domestic,
                    p.doc.tkdn_percent,
                    p.name_terms,
                    p.body_terms,
                ]
                for p in docs
            ]
            cursor.executemany(sql, rows)

    def remove(self, tenant_id: int, product_ids: Sequence[int]) -> None:
        with connections[self.alias].cursor() as cursor:
            cursor.execute(
                "DELETE FROM search_entry WHERE tenant_id = %s AND product_id = ANY(%s)",
                [tenant_id, list(product_ids)],
            )

    def clear(self, tenant_id: int) -> None:
        with connections[self.alias].cursor() as cursor:
            cursor.execute("DELETE FROM search_entry WHERE tenant_id = %s", [tenant_id])
