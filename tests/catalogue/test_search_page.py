"""The search page as a buyer, the Pengelola and the auditor see it (issue 11): relaxed results say
which words were left out, facets stay visible when one is chosen, a search that finds nothing
offers the tenant's own words and categories and is counted, the Pengelola adds a synonym for it in
one click, and the auditor reads why a product ranks where it does."""

import re

import pytest
from django.test import Client

from katalog.search.models import Synonym, ZeroResultQuery
from katalog.search.suggest import iso_week
from tests import factories as f


@pytest.fixture
def market(medan, django_capture_on_commit_callbacks):
    """Shirts and snacks from three vendors of three size classes, indexed."""
    clothes = f.make_category(medan, "Pakaian", code="PKN")
    snacks = f.make_category(medan, "Kerupuk dan Keripik", code="KRP")
    cakes = f.make_category(medan, "Kue", code="KUE")
    rina = f.make_vendor(medan, name="Konveksi Rina", size_class="mikro", district_id="12.71.01")
    deli = f.make_vendor(medan, name="CV Deli Makmur", size_class="kecil", district_id="12.71.02")
    besar = f.make_vendor(medan, name="PT Sumatera Besar", size_class="besar", district_id="12.71.02")
    with django_capture_on_commit_callbacks(execute=True):
        products = {
            "batik_pria": f.make_product(rina, clothes, name="Kemeja Batik Pria Lengan Panjang", price="185000"),
            "batik_wanita": f.make_product(deli, clothes, name="Kemeja Batik Wanita", price="175000"),
            "batik_besar": f.make_product(besar, clothes, name="Kemeja Batik Kantor", price="320000"),
            "kemeja_putih": f.make_product(besar, clothes, name="Kemeja Putih Polos", price="150000"),
            "kerupuk_sambal": f.make_product(rina, snacks, name="Kerupuk Sambal Balado", price="15000"),
            "kerupuk_udang": f.make_product(besar, snacks, name="Kerupuk Udang Sidoarjo", price="25000"),
            "bika": f.make_product(deli, cakes, name="Bika Ambon Zulaikha", price="90000"),
        }
    return {"products": products, "clothes": clothes, "snacks": snacks, "cakes": cakes}


@pytest.fixture
def counted(django_capture_on_commit_callbacks):
    """Open a search page as the server does, outside any transaction: the test's own transaction
    defers the counter to its commit (count_zero_result never writes inside someone's transaction)."""

    def open_page(client, url):
        with django_capture_on_commit_callbacks(execute=True):
            return page(client, url)

    return open_page


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response, response.content.decode()


def facet(html: str, key: str) -> str:
    match = re.search(rf'<section class="facet" data-facet="{key}".*?</section>', html, re.S)
    assert match, f"no {key} facet on the page"
    return match.group(0)


# --- Relaxed results ------------------------------------------------------------------------------


def test_a_query_with_an_unknown_word_finds_the_rest_and_says_which_word_was_left_out(client, market):
    response, html = page(client, "/cari/?q=kemeja+batik+qwertyzx")
    names = {p.listed_version.name for p in response.context["found"].products}
    assert "Kemeja Batik Pria Lengan Panjang" in names
    left_out = re.search(r'data-testid="left-out">(.*?)</p>', html, re.S).group(1)
    assert re.search(r"(tanpa|without): <s>qwertyzx</s>", left_out)  # "tanpa" once the .po is merged
    assert "kemeja" not in left_out


def test_a_query_that_every_word_matches_says_nothing_left_out(client, market):
    _response, html = page(client, "/cari/?q=kemeja+batik")
    assert 'data-testid="left-out"' not in html


# --- Facets -----------------------------------------------------------------------------------------


def test_choosing_a_size_class_keeps_the_other_classes_counts_and_links(client, market):
    _response, html = page(client, "/cari/?q=kemeja+batik")
    sizes = facet(html, "size_class")
    assert 'Mikro <span class="count">(1)' in sizes and 'Kecil <span class="count">(1)' in sizes
    # Fewer than 5 products match both words, so the plain shirt (one word) is shown too (relaxed).
    assert 'Besar <span class="count">(2)' in sizes

    response, html = page(client, "/cari/?q=kemeja+batik&size_class=mikro")
    assert [p.listed_version.name for p in response.context["found"].products] == ["Kemeja Batik Pria Lengan Panjang"]
    sizes = facet(html, "size_class")
    # The chosen class is marked; the others keep their counts and each link replaces the filter.
    assert re.search(r'<strong aria-current="true" class="facet-chosen">Mikro <span class="count">\(1\)', sizes)
    assert re.search(r'href="\?q=kemeja\+batik&amp;size_class=kecil">Kecil <span class="count">\(1\)', sizes)
    assert re.search(r'href="\?q=kemeja\+batik&amp;size_class=besar">Besar <span class="count">\(2\)', sizes)
    remove = re.search(r'href="([^"]*)" class="facet-remove" data-testid="remove-size_class"', sizes).group(1)
    assert remove == "?q=kemeja+batik"
    # The other groups obey the chosen class: only Rina's district is left.
    districts = facet(html, "district")
    assert districts.count("<li>") == 1


def test_district_category_and_price_facets_are_disjunctive_too(client, market):
    _response, html = page(client, "/cari/?q=kemeja&district=12.71.02")
    districts = facet(html, "district")
    assert "facet-chosen" in districts and "district=12.71.01" in districts  # the other district stays
    _response, html = page(client, f"/cari/?q=kerupuk&category={market['snacks'].pk}")
    assert "Kerupuk dan Keripik" in facet(html, "category")
    response, html = page(client, "/cari/?price_min=100000&price_max=499999")
    assert response.context["found"].result.count == 4  # the shirts
    prices = facet(html, "price")
    assert re.search(r'class="facet-chosen">Rp100\.000 – Rp500\.000 <span class="count">\(4\)', prices)
    assert re.search(r'href="\?price_max=99999">under Rp100\.000 <span class="count">\(3\)', prices) or re.search(
        r'href="\?price_max=99999">[^<]*Rp100\.000 <span class="count">\(3\)', prices
    )
    assert 'data-testid="remove-price"' in prices


# --- Zero results -----------------------------------------------------------------------------------


def test_a_search_that_finds_nothing_offers_the_tenants_words_categories_and_browsing(client, market):
    response, html = page(client, "/cari/?q=krupuuk")
    assert response.context["found"].result.count == 0
    assert 'data-testid="zero-results"' in html
    mean = re.search(r'data-testid="did-you-mean">(.*?)</p>', html, re.S).group(1)
    assert "<strong>kerupuk</strong>" in mean and 'href="?q=kerupuk"' in mean and "(2" in mean
    close = re.search(r'data-testid="close-categories">(.*?)</nav>', html, re.S).group(1)
    assert "Kerupuk dan Keripik" in close and "Pakaian" not in close
    assert 'data-testid="browse-all"' in html
    # The corrected query really finds the snacks.
    response, _html = page(client, "/cari/?q=kerupuk")
    assert response.context["found"].result.count == 2


def test_every_zero_result_search_is_counted_by_tenant_and_week(client, market, binjai, counted):
    for _ in range(2):
        counted(client, "/cari/?q=Krupuuk")
    counted(client, "/cari/?q=  krupuuk ")
    counted(client, "/cari/?q=kerupuk")  # found something: not counted
    counted(client, "/cari/?q=zzzzzz&size_class=besar")  # narrowed by a filter: not a vocabulary gap
    rows = list(ZeroResultQuery.objects.values_list("tenant_id", "week", "query", "count"))
    assert rows == [(market["clothes"].katalog_id, iso_week(), "krupuuk", 3)]


# --- The Pengelola's list of zero-result searches ----------------------------------------------------


def test_the_pengelola_sees_the_weeks_zero_result_searches_and_adds_a_synonym(client, market, manager, counted):
    for q in ("krupuuk", "krupuuk", "gorengan"):
        counted(client, f"/cari/?q={q}")
    staff = Client(enforce_csrf_checks=True)
    staff.force_login(manager)
    response = staff.get("/kelola/produk/pencarian-kosong/")
    html = response.content.decode()
    rows = re.findall(r'<td><a href="/cari/\?q=(\w+)">\w+</a>.*?</td>\s*<td>(\d+)</td>', html, re.S)
    assert rows == [("krupuuk", "2"), ("gorengan", "1")]
    assert 'value="gorengan"' in html  # the form is prefilled with the term
    token = response.cookies["csrftoken"].value if "csrftoken" in response.cookies else staff.cookies["csrftoken"].value
    # Without the CSRF token the POST is refused.
    refused = staff.post("/kelola/produk/sinonim/tambah/", {"term": "gorengan", "expansion": "kerupuk"})
    assert refused.status_code == 403
    done = staff.post(
        "/kelola/produk/sinonim/tambah/",
        {"term": "gorengan", "expansion": "kerupuk", "csrfmiddlewaretoken": token},
        follow=True,
    )
    assert done.status_code == 200
    assert Synonym.objects.filter(tenant_id=market["clothes"].katalog_id, term="gorengan", expansion="kerupuk").exists()
    assert "synonym exists" in done.content.decode() or "sinonim sudah ada" in done.content.decode()
    # The synonym works at once: "gorengan" finds the snacks.
    response, _html = page(client, "/cari/?q=gorengan")
    assert response.context["found"].result.count == 2


def test_only_the_pengelola_reaches_the_zero_result_list(client, market, users):
    client.force_login(users["pp"])
    assert client.get("/kelola/produk/pencarian-kosong/").status_code == 403
    assert client.post("/kelola/produk/sinonim/tambah/", {"term": "a", "expansion": "b"}).status_code == 403
    assert not Synonym.objects.filter(term="a").exists()


def test_the_synonyms_page_links_to_the_zero_result_list(client, manager):
    client.force_login(manager)
    html = client.get("/kelola/produk/sinonim/").content.decode()
    assert 'href="/kelola/produk/pencarian-kosong/"' in html


# --- The search box -------------------------------------------------------------------------------


def test_the_search_box_is_a_phone_friendly_combobox_that_works_as_a_plain_form(client, market):
    _response, html = page(client, "/cari/")
    box = re.search(r'<form method="get" action="/cari/" class="searchbar" role="search">.*?</form>', html, re.S)
    assert box, "the search box is a GET form to /cari/"
    box = box.group(0)
    field = re.search(r"<input [^>]*name=\"q\"[^>]*>", box, re.S).group(0)
    for attribute in (
        'type="search"',
        'enterkeyhint="search"',
        'role="combobox"',
        'aria-controls="search-suggestions"',
        'aria-autocomplete="list"',
        'hx-get="/cari/saran/"',
    ):
        assert attribute in field
    assert 'role="listbox"' in box and 'id="search-suggestions"' in box
    # Strict CSP: no inline script anywhere on the page.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert 'src="/static/js/search-suggest.js"' in html


# --- The auditor's explanation ---------------------------------------------------------------------


def test_the_auditor_sees_why_a_product_ranks_where_it_does(client, market, users):
    product = market["products"]["batik_pria"]
    client.force_login(users["auditor"])
    client.cookies["django_language"] = "en"  # the factor names in English, whatever the .po says
    _response, html = page(client, "/cari/?q=kemeja+batik")
    link = f'href="/cari/mengapa/{product.pk}/?q=kemeja%20batik"'
    assert link in html
    response, html = page(client, f"/cari/mengapa/{product.pk}/?q=kemeja%20batik")
    assert "Kemeja Batik Pria Lengan Panjang" in html
    factors = {str(name): value for name, value, _meaning in response.context["factors"]}
    assert factors["1. Words matched"] == "2 of 2"
    assert factors["2. Words matched in the name"] == "2"
    # Rina is a micro vendor (UMK: 4) without a TKDN claim (tier 0).
    assert factors["3. Preference for local small business"] == "4 / 7"
    assert factors["5. Product number"] == str(product.pk)
    clauses = re.search(r'data-testid="why-clauses">(.*?)</table>', html, re.S).group(1)
    assert re.search(r"<td>kemeja</td><td>[^<]*</td><td>name</td>", clauses)
    assert re.search(r"<td>batik</td><td>[^<]*</td><td>name</td>", clauses)


def test_a_buyer_gets_no_explanation(client, market, users):
    product = market["products"]["batik_pria"]
    client.force_login(users["pp"])
    _response, html = page(client, "/cari/?q=kemeja+batik")
    assert "/cari/mengapa/" not in html
    assert client.get(f"/cari/mengapa/{product.pk}/?q=kemeja").status_code == 403
    client.logout()
    assert client.get(f"/cari/mengapa/{product.pk}/?q=kemeja").status_code == 302  # to sign in
