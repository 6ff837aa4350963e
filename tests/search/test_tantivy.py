"""What only the Tantivy backend has: its index layout and the ways it finds a page."""

from __future__ import annotations

import threading

import pytest
import tantivy

from katalog.search.backends.tantivy_backend import TantivyBackend, TantivyIndexOutdated, price_band, rank_value
from katalog.search.ranking import preference, rotation_key
from katalog.search.selectors import build_plan, search
from katalog.search.services import index_documents, rebuild
from katalog.search.types import band_bounds_sen, to_sen

from .catalogue import PRODUCTS, TENANT, documents

pytestmark = pytest.mark.django_db


def _old_layout(path) -> None:
    """An index as the previous version wrote it (no rank fields)."""
    b = tantivy.SchemaBuilder()
    b.add_text_field("uid", tokenizer_name="raw", index_option="basic")
    b.add_unsigned_field("tenant_id", indexed=True, fast=True)
    b.add_unsigned_field("product_id", stored=True, indexed=True, fast=True)
    path.mkdir(parents=True)
    tantivy.Index(b.build(), path=str(path), reuse=True)


def test_an_index_of_the_old_layout_is_refused_until_rebuilt(tmp_path):
    path = tmp_path / "tantivy"
    _old_layout(path)
    engine = TantivyBackend(path)
    with pytest.raises(TantivyIndexOutdated, match="katalog reindex"):
        search(TENANT, "ulos", backend=engine)
    with pytest.raises(TantivyIndexOutdated, match="katalog reindex"):
        index_documents(documents()[:1], backend=engine)
    # what `katalog reindex` does: the old directory is replaced and the tenant indexed again
    assert rebuild(TENANT, documents(), backend=engine) == len(PRODUCTS)
    assert search(TENANT, "ulos", backend=engine).ids == [14]
    # another process that opened the old index sees the new one
    assert search(TENANT, "ulos", backend=TantivyBackend(path)).ids == [14]


def test_rank_fields_hold_preference_then_the_days_rotation(tmp_path):
    engine = TantivyBackend(tmp_path / "tantivy")
    index_documents(documents(), backend=engine)
    searcher = engine._searcher()
    hits = searcher.search(tantivy.Query.all_query(), limit=100).hits
    addrs = [a for _s, a in hits]
    pids = searcher.fast_field_values("product_id", addrs)
    by_pid = {d.product_id: d for d in documents()}
    for day in range(7):
        ranks = searcher.fast_field_values(f"rank_{day}", addrs)
        for pid, rank in zip(pids, ranks, strict=True):
            doc = by_pid[pid]
            assert rank == rank_value(preference(doc), pid, day) == (preference(doc) << 32) | rotation_key(pid, day)


def test_the_preference_switch_needs_a_rebuild(tmp_path, settings):
    """With KATALOG_SEARCH_PREFER_LOCAL off every document is indexed with preference 0."""
    settings.KATALOG_SEARCH_PREFER_LOCAL = False
    engine = TantivyBackend(tmp_path / "tantivy")
    index_documents(documents(), backend=engine)
    searcher = engine._searcher()
    addrs = [a for _s, a in searcher.search(tantivy.Query.all_query(), limit=100).hits]
    assert set(searcher.fast_field_values("preference", addrs)) == {0}


@pytest.mark.parametrize("q", ["kerajinan", "kemeja", "jahit", "kain tenun medan"])
def test_one_search_fills_the_page_when_the_top_level_is_large_enough(tmp_path, q):
    """Pages of every size agree with the full list, whichever way the page was found."""
    engine = TantivyBackend(tmp_path / "tantivy")
    index_documents(documents(), backend=engine)
    for day in (0, 4):
        full = search(TENANT, q, page_size=100, backend=engine, rotation_day=day)
        for size in (1, 2, 3):
            walked = []
            for page in range(1, 40):
                ids = search(TENANT, q, page=page, page_size=size, backend=engine, rotation_day=day).ids
                if not ids:
                    break
                walked += ids
            assert walked == full.ids, (q, day, size)


def test_a_plan_must_be_compiled_first(tmp_path):
    engine = TantivyBackend(tmp_path / "tantivy")
    _engine, plan = build_plan(TENANT, "ulos", backend=engine)
    from dataclasses import replace

    with pytest.raises(ValueError, match="plan"):
        engine.execute(replace(plan, raw=None))


def test_facets_are_counted_from_the_category_path_and_the_price_band(tmp_path):
    """Layout 3: every facet has one single-valued text fast field; a path counts for each of its ids."""
    engine = TantivyBackend(tmp_path / "tantivy")
    index_documents(documents(), backend=engine)
    stored = engine._searcher().aggregate(
        tantivy.Query.all_query(),
        {field: {"terms": {"field": field, "size": 1000}} for field in ("category_path", "price_band")},
    )
    paths: dict[str, int] = {}
    bands: dict[str, int] = {}
    for doc in documents():
        path = ",".join(str(c) for c in sorted(set(doc.category_ids)))
        paths[path] = paths.get(path, 0) + 1
        bands[price_band(to_sen(doc.price))] = bands.get(price_band(to_sen(doc.price)), 0) + 1
    assert {b["key"]: b["doc_count"] for b in stored["category_path"]["buckets"]} == paths
    assert {b["key"]: b["doc_count"] for b in stored["price_band"]["buckets"]} == bands
    found = search(TENANT, "", backend=engine)
    expected: dict[int, int] = {}
    for doc in documents():
        for c in set(doc.category_ids) if doc.tenant_id == TENANT else ():
            expected[c] = expected.get(c, 0) + 1
    assert found.facets["category"] == expected


def test_a_price_falls_in_the_band_whose_lower_bound_it_reaches():
    keys = [key for key, _lo, _hi in band_bounds_sen()]
    assert price_band(0) == price_band(-1) == keys[0]
    for (key, lo, hi), below in zip(band_bounds_sen()[1:], keys, strict=False):
        assert price_band(lo - 1) == below
        assert price_band(lo) == key
        assert hi is None or price_band(hi - 1) == key
    assert price_band(10**15) == keys[-1]


@pytest.mark.parametrize("q", ["kerajinan", "kain tenun medan", "kain sidikalang", ""])
def test_engine_calls_beside_each_other_or_in_turn_give_the_same_answer(tmp_path, monkeypatch, q):
    """On an idle machine the facet counts run on the engine threads while the page is read; on a
    busy one they run in turn in the request's thread. Both give the same page, count and facets,
    with a facet filter set (one more count) and in every order."""
    from katalog.search.backends import tantivy_backend
    from katalog.search.types import SearchFilters

    engine = TantivyBackend(tmp_path / "tantivy")
    index_documents(documents(), backend=engine)
    threads: set[str] = set()
    aggregate = tantivy.Searcher.aggregate

    def answers() -> list:
        out = []
        for sort in ("relevance", "price", "-price", "newest"):
            for filters in (None, SearchFilters(size_class="mikro")):
                got = search(TENANT, q, filters=filters, sort=sort, page_size=3, backend=engine)
                out.append((got.ids, got.count, got.facets, got.min_match, got.left_out))
        return out

    class Watched:
        def __init__(self, searcher):
            self.searcher = searcher

        def __getattr__(self, name):
            return getattr(self.searcher, name)

        def aggregate(self, *args):
            threads.add(threading.current_thread().name)
            return aggregate(self.searcher, *args)

    opened = engine._searcher
    monkeypatch.setattr(engine, "_searcher", lambda: Watched(opened()))
    monkeypatch.setattr(tantivy_backend, "BUSY_LOAD", float("inf"))
    beside = answers()
    assert any(name.startswith("tantivy") for name in threads)
    threads.clear()
    monkeypatch.setattr(tantivy_backend, "BUSY_LOAD", -1.0)
    assert answers() == beside
    assert threads == {threading.current_thread().name}


@pytest.mark.parametrize("pdn", [True, False])
@pytest.mark.parametrize("q", ["", "kain", "sepatu kulit"])
def test_the_domestic_filter_keeps_exactly_the_products_it_names(tmp_path, q, pdn):
    """A "domestic product" filter is searched as "not imported" (the few others excluded): the products
    found are exactly those of the chosen kind, and the facets count them alone."""
    from katalog.search.types import SearchFilters

    engine = TantivyBackend(tmp_path / "tantivy")
    index_documents(documents(), backend=engine)
    everything = search(TENANT, q, page_size=100, backend=engine)
    kind = {d.product_id for d in documents() if d.tenant_id == TENANT and bool(d.is_domestic) == pdn}
    got = search(TENANT, q, filters=SearchFilters(pdn=pdn), page_size=100, backend=engine)
    assert got.ids == [i for i in everything.ids if i in kind]
    assert got.count == len(got.ids) == sum(got.facets["size_class"].values())
    if not q:
        assert got.ids, "the catalogue holds products of both kinds"
