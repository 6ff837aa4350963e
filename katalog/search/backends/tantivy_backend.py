"""An embedded Tantivy index: for catalogues too big for the database's full-text index.

One index directory holds every tenant (a `tenant_id` term filters). Terms arrive analyzed by
katalog.search.analysis, so Tantivy only matches and counts. Ordering reproduces exactly the
database backends' order (docs/search.md, "Ranking"): clauses matched, clauses matched in the name,
preference, the day's rotation, product id -- with constant scores for the first two keys and one
stored fast field `rank_<day>` = (preference << 32) | rotation key for the rest. Facets are
aggregation requests over the matched set; a facet whose own filter is set is counted without that
filter (disjunctive facets), which costs one more aggregation per such filter. Every facet is
counted from a single-valued text fast field (its values counted by term ordinal): the category
path ("4,41", spread over its ids afterwards) and the price band are stored as such, because a
terms aggregation over the multi-valued `category_ids` or a range aggregation over `price_sen`
cost 20-70 times as much at 1,000,000 documents (docs/performance.md).
"""

from __future__ import annotations

import functools
import itertools
import math
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy
from tantivy import FieldType, Occur, Order, Query

from katalog.search import ranking
from katalog.search.analysis import Clause
from katalog.search.backends.base import PreparedDocument, SearchBackend, SearchPlan
from katalog.search.types import SearchResult, Sort, band_bounds_sen, empty_facets, to_sen

_FACET_SIZE = 65_000  # more than any tenant's number of categories or districts: counts stay exact
# A search sees commits made by other processes (the outbox worker) at most this late.
_RELOAD_SECONDS = 0.5
ROTATION_DAYS = 7
# The fast field each facet is counted from (docs/search.md, "Facets").
FACET_FIELDS = {
    "size_class": "size_class",
    "district": "district",
    "category": "category_path",
    "price_band": "price_band",
}
# clause_masks counts the intersections of up to this many clause subsets (each an aggregation
# over an AND); with more, it first reads the masks of up to _MASK_HITS matches from one search.
_MAX_SUBSETS = 16
# An aggregation that counts the documents it reads (every document has a tenant).
_COUNT = {"value_count": {"field": "tenant_id"}}
_MASK_HITS = 2_000
REBUILD_COMMAND = "katalog reindex"


def _in_parallel(fn: Callable[..., Any], *args: Any) -> Future:
    """Run `fn` on the process's engine threads (one per core) when the machine has a core to
    spare: a search's independent engine calls (facet counts, intersection counts) then run beside
    each other and beside the page's own searches, since Tantivy releases the GIL while it works.
    On a busy machine (1-minute load average within half a core of the cores) handing work to
    another thread only adds waiting, so `fn` runs here and now."""
    global _pool, _pool_pid
    if os.getloadavg()[0] > BUSY_LOAD:
        done: Future = Future()
        try:
            done.set_result(fn(*args))
        except BaseException as error:  # raised again by result(), as the pool would
            done.set_exception(error)
        return done
    if _pool is None or _pool_pid != os.getpid():  # a forked worker starts its own
        _pool, _pool_pid = ThreadPoolExecutor(max_workers=_CORES, thread_name_prefix="tantivy"), os.getpid()
    return _pool.submit(fn, *args)


_CORES = os.cpu_count() or 1
# From this 1-minute load average on, a search's engine calls run one after the other in its thread.
BUSY_LOAD = _CORES - 0.5
_pool: ThreadPoolExecutor | None = None
_pool_pid = 0


class TantivyIndexOutdated(RuntimeError):
    """The index directory holds an older layout; every tenant must be re-indexed."""


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
    # Layout 2 (issue 11): the relevance tie-breakers, one field per day of the weekly rotation.
    b.add_unsigned_field("preference", fast=True)
    for day in range(ROTATION_DAYS):
        b.add_unsigned_field(f"rank_{day}", fast=True)
    # Layout 3 (issue 11): the category path and the price band as single-valued text fast fields,
    # what the facets are counted from. The bands are types.PRICE_BANDS: changing them needs a rebuild.
    b.add_text_field("category_path", tokenizer_name="raw", fast=True, index_option="basic")
    b.add_text_field("price_band", tokenizer_name="raw", fast=True, index_option="basic")
    return b.build()


def category_path(category_ids: Iterable[int]) -> str:
    """What `category_path` holds: the document's category ids, ascending, joined by commas."""
    return ",".join(str(c) for c in sorted(set(category_ids)))


def price_band(price_sen: int) -> str:
    """What `price_band` holds: the key of the band the price falls in (lower bound included; the
    first band has none below, the last none above), as the range aggregation counted before."""
    bands = band_bounds_sen()
    for key, _lo, hi in bands:
        if hi is None or price_sen < hi:
            return key
    return bands[-1][0]


def rank_value(preference: int, product_id: int, day: int) -> int:
    """What `rank_<day>` holds: one integer ordering preference, then the day's rotation."""
    return (preference << 32) | ranking.rotation_key(product_id, day)


@dataclass(frozen=True)
class _Compiled:
    """A plan's parts as Tantivy queries; the matching query is assembled per `min_match`."""

    filters: tuple[tuple[str | None, Occur, Query], ...]  # (facet it belongs to, or None; Must/MustNot; query)
    all_: tuple[Query, ...]  # clause i in name or description
    names: tuple[Query, ...]  # clause i in the name


class TantivyBackend(SearchBackend):
    name = "tantivy"

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.schema = _schema()
        self._lock = threading.Lock()
        self._reloaded = 0.0
        self.index_: tantivy.Index | None = None
        try:
            self._open()
        except TantivyIndexOutdated:
            pass  # refused on the first read or write; `rebuild` (katalog reindex) replaces it

    def _open(self) -> tantivy.Index:
        """Open (or create) the index; an index of an older layout is refused until rebuilt."""
        if self.index_ is None:
            try:
                self.index_ = tantivy.Index(self.schema, path=str(self.path), reuse=True)
            except ValueError as error:
                if "schema does not match" not in str(error):
                    raise
                raise TantivyIndexOutdated(
                    f"The search index in {self.path} was built by an older version; rebuild it with "
                    f"`{REBUILD_COMMAND}` (all tenants)."
                ) from error
        return self.index_

    # -- writing ---------------------------------------------------------------------------------
    def _writer(self, heap: int = 64_000_000, threads: int = 1) -> tantivy.IndexWriter:
        return self._open().writer(heap_size=heap, num_threads=threads)

    def _document(self, p: PreparedDocument) -> tantivy.Document:
        d = p.doc
        preference = getattr(p, "preference", None)
        if preference is None:
            preference = ranking.preference(d)
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
        doc.add_unsigned("preference", preference)
        for day in range(ROTATION_DAYS):
            doc.add_unsigned(f"rank_{day}", rank_value(preference, d.product_id, day))
        doc.add_text("category_path", category_path(d.category_ids))
        doc.add_text("price_band", price_band(p.price_sen))
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
        per-document deletes). An index of an older layout is replaced by an empty one first:
        its documents cannot be read any more, so every tenant must be rebuilt."""
        total = 0
        with self._lock:
            try:
                self._open()
            except TantivyIndexOutdated:
                shutil.rmtree(self.path)
                self.path.mkdir(parents=True)
                self._open()
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

    # -- queries ---------------------------------------------------------------------------------
    def _searcher(self) -> tantivy.Searcher:
        index = self._open()
        now = time.monotonic()
        if now - self._reloaded > _RELOAD_SECONDS:
            index.reload()
            self._reloaded = now
        return index.searcher()

    def _term(self, field: str, value: object) -> Query:
        return Query.term_query(self.schema, field, value)

    def _clause(self, clause: Clause, field: str) -> Query:
        alternatives = [
            Query.boolean_query([(Occur.Must, self._term(field, t)) for t in alt])
            if len(alt) > 1
            else self._term(field, alt[0])
            for alt in clause.alternatives
        ]
        if len(alternatives) == 1:
            return alternatives[0]
        return Query.boolean_query([(Occur.Should, q) for q in alternatives])

    def _filters(self, plan: SearchPlan) -> list[tuple[str | None, Occur, Query]]:
        """(facet the filter belongs to, or None; Must or MustNot; query) for each filter set. A
        filter that keeps almost every document is written as the exclusion of the few others,
        which the engine skips through instead of stepping through every kept one: "domestic
        product" (95% of a catalogue) is "not imported"."""
        f = plan.filters
        out: list[tuple[str | None, Query]] = [(None, self._term("tenant_id", plan.tenant_id))]
        if f.category is not None:
            out.append(("category", self._term("category_ids", f.category)))
        if f.price_min is not None or f.price_max is not None:
            lo = None if f.price_min is None else to_sen(f.price_min)
            hi = None if f.price_max is None else to_sen(f.price_max)
            out.append(("price_band", Query.range_query(self.schema, "price_sen", FieldType.Integer, lo, hi)))
        if f.size_class is not None:
            out.append(("size_class", self._term("size_class", f.size_class)))
        if f.district is not None:
            out.append(("district", self._term("district", f.district)))
        if f.tkdn_min is not None:
            out.append((None, Query.range_query(self.schema, "tkdn", FieldType.Float, float(f.tkdn_min), None)))
        if f.vendor is not None:
            out.append((None, self._term("vendor_id", f.vendor)))
        required = [(key, Occur.Must, q) for key, q in out]
        if f.pdn is not None:
            required.append(
                (None, Occur.MustNot, self._term("is_domestic", False))
                if f.pdn
                else (None, Occur.Must, self._term("is_domestic", False))
            )
        return required

    def plan(self, plan: SearchPlan) -> SearchPlan:
        compiled = _Compiled(
            filters=tuple(self._filters(plan)),
            all_=tuple(self._clause(c, "all") for c in plan.clauses),
            names=tuple(self._clause(c, "name") for c in plan.clauses),
        )
        return SearchPlan(**{**plan.__dict__, "raw": compiled})

    @staticmethod
    def _compiled(plan: SearchPlan) -> _Compiled:
        raw = plan.raw
        if not isinstance(raw, _Compiled):
            raise ValueError("plan() was not called for this plan")
        return raw

    @staticmethod
    def _at_least(queries: Sequence[Query], k: int) -> list[tuple[Occur, Query]]:
        """Parts requiring at least k of `queries` (all of them: one Must each, the fastest form)."""
        if k <= 0:
            return []
        if k >= len(queries):
            return [(Occur.Must, q) for q in queries]
        return [(Occur.Must, TantivyBackend._any(queries, k))]

    def _base(self, plan: SearchPlan, *, without: str | None = None, min_match: int | None = None) -> Query:
        """Filters (all but the facet `without`) and at least `min_match` clauses. A relaxed plan
        that knows its masks (every filter applied) reads only the clause combinations that occur
        when no filter is left out: the same documents, far fewer postings than "k of n"."""
        c = self._compiled(plan)
        k = plan.required if min_match is None else min_match
        parts = [(occur, q) for key, occur, q in c.filters if key is None or key != without]
        parts += self._matching(plan, k) if without is None else self._at_least(c.all_, k)
        if len(parts) == 1:
            return parts[0][1]
        return Query.boolean_query(parts)

    def _matching(self, plan: SearchPlan, k: int) -> list[tuple[Occur, Query]]:
        """Parts requiring at least k clauses, every filter applied: one Must per clause when all
        are required, else one query (`_some`)."""
        c = self._compiled(plan)
        if k <= 0 or k >= len(c.all_):
            return self._at_least(c.all_, k)
        return [(Occur.Must, self._some(plan, k))]

    def _some(self, plan: SearchPlan, k: int) -> Query:
        """At least k clauses (every filter applied), as one query. A relaxed plan that knows its
        masks reads only the clause combinations that occur: any of the smallest occurring masks of
        k clauses or more, each an AND that its rarest term drives (the same documents as "k of n",
        far fewer postings read)."""
        c = self._compiled(plan)
        if plan.masks is None:
            return self._any(c.all_, k)
        wide = [m for m, n in plan.masks.items() if n and m.bit_count() >= k]
        minimal = [m for m in wide if not any(o != m and o & m == o for o in wide)]
        if not minimal:
            return Query.empty_query()
        ands = [Query.boolean_query([(Occur.Must, q) for i, q in enumerate(c.all_) if m >> i & 1]) for m in minimal]
        return ands[0] if len(ands) == 1 else Query.boolean_query([(Occur.Should, q) for q in ands])

    @staticmethod
    def _any(queries: Sequence[Query], k: int = 1) -> Query:
        """At least k of `queries` (one query alone when there is just one). When k is neither 1
        nor all and there are few k-subsets, any of their ANDs: each is driven by its rarest term,
        where "k of n" reads every posting of every query."""
        if len(queries) == 1:
            return queries[0]
        if 1 < k < len(queries) and math.comb(len(queries), k) <= _MAX_SUBSETS:
            return Query.boolean_query(
                [
                    (Occur.Should, Query.boolean_query([(Occur.Must, queries[i]) for i in subset]))
                    for subset in itertools.combinations(range(len(queries)), k)
                ]
            )
        return Query.boolean_query([(Occur.Should, q) for q in queries], minimum_number_should_match=k)

    def _exactly(self, queries: Sequence[Query], k: int) -> list[tuple[Occur, Query]]:
        parts = self._at_least(queries, k)
        if k < len(queries):
            parts.append((Occur.MustNot, self._any(queries, k + 1)))
        return parts

    def _level(
        self, plan: SearchPlan, base: Query, floor: int, matched: int, name_hits: int, names: Sequence[int]
    ) -> Query:
        """The documents of `base` (which match at least `floor` clauses) with exactly `matched`
        clauses matched and `name_hits` of them in the name, among the clauses `names` (the only
        ones the level's documents can match in the name: a clause found in the name is found)."""
        c = self._compiled(plan)
        parts = [(Occur.Must, base)]
        if matched > floor:
            parts += self._matching(plan, matched)
        if matched < len(c.all_) and (plan.masks is None or any(m.bit_count() > matched for m in plan.masks)):
            parts.append((Occur.MustNot, self._some(plan, matched + 1)))
        parts += self._exactly([c.names[i] for i in names], name_hits)
        return parts[0][1] if len(parts) == 1 else Query.boolean_query(parts)

    @staticmethod
    def _levels(plan: SearchPlan, floor: int) -> Iterable[tuple[int, int, tuple[int, ...]]]:
        """(clauses matched, of them in the name, the clauses that can be in the name) of every
        level that can hold documents matching at least `floor` clauses, best first. A plan that
        knows its masks skips the numbers of clauses no document matches, and at each number
        counts names among the clauses some document of it matches."""
        n = len(plan.clauses)
        for matched in range(n, floor - 1, -1):
            names = tuple(range(n))
            if plan.masks is not None:
                union = 0
                for mask, found in plan.masks.items():
                    if found and mask.bit_count() == matched:
                        union |= mask
                if not union:
                    continue
                names = tuple(i for i in range(n) if union >> i & 1)
            for name_hits in range(min(matched, len(names)), -1, -1):
                yield matched, name_hits, names

    # -- facets ----------------------------------------------------------------------------------
    @staticmethod
    def _aggregation(key: str) -> dict[str, Any]:
        return {"terms": {"field": FACET_FIELDS[key], "size": _FACET_SIZE}}

    def _facet_requests(self, plan: SearchPlan) -> list[tuple[str | None, list[str]]]:
        """(filter left out, facets counted) for each aggregation request: one over every match
        for the facets whose filter is not set, and one per set facet filter, without it."""
        own = [key for key, _occur, _q in self._compiled(plan).filters if key is not None]
        shared = [key for key in ("size_class", "district", "category", "price_band") if key not in own]
        requests: list[tuple[str | None, list[str]]] = [(None, shared)] if shared else []
        return requests + [(key, [key]) for key in own]

    def _aggregate(
        self, searcher: tantivy.Searcher, plan: SearchPlan, first: tuple[list[str], dict] | None = None
    ) -> Callable[[], tuple[int, dict]]:
        """Start the facet aggregations on the engine's threads (Tantivy releases the GIL, so they
        run beside the page's searches); the callable returned waits for them and gives
        `_facets`' (count, facets), computed once. `first`: the shared request's result, when
        `_counted_first` has it already."""
        requests = self._facet_requests(plan)[1 if first is not None else 0 :]
        started = [
            (
                keys,
                _in_parallel(
                    searcher.aggregate, self._base(plan, without=without), {k: self._aggregation(k) for k in keys}
                ),
            )
            for without, keys in requests
        ]
        done = [first] if first is not None else []
        return functools.cache(lambda: self._facets(plan, done + [(keys, future.result()) for keys, future in started]))

    def _counted_first(self, searcher: tantivy.Searcher, plan: SearchPlan) -> tuple[int, tuple[list[str], dict] | None]:
        """The number of matches, and the shared facet request's result counted in the same pass
        (None when every facet has its own filter set: then the count is counted alone)."""
        without, keys = self._facet_requests(plan)[0]
        if without is not None:
            return self._count(searcher, self._base(plan)), None
        request = {k: self._aggregation(k) for k in keys} | {"n": _COUNT}
        result = searcher.aggregate(self._base(plan), request)
        return int(result["n"]["value"]), (keys, result)

    def _facets(
        self, plan: SearchPlan, results: list[tuple[list[str], dict[str, Any]]]
    ) -> tuple[int, dict[str, dict[Any, int]]]:
        """The facets, and the count of all matches: every document has one size class, so it is
        the sum of the size-class facet (or, when that filter is set, its chosen class)."""
        facets = empty_facets()
        for keys, result in results:
            for key in keys:
                counts = facets[key]
                for bucket in result[key]["buckets"]:
                    n = int(bucket["doc_count"])
                    if not n:
                        continue
                    if key != "category":
                        counts[bucket["key"]] = n
                        continue
                    for part in bucket["key"].split(","):  # a path counts for each of its categories
                        if part:
                            counts[int(part)] = counts.get(int(part), 0) + n
        # Most products first, as the terms aggregation ordered them; bands in their own order.
        facets["category"] = dict(sorted(facets["category"].items(), key=lambda kv: (-kv[1], kv[0])))
        bands = facets["price_band"]
        facets["price_band"] = {band: bands[band] for band, _lo, _hi in band_bounds_sen() if band in bands}
        chosen = plan.filters.size_class
        count = facets["size_class"].get(chosen, 0) if chosen is not None else sum(facets["size_class"].values())
        return count, facets

    # -- running ---------------------------------------------------------------------------------
    def _order_field(self, plan: SearchPlan) -> tuple[str, Order]:
        if plan.sort == Sort.PRICE:
            return "price_sen", Order.Asc
        if plan.sort == Sort.PRICE_DESC:
            return "price_sen", Order.Desc
        if plan.sort == Sort.RELEVANCE and plan.clauses:
            return f"rank_{plan.rotation_day % ROTATION_DAYS}", Order.Desc
        return "newest_key", Order.Desc

    def execute_raw(self, plan: SearchPlan) -> object:
        """The engine's own work for this plan, as a perfect engine would do it: one search of the
        matches in the order of one sort key, with the count, and the facet aggregations (one per
        set facet filter more). No levels, no relaxation, no shaping (for the benchmark)."""
        searcher = self._searcher()
        field, order = self._order_field(plan)
        counted = self._aggregate(searcher, plan)
        hits = searcher.search(
            self._base(plan), limit=plan.limit, offset=plan.offset, order_by_field=field, order=order
        )
        return hits.count, counted()

    def execute(self, plan: SearchPlan) -> SearchResult:
        return self._execute(self._searcher(), plan)

    def execute_unless_fewer(self, plan: SearchPlan, at_least: int) -> SearchResult | None:
        """Counts first, with the facets that need no filter left out: a query about to be relaxed
        costs that one pass, not its page and its other facet requests as well."""
        searcher = self._searcher()
        count, first = self._counted_first(searcher, plan)
        return None if count < at_least else self._execute(searcher, plan, first)

    def _execute(
        self, searcher: tantivy.Searcher, plan: SearchPlan, first: tuple[list[str], dict] | None = None
    ) -> SearchResult:
        """The facets are counted while the page is read (the page asks for the count only when
        it cannot do without it)."""
        counted = self._aggregate(searcher, plan, first)
        if plan.sort in (Sort.PRICE, Sort.PRICE_DESC):
            addrs = self._price_page(searcher, self._base(plan), plan, lambda: counted()[0])
        elif plan.sort == Sort.RELEVANCE and plan.clauses:
            addrs = self._relevance_page(searcher, plan, *self._page_matches(plan, lambda: counted()[0]))
        else:
            addrs = self._sorted(searcher, self._base(plan), "newest_key", plan.offset, plan.limit)
        count, facets = counted()
        ids = [int(v) for v in searcher.fast_field_values("product_id", addrs)] if addrs else []
        return SearchResult(
            count=count,
            ids=ids,
            facets=facets,
            min_match=plan.required,
            clause_labels=[c.label for c in plan.clauses],
        )

    def _page_matches(self, plan: SearchPlan, count: Callable[[], int]) -> tuple[Callable[[], int], Query, int]:
        """(count, query, clauses each matches at least) of the documents a relevance page is read
        from. A relaxed plan that knows its masks reads only the documents matching the most
        clauses, as many as the page needs: the levels below them come after the page's end anyway."""
        n, end = len(plan.clauses), plan.offset + plan.limit
        if plan.masks is None or plan.required >= n:
            return count, self._base(plan), plan.required
        at_least = {k: sum(c for m, c in plan.masks.items() if m.bit_count() >= k) for k in range(plan.required, n + 1)}
        k = max(k for k, c in at_least.items() if c >= end or k == plan.required)
        return (lambda: at_least[k]), self._base(plan, min_match=k), k

    @staticmethod
    def _count(searcher: tantivy.Searcher, query: Query) -> int:
        """Matches of `query`: an aggregation reads them in blocks, several times faster than a
        counting search (every document has a tenant)."""
        return int(searcher.aggregate(query, {"n": _COUNT})["n"]["value"])

    @staticmethod
    def _sorted(searcher: tantivy.Searcher, query: Query, field: str, offset: int, limit: int) -> list[Any]:
        if limit <= 0:
            return []
        res = searcher.search(query, limit=limit, offset=offset, order_by_field=field, order=Order.Desc, count=False)
        return [addr for _key, addr in res.hits]

    def _relevance_page(
        self, searcher: tantivy.Searcher, plan: SearchPlan, count: Callable[[], int], base: Query, floor: int
    ) -> list[Any]:
        """Levels of equal (clauses matched, clauses in the name), best first, each in `rank_<day>`
        order, read one after the other until the page is full: the top level often fills it
        alone, and each level read is one search over that level's documents only (its count
        tells where the next one starts). `count`: the matches of `base`, so the walk stops when
        every match has been placed."""
        rank = f"rank_{plan.rotation_day % ROTATION_DAYS}"
        end, total = plan.offset + plan.limit, None
        page: list[Any] = []
        placed = 0  # documents of the levels read so far
        for matched, name_hits, names in self._levels(plan, floor):
            start = max(plan.offset - placed, 0)
            found = searcher.search(
                self._level(plan, base, floor, matched, name_hits, names),
                limit=end - placed - start,
                offset=start,
                order_by_field=rank,
                order=Order.Desc,
            )
            page += [addr for _key, addr in found.hits]
            placed += found.count
            if placed >= end or placed >= (total := count() if total is None else total):
                break
        return page

    def _price_page(
        self, searcher: tantivy.Searcher, base: Query, plan: SearchPlan, count: Callable[[], int]
    ) -> list[Any]:
        """Top hits by price, then equal prices re-ordered newest first. The hits read are every
        match up to the page's end in price order, so each price group among them is whole except
        the last one when more matches follow (`count` of them in all): only that group is read
        again, exactly, with a term on its price, in newest_key order. The others are sorted from
        the fast field."""
        order = Order.Asc if plan.sort == Sort.PRICE else Order.Desc
        hits = searcher.search(
            base, limit=plan.offset + plan.limit, order_by_field="price_sen", order=order, count=False
        ).hits
        window = hits[plan.offset :]
        if not window:
            return []
        members: dict[int, list[Any]] = {}  # price -> every hit at that price, in hit order
        first_index: dict[int, int] = {}
        for i, (value, addr) in enumerate(hits):
            first_index.setdefault(int(value), i)
            members.setdefault(int(value), []).append(addr)
        cut = int(hits[-1][0]) if count() > len(hits) else None
        out: list[Any] = []
        for value in dict.fromkeys(int(v) for v, _a in window):
            start = max(plan.offset, first_index[value]) - first_index[value]
            size = sum(1 for v, _a in window if int(v) == value)
            if value == cut:
                exact = Query.boolean_query([(Occur.Must, base), (Occur.Must, self._term("price_sen", value))])
                out += self._sorted(searcher, exact, "newest_key", start, size)
            else:
                group = members[value]
                keys = searcher.fast_field_values("newest_key", group)
                ordered = [a for _k, a in sorted(zip(keys, group, strict=True), key=lambda t: -t[0])]
                out += ordered[start : start + size]
        return out

    # -- relaxed matching ------------------------------------------------------------------------
    def clause_masks(self, plan: SearchPlan) -> dict[int, int] | None:
        """Documents matching at least `plan.required` clauses and every filter, counted by which
        clauses they match ({mask: count}, bit i = clause i).

        Tantivy counts intersections: the documents matching every clause of each subset S of at
        least `required` clauses (each an AND that the rarest term drives, counted by an
        aggregation), from which the counts by mask follow by inclusion-exclusion: exactly(M) = sum
        over S containing M of (-1)^(|S|-|M|) all_of(S). When there are more than _MAX_SUBSETS such
        subsets, one search scored 2^i per matched clause i is tried first: it returns the masks as
        scores (exact in f32 up to 24 clauses) when at most _MASK_HITS documents match."""
        c = self._compiled(plan)
        n, floor = len(c.all_), plan.required
        if n == 0 or n > 24:
            return None if n else {}
        searcher = self._searcher()
        masks: dict[int, int] = {}
        if sum(math.comb(n, k) for k in range(max(floor, 1), n + 1)) > _MAX_SUBSETS:
            scored = Query.boolean_query(
                [(Occur.Must, Query.const_score_query(self._base(plan), 0.0))]
                + [(Occur.Should, Query.const_score_query(q, float(1 << i))) for i, q in enumerate(c.all_)]
            )
            found = searcher.search(scored, limit=_MASK_HITS, count=True)
            if found.count <= _MASK_HITS:
                for score, _addr in found.hits:
                    masks[int(score)] = masks.get(int(score), 0) + 1
                return masks
        filters = [(occur, q) for _key, occur, q in c.filters]
        full = (1 << n) - 1
        counting = {
            subset: _in_parallel(
                self._count,
                searcher,
                Query.boolean_query(filters + [(Occur.Must, c.all_[i]) for i in range(n) if subset >> i & 1]),
            )
            for subset in range(1, full + 1)
            if subset.bit_count() >= floor
        }
        all_of = {subset: future.result() for subset, future in counting.items()}
        for mask in all_of:
            rest = full & ~mask
            total, sub = 0, rest
            while True:
                sign = -1 if sub.bit_count() % 2 else 1
                total += sign * all_of[mask | sub]
                if sub == 0:
                    break
                sub = (sub - 1) & rest
            if total:
                masks[mask] = total
        return masks
