"""An embedded Tantivy index: for catalogues too big for the database's full-text index.

One index directory holds every tenant (a `tenant_id` term filters). Terms arrive analyzed by
katalog.search.analysis, so Tantivy only matches and counts. Ordering reproduces exactly the
database backend's order (see docs/search.md): relevance is "clauses matched in the name, then
newest", price ties are broken by newest, all with integer fast fields; facets are one
aggregation request over the matched set.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import tantivy
from tantivy import FieldType, Occur, Order, Query

from katalog.search.analysis import Clause
from katalog.search.backends.base import PreparedDocument, SearchBackend, SearchPlan
from katalog.search.types import SearchResult, Sort, band_bounds_sen, empty_facets, to_sen

_FACET_SIZE = 65_000  # more than any tenant's number of categories or districts: counts stay exact
# A search sees commits made by other processes (the outbox worker) at most this late.
_RELOAD_SECONDS = 0.5


def _schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_text_field("uid", tokenizer_name="raw", index_option="basic")
    b.add_unsigned_field("tenant_id", indexed=True, fast=True)
    b.add_unsigned_field("product_id", stored=True, indexed=True, fast=True)
    b.add_text_field("name", tokenizer_name="default", index_option="basic")
    b.add_text_field("all", tokenizer_name="default", index_option="basic")
    b.add_unsigned_field("category_ids", indexed=True, fast=True)
    b.add_integer_field("price_sen", indexed=True, fast=True)
    b.add_text_field("size_class", tokenizer_name="raw", fast=True, index_option="basic")
    b.add_text_field("district", tokenizer_name="raw", fast=True, index_option="basic")
    b.add_unsigned_field("vendor_id", indexed=True)
    b.add_float_field("tkdn", indexed=True, fast=True)
    b.add_boolean_field("is_domestic", indexed=True)
    b.add_integer_field("newest_key", fast=True)
    return b.build()


class TantivyBackend(SearchBackend):
    name = "tantivy"

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.schema = _schema()
        self.index_ = tantivy.Index(self.schema, path=str(self.path), reuse=True)
        self._lock = threading.Lock()
        self._reloaded = 0.0

    # -- writing ---------------------------------------------------------------------------------
    def _writer(self, heap: int = 64_000_000, threads: int = 1) -> tantivy.IndexWriter:
        return self.index_.writer(heap_size=heap, num_threads=threads)

    def _document(self, p: PreparedDocument) -> tantivy.Document:
        d = p.doc
        doc = tantivy.Document()
        doc.add_text("uid", f"{d.tenant_id}:{d.product_id}")
        doc.add_unsigned("tenant_id", d.tenant_id)
        doc.add_unsigned("product_id", d.product_id)
        doc.add_text("name", p.name_terms)
        doc.add_text("all", f"{p.name_terms} {p.body_terms}")
        for category in sorted(set(d.category_ids)):
            doc.add_unsigned("category_ids", category)
        doc.add_integer("price_sen", p.price_sen)
        doc.add_text("size_class", d.size_class)
        doc.add_text("district", d.district_code)
        doc.add_unsigned("vendor_id", d.vendor_id)
        doc.add_float("tkdn", -1.0 if d.tkdn_percent is None else float(d.tkdn_percent))
        doc.add_boolean("is_domestic", bool(d.is_domestic))
        doc.add_integer("newest_key", p.newest_key)
        return doc

    def index(self, docs: Sequence[PreparedDocument], *, heap: int = 64_000_000, threads: int = 1) -> None:
        """Replace these documents in one commit (delete by uid, then add)."""
        with self._lock:
            writer = self._writer(heap, threads)
            for p in docs:
                writer.delete_documents_by_term("uid", f"{p.doc.tenant_id}:{p.doc.product_id}")
                writer.add_document(self._document(p))
            writer.commit()
            writer.wait_merging_threads()
        self._reloaded = 0.0

    def rebuild(
        self,
        tenant_id: int,
        batches: Iterable[Sequence[PreparedDocument]],
        *,
        heap: int = 512_000_000,
        threads: int = 2,
    ) -> int:
        """Delete the tenant and add every document under one writer and one commit, so readers
        switch from the old set to the new one at once (and a bulk load is not slowed by
        per-document deletes)."""
        total = 0
        with self._lock:
            writer = self._writer(heap, threads)
            writer.delete_documents_by_query(self._term("tenant_id", tenant_id))
            for batch in batches:
                for p in batch:
                    writer.add_document(self._document(p))
                total += len(batch)
            writer.commit()
            writer.wait_merging_threads()
        self._reloaded = 0.0
        return total

    def remove(self, tenant_id: int, product_ids: Sequence[int]) -> None:
        with self._lock:
            writer = self._writer()
            for product_id in product_ids:
                writer.delete_documents_by_term("uid", f"{tenant_id}:{product_id}")
            writer.commit()
            writer.wait_merging_threads()
        self._reloaded = 0.0

    def clear(self, tenant_id: int) -> None:
        with self._lock:
            writer = self._writer()
            writer.delete_documents_by_query(self._term("tenant_id", tenant_id))
            writer.commit()
            writer.wait_merging_threads()
        self._reloaded = 0.0

    # -- reading ---------------------------------------------------------------------------------
    def _searcher(self) -> tantivy.Searcher:
        now = time.monotonic()
        if now - self._reloaded > _RELOAD_SECONDS:
            self.index_.reload()
            self._reloaded = now
        return self.index_.searcher()

    def _term(self, field: str, value: object) -> Query:
        return Query.term_query(self.schema, field, value)

    def _clause(self, clause: Clause, field: str) -> Query:
        alternatives = [
            (Occur.Should, Query.boolean_query([(Occur.Must, self._term(field, t)) for t in alt]))
            for alt in clause.alternatives
        ]
        return Query.boolean_query(alternatives)

    def _filters(self, plan: SearchPlan) -> list[Query]:
        f = plan.filters
        out = [self._term("tenant_id", plan.tenant_id)]
        if f.category is not None:
            out.append(self._term("category_ids", f.category))
        if f.price_min is not None or f.price_max is not None:
            lo = None if f.price_min is None else to_sen(f.price_min)
            hi = None if f.price_max is None else to_sen(f.price_max)
            out.append(Query.range_query(self.schema, "price_sen", FieldType.Integer, lo, hi))
        if f.size_class is not None:
            out.append(self._term("size_class", f.size_class))
        if f.district is not None:
            out.append(self._term("district", f.district))
        if f.tkdn_min is not None:
            out.append(Query.range_query(self.schema, "tkdn", FieldType.Float, float(f.tkdn_min), None))
        if f.pdn is not None:
            out.append(self._term("is_domestic", f.pdn))
        if f.vendor is not None:
            out.append(self._term("vendor_id", f.vendor))
        return out

    def plan(self, plan: SearchPlan) -> SearchPlan:
        must = self._filters(plan) + [self._clause(c, "all") for c in plan.clauses]
        base = Query.boolean_query([(Occur.Must, q) for q in must])
        names = [self._clause(c, "name") for c in plan.clauses]
        return SearchPlan(**{**plan.__dict__, "raw": {"base": base, "names": names}})

    @staticmethod
    def _aggregations() -> dict[str, Any]:
        ranges: list[dict[str, int]] = []
        for _key, lo, hi in band_bounds_sen():
            r = {"from": lo} if lo else {}
            if hi is not None:
                r["to"] = hi
            ranges.append(r)
        return {
            "size_class": {"terms": {"field": "size_class", "size": _FACET_SIZE}},
            "district": {"terms": {"field": "district", "size": _FACET_SIZE}},
            "category": {"terms": {"field": "category_ids", "size": _FACET_SIZE}},
            "price_band": {"range": {"field": "price_sen", "ranges": ranges}},
        }

    def _facets(self, searcher: tantivy.Searcher, base: Query) -> dict[str, dict[Any, int]]:
        result = searcher.aggregate(base, self._aggregations())
        facets = empty_facets()
        for key in ("size_class", "district", "category"):
            for bucket in result[key]["buckets"]:
                value = int(bucket["key"]) if key == "category" else bucket["key"]
                facets[key][value] = int(bucket["doc_count"])
        for (band, _lo, _hi), bucket in zip(band_bounds_sen(), result["price_band"]["buckets"], strict=False):
            if bucket["doc_count"]:
                facets["price_band"][band] = int(bucket["doc_count"])
        return facets

    def execute_raw(self, plan: SearchPlan) -> object:
        searcher = self._searcher()
        base = plan.raw["base"]
        hits = searcher.search(
            base,
            limit=plan.limit,
            offset=plan.offset,
            order_by_field="newest_key",
            order=Order.Desc,
            count=True,
        )
        return hits.count, searcher.aggregate(base, self._aggregations())

    def execute(self, plan: SearchPlan) -> SearchResult:
        searcher = self._searcher()
        base: Query = plan.raw["base"]
        count = searcher.search(base, limit=1, count=True).count
        if plan.sort in (Sort.PRICE, Sort.PRICE_DESC):
            addrs = self._price_page(searcher, base, plan)
        elif plan.sort == Sort.RELEVANCE and plan.clauses:
            addrs = self._relevance_page(searcher, base, plan.raw["names"], plan.offset, plan.limit)
        else:
            addrs = self._newest(searcher, base, plan.offset, plan.limit)[1]
        ids = [int(v) for v in searcher.fast_field_values("product_id", addrs)] if addrs else []
        return SearchResult(count=count, ids=ids, facets=self._facets(searcher, base) if count else empty_facets())

    @staticmethod
    def _newest(searcher: tantivy.Searcher, query: Query, offset: int, limit: int) -> tuple[int, list[Any]]:
        if limit <= 0:
            return searcher.search(query, limit=1, count=True).count, []
        res = searcher.search(query, limit=limit, offset=offset, order_by_field="newest_key", order=Order.Desc)
        return res.count, [addr for _key, addr in res.hits]

    def _relevance_page(
        self, searcher: tantivy.Searcher, base: Query, names: list[Query], offset: int, limit: int
    ) -> list[Any]:
        """Level k holds documents matching exactly k clauses in the name; levels are visited from
        the most clauses down, each newest first: the same order as the SQL `hits DESC, ...`."""

        def at_least(k: int) -> Query:
            return Query.boolean_query([(Occur.Should, q) for q in names], minimum_number_should_match=k)

        out: list[Any] = []
        for k in range(len(names), -1, -1):
            if len(out) >= limit:
                break
            parts = [(Occur.Must, base)]
            if k > 0:
                parts.append((Occur.Must, at_least(k)))
            if k < len(names):
                parts.append((Occur.MustNot, at_least(k + 1)))
            level = Query.boolean_query(parts)
            n = searcher.search(level, limit=1, count=True).count
            if offset >= n:
                offset -= n
                continue
            out += self._newest(searcher, level, offset, limit - len(out))[1]
            offset = 0
        return out

    def _price_page(self, searcher: tantivy.Searcher, base: Query, plan: SearchPlan) -> list[Any]:
        """Top hits by price, then equal prices re-ordered newest first. Only the two groups at the
        page's edges can have members outside the page; they are fetched exactly with a filter on
        that price, ordered by newest_key. Groups inside the page are sorted from fast fields."""
        order = Order.Asc if plan.sort == Sort.PRICE else Order.Desc
        hits = searcher.search(base, limit=plan.offset + plan.limit, order_by_field="price_sen", order=order).hits
        window = hits[plan.offset :]
        if not window:
            return []
        prices = [int(v) for v, _ in hits]
        first_index = {}
        for i, v in enumerate(prices):
            first_index.setdefault(v, i)
        edges = {int(window[0][0]), int(window[-1][0])}
        out: list[Any] = []
        groups: dict[int, list[Any]] = {}
        for value, addr in window:
            groups.setdefault(int(value), []).append(addr)
        for value, addrs in groups.items():
            if value in edges:
                start = max(plan.offset, first_index[value]) - first_index[value]
                exact = Query.boolean_query(
                    [
                        (Occur.Must, base),
                        (
                            Occur.Must,
                            Query.range_query(self.schema, "price_sen", FieldType.Integer, value, value),
                        ),
                    ]
                )
                out += self._newest(searcher, exact, start, len(addrs))[1]
            else:
                keys = searcher.fast_field_values("newest_key", addrs)
                out += [a for _k, a in sorted(zip(keys, addrs, strict=True), key=lambda t: -t[0])]
        return out
