"""Property-based fuzzing of the query strings of the HTML search and list pages: whatever a visitor,
a crawler or an attacker puts after the `?`, the page answers without a server error (a bad filter is
ignored or refused with a message, never a 500)."""

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories as f

EXAMPLES = int(os.environ.get("KATALOG_FUZZ_EXAMPLES", "12")) * 3
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None
)

# Values people and machines actually send: numbers of every size and sign, words, markup, odd unicode.
values = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.text(max_size=300),
    st.sampled_from(
        ["", " ", "0", "-1", "1e309", "NaN", "<script>alert(1)</script>", "' OR 1=1 --", "%00", "☃", "Medan Johor"]
    ),
)

PAGES = {
    "/cari/": [
        "q",
        "category",
        "price_min",
        "price_max",
        "size_class",
        "district",
        "tkdn_min",
        "pdn",
        "vendor",
        "sort",
        "page",
    ],
    "/bandingkan/": ["ids", "next"],
    "/penyedia/kelola/": ["q", "status", "page"],
    "/belanja/pesanan/": ["status", "page"],
    "/belanja/anggaran/": ["q", "page"],
    "/pesan/": ["status", "page"],
    "/dasbor/audit/": ["action", "page"],
}


@pytest.mark.parametrize("path", list(PAGES))
def test_no_query_string_makes_a_page_fail(client_as, users, medan, path):
    vendor = f.make_vendor(medan)
    f.make_product(vendor, category=f.make_category(medan))
    client = client_as(users["catalogue_manager"] if not path.startswith("/dasbor/audit") else users["auditor"])

    @given(query=st.dictionaries(st.sampled_from(PAGES[path]), values, max_size=len(PAGES[path])))
    @FUZZ
    def run(query):
        response = client.get(path, {k: v.replace("\x00", "") for k, v in query.items()})
        assert response.status_code < 500, (path, query)

    run()
