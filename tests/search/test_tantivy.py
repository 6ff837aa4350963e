"""What only the Tantivy backend has: its index layout and the ways it finds a page."""

from __future__ import annotations

import pytest
import tantivy

from katalog.search.backends.tantivy_backend import TantivyBackend, TantivyIndexOutdated, rank_value
from katalog.search.ranking import preference, rotation_key
from katalog.search.selectors import build_plan, search
from katalog.search.services import index_documents, rebuild

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
