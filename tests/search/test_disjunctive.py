"""Disjunctive facets: each facet counts the matches under every filter except its own, so a buyer who
picked a size class still sees what the other size classes would give; the count obeys every filter."""

from collections import Counter
from decimal import Decimal

import pytest

from katalog.search.selectors import search
from katalog.search.types import PRICE_BANDS, SearchFilters

from .catalogue import PRODUCTS, TENANT, ancestors

pytestmark = pytest.mark.django_db


def band(price):
    for key, lo, hi in PRICE_BANDS:
        if price >= lo and (hi is None or price < hi):
            return key
    raise AssertionError(price)


def expected_facets(pids, filters):
    """Counted by hand from the fixture: every facet under all filters but its own."""
    rows = {row[0]: row for row in PRODUCTS if row[0] in pids}

    def keep(row, skip):
        _pid, _name, _desc, cat, price, size, district, *_ = row
        price = Decimal(price)
        tests = {
            "size_class": filters.size_class is None or size == filters.size_class,
            "district": filters.district is None or district == filters.district,
            "category": filters.category is None or filters.category in ancestors(cat),
            "price_band": (filters.price_min is None or price >= filters.price_min)
            and (filters.price_max is None or price <= filters.price_max),
        }
        return all(ok for name, ok in tests.items() if name != skip)

    facets = {"category": Counter(), "size_class": Counter(), "district": Counter(), "price_band": Counter()}
    for row in rows.values():
        if keep(row, "size_class"):
            facets["size_class"][row[5]] += 1
        if keep(row, "district"):
            facets["district"][row[6]] += 1
        if keep(row, "category"):
            for c in ancestors(row[3]):
                facets["category"][c] += 1
        if keep(row, "price_band"):
            facets["price_band"][band(Decimal(row[4]))] += 1
    count = sum(1 for row in rows.values() if keep(row, None))
    return count, {k: dict(v) for k, v in facets.items()}


ALL = {row[0] for row in PRODUCTS}
KERAJINAN = {27, 26, 25, 24, 11}  # products holding "kerajinan" (test_relevance)


def test_picking_a_size_class_keeps_the_other_classes_visible(catalogue):
    result = search(TENANT, "", filters=SearchFilters(size_class="besar"))
    assert result.count == 1 and result.ids == [31]
    # the size-class facet is the one of the whole catalogue, not just {"besar": 1}
    assert result.facets["size_class"] == {"mikro": 19, "kecil": 9, "menengah": 2, "besar": 1}
    # the other facets obey the size-class filter
    assert sum(result.facets["district"].values()) == 1
    assert sum(result.facets["price_band"].values()) == 1


@pytest.mark.parametrize(
    ("q", "pids", "filters"),
    [
        ("", ALL, SearchFilters(size_class="mikro")),
        ("", ALL, SearchFilters(district="12.71.05", size_class="mikro")),
        ("", ALL, SearchFilters(category=4, district="12.71.06")),
        ("", ALL, SearchFilters(price_min=Decimal("100000"), price_max=Decimal("500000"), size_class="kecil")),
        ("", ALL, SearchFilters(category=6, price_max=Decimal("90000"))),
        ("kerajinan", KERAJINAN, SearchFilters(size_class="mikro", price_max=Decimal("90000"))),
        ("kerajinan", KERAJINAN, SearchFilters(category=61)),
        ("kerajinan", KERAJINAN, SearchFilters(district="12.71.05", category=6, size_class="mikro")),
    ],
)
def test_each_facet_ignores_only_its_own_filter(catalogue, q, pids, filters):
    result = search(TENANT, q, filters=filters, page_size=100)
    count, facets = expected_facets(pids, filters)
    assert result.count == count == len(result.ids)
    assert result.facets == facets


def test_non_facet_filters_still_narrow_every_facet(catalogue):
    result = search(TENANT, "", filters=SearchFilters(size_class="mikro", pdn=False))
    assert result.count == 0
    # the only imported product (2) is from a small vendor: it shows under "kecil" only
    assert result.facets["size_class"] == {"kecil": 1}
    assert result.facets["district"] == {}


def test_without_facet_filters_facets_sum_to_the_count(catalogue):
    result = search(TENANT, "kerajinan", filters=SearchFilters(tkdn_min=50.0))
    assert sum(result.facets["size_class"].values()) == result.count
