"""Relevance in Indonesian, run on every backend: same query, same page, same counts."""

from decimal import Decimal

import pytest

from katalog.search.selectors import search
from katalog.search.services import index_documents, remove_documents
from katalog.search.types import SearchFilters

from .catalogue import OTHER_TENANT, PRODUCTS, TENANT, document

pytestmark = pytest.mark.django_db


def ids(q="", **kwargs):
    # Ties of equal relevance follow the preference and then the order of the day (docs/search.md,
    # "Ranking"); day 0 keeps these expectations fixed.
    kwargs.setdefault("rotation_day", 0)
    return search(TENANT, q, **kwargs).ids


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        # affixes: penjahit, jahitan, menjahit all share the root jahit; name matches come first
        ("jahit", [29, 28, 16]),
        ("penjahit", [29, 28, 16]),
        # both words find three products, fewer than RELAX_BELOW: "kerajinan" alone adds two more
        ("kerajinan rotan", [24, 25, 26, 11, 27]),
        ("rotan", [24, 25, 26]),
        ("sepatu", [11, 12]),
        ("ulos", [14]),
        ("ULOS", [14]),
        ("kopí sidikalang", [9]),
        # kemeja (shirt) is a root of its own, not ke- + meja (table)
        ("meja", [31, 26]),
        ("kemeja", [17, 16, 19, 20]),
        ("seragam sekolah", [19, 20, 21, 28, 17, 18]),
        ("makanan", [7, 10]),
        ("minuman", [8]),
        # synonyms, both directions
        ("ATK", [4, 3]),
        ("alat tulis kantor", [4, 3]),
        ("PDH", [16, 17]),
        ("pakaian dinas lapangan", [12, 18]),
        ("pdl", [12, 18]),
        # one wrong letter in a word of five letters or more
        ("sepato", [11, 12]),
        ("songkat", [15]),
        ("penjahot", [29, 28, 16]),
        ("kerajinan rotam", [24, 25, 26, 11, 27]),
        # ... but not in a shorter word
        ("kopu", []),
        ("helikopter", []),
    ],
)
def test_query_finds_exactly(catalogue, q, expected):
    assert ids(q) == expected


def test_every_word_is_required_while_enough_products_match(catalogue):
    # "kerajinan pandan" together finds one product: too few, so products with one of the words
    # follow it (tests/search/test_relaxed.py); the product with both words stays first
    result = search(TENANT, "kerajinan pandan", rotation_day=0)
    assert result.relaxed and result.ids == [27, 24, 11, 25, 26]
    assert ids("kerajinan") == [24, 11, 27, 25, 26]


def test_empty_query_lists_everything_newest_first(catalogue):
    result = search(TENANT, "", page_size=5)
    assert result.count == len(PRODUCTS)
    assert result.ids == [31, 30, 29, 28, 27]
    assert search(TENANT, "", page=2, page_size=5).ids == [26, 25, 24, 23, 22]


def test_relevance_pages_cross_levels(catalogue):
    assert ids("jahit", page_size=2) == [29, 28]
    assert ids("jahit", page=2, page_size=2) == [16]


def test_other_tenant_is_never_seen(catalogue):
    assert ids("ulos") == [14]
    assert search(OTHER_TENANT, "ulos").ids == [101]
    assert search(OTHER_TENANT, "kerajinan").ids == []


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (SearchFilters(category=4), [18, 17, 16, 15, 14]),  # the parent finds its children
        (SearchFilters(category=61), [26, 25, 24]),
        (SearchFilters(category=6, price_max=Decimal("90000")), [27, 26, 22]),
        (SearchFilters(price_min=Decimal("1250000"), price_max=Decimal("2750000")), [25, 15, 14]),
        (SearchFilters(size_class="besar"), [31]),
        (SearchFilters(size_class="menengah"), [18, 6]),
        (SearchFilters(district="12.71.05"), [25, 24, 21, 9, 8]),
        (SearchFilters(tkdn_min=90.0), [24, 10, 9, 6]),
        (SearchFilters(pdn=False), [2]),
        (SearchFilters(vendor=16), [29, 28]),
        (SearchFilters(category=3, pdn=True, tkdn_min=50.0), [12, 11]),
    ],
)
def test_filters(catalogue, filters, expected):
    assert ids(filters=filters) == expected


def test_filters_with_query(catalogue):
    assert ids("kerajinan", filters=SearchFilters(price_max=Decimal("90000"))) == [27, 26]
    assert ids("sepatu", filters=SearchFilters(category=4)) == []


def test_sort_by_price_breaks_ties_newest_first(catalogue):
    assert ids(filters=SearchFilters(category=61), sort="price") == [26, 24, 25]
    assert ids(filters=SearchFilters(category=61), sort="-price") == [25, 24, 26]
    # 6 and 27 both cost Rp85.000: the newer (27) first, on every page boundary
    cheap = ids(filters=SearchFilters(price_min=Decimal("75000"), price_max=Decimal("95000")), sort="price")
    assert cheap == [9, 27, 6, 24]
    assert ids(filters=SearchFilters(price_min=Decimal("75000")), sort="price", page=2, page_size=1) == [27]
    assert ids(filters=SearchFilters(price_min=Decimal("75000")), sort="price", page=3, page_size=1) == [6]
    assert ids("rotan", sort="-price") == [25, 24, 26]
    assert ids("rotan", sort="newest") == [26, 25, 24]


def test_facets(catalogue):
    result = search(TENANT, "rotan")
    assert result.count == 3
    assert result.facets == {
        "category": {6: 3, 61: 3},
        "size_class": {"mikro": 2, "kecil": 1},
        "district": {"12.71.05": 2, "12.71.06": 1},
        "price_band": {"<100rb": 2, "1jt-5jt": 1},
    }


def test_facets_of_everything(catalogue):
    facets = search(TENANT, "").facets
    assert facets["category"][4] == 5 and facets["category"][42] == 2 and facets["category"][1] == 5
    assert facets["size_class"] == {"mikro": 19, "kecil": 9, "menengah": 2, "besar": 1}
    assert facets["price_band"] == {"<100rb": 13, "100rb-500rb": 12, "500rb-1jt": 2, "1jt-5jt": 3, ">5jt": 1}
    assert sum(facets["district"].values()) == len(PRODUCTS)


def test_nothing_found_has_no_facets(catalogue):
    result = search(TENANT, "helikopter")
    assert (result.count, result.ids) == (0, [])
    assert all(not counts for counts in result.facets.values())


def test_reindex_replaces_and_remove_deletes(catalogue):
    row = list(PRODUCTS[23])
    row[1] = "Keranjang Bambu Anyaman"
    row[2] = "Kerajinan tangan dari bambu"
    index_documents([document(tuple(row))], backend=catalogue)
    assert ids("rotan") == [25, 26]
    assert ids("bambu") == [24]
    remove_documents(TENANT, [26, 999], backend=catalogue)
    assert ids("rotan") == [25]
    assert search(TENANT, "").count == len(PRODUCTS) - 1


def test_reindex_moves_facets_and_facet_filters(catalogue):
    """A product whose size class, district and category change is counted (and filtered) under
    the new values only; on PostgreSQL these live in shared facet sets, not in the row."""
    row = list(PRODUCTS[23])  # product 24: rotan, category 61 (under 6), 'mikro'
    row[3], row[5], row[6] = 42, "besar", "12.71.99"
    index_documents([document(tuple(row))], backend=catalogue)
    result = search(TENANT, "rotan")
    assert result.count == 3
    assert result.facets["category"] == {6: 2, 61: 2, 4: 1, 42: 1}
    assert result.facets["district"]["12.71.99"] == 1
    assert ids("rotan", filters=SearchFilters(size_class="besar", district="12.71.99", category=4)) == [24]
    assert ids("rotan", filters=SearchFilters(category=6)) == [25, 26]


def test_postgres_search_settings_do_not_leak_into_the_callers_transaction(catalogue):
    from django.db import connection, transaction

    if connection.vendor != "postgresql" or catalogue.name != "postgres":
        pytest.skip("PostgreSQL backend only")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit'), current_setting('work_mem')")
        before = cursor.fetchone()
        assert search(TENANT, "rotan").count == 3
        cursor.execute("SELECT current_setting('jit'), current_setting('work_mem')")
        assert cursor.fetchone() == before
