"""Suggestions as the buyer types (issue 11): kept by the indexing services, read by prefix, tolerant
of a misspelt word, offered on the search box (htmx) and over the API."""

import dataclasses
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from katalog.search import suggest
from katalog.search.models import Suggestion, SuggestionKey, SuggestionSource
from katalog.search.services import index_documents, rebuild, remove_documents
from katalog.search.types import SearchDocument

TENANT = 7


def doc(pid: int, name: str, *, tenant: int = TENANT, category: int = 1, vendor: int = 1) -> SearchDocument:
    return SearchDocument(
        product_id=pid,
        tenant_id=tenant,
        name=name,
        description="",
        category_ids=[category],
        category_id=category,
        price=1000,
        unit="pcs",
        size_class="mikro",
        district_code="12.71.01",
        vendor_id=vendor,
        tkdn_percent=None,
        is_domestic=True,
        listed_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def labels(q: str, tenant: int = TENANT) -> list[str]:
    return [s.label for s in suggest.suggestions(tenant, q)]


@pytest.fixture
def shirts(db, settings):
    settings.KATALOG_SEARCH_BACKEND = "database"
    index_documents(
        [
            doc(1, "Kemeja Batik Pria"),
            doc(2, "Kemeja  batik pria"),  # the same name, spelt otherwise: one suggestion, weight 2
            doc(3, "Kemeja Batik Wanita"),
            doc(4, "Kerupuk Sambal Balado"),
            doc(5, "Kemeja Batik Pria", tenant=TENANT + 1),  # another tenant's
        ]
    )


def test_a_typed_prefix_suggests_product_names_by_how_many_products_carry_them(shirts):
    assert labels("kem") == ["Kemeja Batik Pria", "Kemeja Batik Wanita"]
    assert labels("KEMEJA b") == ["Kemeja Batik Pria", "Kemeja Batik Wanita"]
    assert labels("kemeja batik w") == ["Kemeja Batik Wanita"]
    # A later word of the name is a start too.
    assert labels("sambal") == ["Kerupuk Sambal Balado"]
    assert labels("bal") == ["Kerupuk Sambal Balado"]
    # One letter suggests nothing; another tenant's names never show.
    assert labels("k") == []
    assert labels("kem", tenant=TENANT + 2) == []
    assert Suggestion.objects.get(tenant_id=TENANT, phrase="kemeja batik pria").weight == 2


def test_a_misspelt_word_still_gets_suggestions(shirts):
    assert labels("kemja bat") == ["Kemeja Batik Pria", "Kemeja Batik Wanita"]  # a finished word, corrected
    assert labels("kemeja batk") == ["Kemeja Batik Pria", "Kemeja Batik Wanita"]  # the last word, corrected
    assert labels("krupuk sam") == ["Kerupuk Sambal Balado"]


def test_a_renamed_or_removed_product_moves_its_suggestion(shirts):
    index_documents([doc(3, "Blus Batik Wanita")])
    assert labels("kemeja batik w") == []
    assert labels("blus") == ["Blus Batik Wanita"]
    remove_documents(TENANT, [1])
    assert Suggestion.objects.get(tenant_id=TENANT, phrase="kemeja batik pria").weight == 1
    remove_documents(TENANT, [2])
    assert labels("kemeja") == []
    assert not SuggestionKey.objects.filter(tenant_id=TENANT, key__startswith="kemeja").exists()


def test_a_rebuild_starts_the_suggestions_afresh(shirts):
    rebuild(TENANT, iter([doc(9, "Ulos Sadum")]))
    assert labels("kem") == []
    assert labels("ulos") == ["Ulos Sadum"]
    assert labels("kem", tenant=TENANT + 1) == ["Kemeja Batik Pria"]


def test_categories_and_vendors_are_named_by_the_registered_namer(db, settings, monkeypatch):
    settings.KATALOG_SEARCH_BACKEND = "database"
    asked = []

    def namer(tenant_id, categories, vendors):
        asked.append((tenant_id, sorted(categories), sorted(vendors)))
        return [("c", c, f"Kategori Kemasan {c}") for c in categories] + [("v", v, "Konveksi Rina") for v in vendors]

    monkeypatch.setattr(suggest, "_namer", namer)
    index_documents([doc(1, "Kemeja Batik", category=5, vendor=8)])
    index_documents([dataclasses.replace(doc(2, "Kemeja Polos"), category_ids=[5], category_id=5, vendor_id=8)])
    assert asked == [(TENANT, [5], [8])]  # known categories and vendors are not asked for again
    found = suggest.suggestions(TENANT, "ke")
    assert [(s.kind, s.label, s.target_id) for s in found] == [
        ("c", "Kategori Kemasan 5", 5),
        ("p", "Kemeja Batik", None),
        ("p", "Kemeja Polos", None),
    ]
    assert [(s.kind, s.label) for s in suggest.suggestions(TENANT, "konv")] == [("v", "Konveksi Rina")]


def test_keys_start_at_each_word_but_not_at_a_stopword_or_a_number():
    assert suggest.keys_of("kertas hvs a4 80 gram untuk kantor") == {
        "kertas hvs a4 80 gram untuk kantor",
        "hvs a4 80 gram untuk kantor",
        "a4 80 gram untuk kantor",
        "gram untuk kantor",
        "kantor",
    }


def _store(tenant: int) -> tuple[set, set, set]:
    """The tenant's suggestion store, ids replaced by what they point at."""
    phrases = dict(Suggestion.objects.filter(tenant_id=tenant).values_list("id", "phrase"))
    return (
        set(Suggestion.objects.filter(tenant_id=tenant).values_list("kind", "phrase", "label", "target_id", "weight")),
        {(k, phrases[s]) for k, s in SuggestionKey.objects.filter(tenant_id=tenant).values_list("key", "suggestion")},
        {
            (p, phrases[s])
            for p, s in SuggestionSource.objects.filter(tenant_id=tenant).values_list("product_id", "suggestion")
        },
    )


def test_a_rebuild_writes_in_bulk_what_indexing_one_by_one_writes(db, settings, monkeypatch):
    # Given a namer, and products sharing a name or without one
    settings.KATALOG_SEARCH_BACKEND = "database"
    monkeypatch.setattr(
        suggest,
        "_namer",
        lambda t, cs, vs: [("c", c, f"Kain {c}") for c in cs] + [("v", v, f"CV Ulos {v}") for v in vs],
    )
    docs = [
        doc(1, "Kemeja Batik Pria", category=3, vendor=4),
        doc(2, "kemeja  BATIK pria", vendor=5),
        doc(3, "Kerupuk Sambal Balado"),
        doc(4, "Ulos Sadum untuk kantor 2"),
        doc(5, "Ulos Ragi Hotang"),
        doc(6, "!!"),  # no name to suggest
        doc(8, "Kemeja Batik Pria", tenant=TENANT + 1),  # another tenant's: not in this rebuild
    ]
    # When one tenant is indexed one batch at a time, and another rebuilt from the same documents
    for d in docs[:-1]:
        index_documents([dataclasses.replace(d, tenant_id=TENANT + 2)])
    with CaptureQueriesContext(connection) as bulk:
        rebuild(TENANT, iter(docs), batch_size=1)
    # Then both stores hold the same suggestions, keys and sources
    assert _store(TENANT) == _store(TENANT + 2)
    assert ("p", "ulos ragi hotang", "Ulos Ragi Hotang", None, 1) in _store(TENANT)[0]
    assert len(_store(TENANT)[2]) == 5
    # And the store is written in as many statements from 7 batches as from one
    with CaptureQueriesContext(connection) as one_batch:
        rebuild(TENANT, iter(docs), batch_size=100)
    assert _store(TENANT) == _store(TENANT + 2)

    def writes(captured):
        # (the deletes of `clear` differ: the second rebuild has a store to delete)
        return [q for q in captured.captured_queries if "suggestion" in q["sql"] and "DELETE" not in q["sql"]]

    assert len(writes(bulk)) == len(writes(one_batch)) <= 5
