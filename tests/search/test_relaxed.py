"""Relaxed matching (docs/search.md): when every word together finds fewer than RELAX_BELOW products,
fewer words are required step by step, products matching more words come first, and the page learns
which words no result contains ("tanpa: ambn"). Typos are forgiven in every word of such a query."""

from decimal import Decimal

import pytest

from katalog.search.analysis import Clause, parse_query, stem
from katalog.search.selectors import RELAX_BELOW, relax_floor, search
from katalog.search.services import index_documents
from katalog.search.types import SearchFilters

from .catalogue import TENANT, document

pytestmark = pytest.mark.django_db

SHOP = 7


def product(pid, name, description="Produk lokal Medan", size="mikro"):
    return document((pid, name, description, 5, "25000", size, "12.71.01", pid, None, True), tenant_id=SHOP)


SNACKS = [
    product(1, "Kerupuk Sambal Balado"),
    product(2, "Kerupuk Udang Sidoarjo"),
    product(3, "Sambal Andaliman Toba"),
    product(4, "Bika Ambon Zulaikha", description="Kue bika khas Medan, isi 20 potong"),
    product(5, "Bolu Meranti Keju"),
    product(6, "Sepatu Hitam Kantor Pria", description="Sepatu kulit sapi"),
    product(7, "Sepatu Olahraga Putih"),
    product(8, "Tas Kulit Hitam"),
]


@pytest.fixture
def snacks(backend):
    index_documents(SNACKS, backend=backend)
    return backend


@pytest.mark.parametrize(
    ("q", "first", "labels"),
    [
        ("kerupk sambal", 1, ["kerupk", "sambal"]),
        ("bika ambn", 4, ["bika", "ambn"]),
        ("sepatuu hitam", 6, ["sepatuu", "hitam"]),
        ("Kerupuk smbal", 1, ["kerupuk", "smbal"]),
    ],
)
def test_a_typo_in_any_word_of_a_query_is_forgiven(snacks, q, first, labels):
    result = search(SHOP, q, rotation_day=0)
    # the product holding both words (one of them misspelt) comes first
    assert result.ids[0] == first
    assert result.clause_labels == labels
    assert result.left_out == []


def test_relaxed_query_says_which_word_was_left_out(catalogue):
    result = search(TENANT, "sepatu helikopter", rotation_day=0)
    assert sorted(result.ids) == [11, 12]
    assert (result.relaxed, result.min_match, result.left_out) == (True, 1, ["helikopter"])
    assert result.clause_labels == ["sepatu", "helikopter"]


def test_products_matching_more_words_come_first(snacks):
    result = search(SHOP, "kerupuk sambal", rotation_day=0)
    assert result.relaxed and result.min_match == 1
    assert result.ids[0] == 1  # both words
    assert sorted(result.ids[1:]) == [2, 3]  # one word each
    assert result.count == 3


def test_relaxing_stops_at_the_first_level_with_enough_results(backend):
    docs = [product(1, "Kursi Rotan Jati Teras")]  # three of the four words
    docs += [product(pid, "Kursi Rotan Teras") for pid in range(2, 5)]  # two words
    docs += [product(pid, "Meja Tamu") for pid in range(5, 12)]  # one word: under the floor
    index_documents(docs, backend=backend)
    result = search(SHOP, "kursi meja rotan jati", rotation_day=0)
    # four clauses: at most two may be dropped (floor = 2); three words find 1, two words find 4
    assert relax_floor(4) == 2
    assert (result.relaxed, result.min_match, result.count) == (True, 2, 4)
    assert result.ids[0] == 1 and sorted(result.ids) == [1, 2, 3, 4]
    assert result.left_out == ["meja"]

    docs = [product(pid, "Kursi Rotan Jati") for pid in range(20, 20 + RELAX_BELOW)]
    index_documents(docs, backend=backend)
    result = search(SHOP, "kursi meja rotan jati", rotation_day=0)
    # now three words find enough: products with only two are not shown
    assert (result.min_match, result.count) == (3, RELAX_BELOW + 1)
    assert sorted(result.ids) == [1, *range(20, 20 + RELAX_BELOW)]
    assert result.left_out == ["meja"]


def test_enough_results_means_no_relaxing(catalogue):
    result = search(TENANT, "kerajinan", rotation_day=0)
    assert (result.relaxed, result.min_match, result.left_out) == (False, 1, [])
    result = search(TENANT, "helikopter")
    assert (result.count, result.relaxed, result.left_out) == (0, False, [])


def test_relaxing_keeps_the_filters(catalogue):
    result = search(TENANT, "sepatu helikopter", filters=SearchFilters(price_max=Decimal("500000")), rotation_day=0)
    assert (result.relaxed, result.ids, result.count) == (True, [11], 1)
    # the price facet ignores the price filter: the dearer shoe (12) is one click away
    assert result.facets["price_band"] == {"100rb-500rb": 1, "500rb-1jt": 1}


def test_engine_without_mask_counts_relaxes_to_the_same_result(snacks):
    class StepByStep:
        """The backend, minus its one-statement count by clauses: the selectors then try each level."""

        def __init__(self, inner):
            self.inner = inner

        def __getattr__(self, name):
            return getattr(self.inner, name)

        def clause_masks(self, plan):
            return None

    for q in ("kerupuk sambal", "bika ambn", "sepatu hitam kulit helikopter"):
        fast = search(SHOP, q, rotation_day=1, backend=snacks)
        slow = search(SHOP, q, rotation_day=1, backend=StepByStep(snacks))
        assert (slow.ids, slow.count, slow.min_match, slow.facets) == (
            fast.ids,
            fast.count,
            fast.min_match,
            fast.facets,
        )


def _known(words):
    def lookup(candidates):
        return {w: stem(w) for w in words if w in candidates}

    return lookup


def test_clause_labels_are_the_users_words():
    synonyms = [("ATK", "alat tulis kantor"), ("bolpoin", "pulpen")]
    lookup = _known(["bika", "ambon", "kerupuk", "sambal"])
    clauses = parse_query("Alat Tulis Kantor bika ambn", synonyms, lookup)
    assert [c.label for c in clauses] == ["alat tulis kantor", "bika", "ambn"]
    assert clauses[2] == Clause((("ambn",), ("ambon",)))
    # two words of one meaning are one clause
    assert [c.label for c in parse_query("bolpoin pulpen", synonyms, lookup)] == ["bolpoin"]


def test_four_letter_words_are_widened_in_a_longer_query_only():
    lookup = _known(["kopi", "bubuk", "ambon", "bika"])
    assert parse_query("kopu bubuk", [], lookup)[0] == Clause((("kopi",), ("kopu",)))
    assert parse_query("kopu", [], lookup) == [Clause((("kopu",),))]
    # every unknown word on its own
    assert parse_query("bikx ambn", [], lookup) == [Clause((("bika",), ("bikx",))), Clause((("ambn",), ("ambon",)))]
