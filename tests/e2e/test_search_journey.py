"""Issue 11 on a phone: a buyer types a misspelt two-word query, picks a suggestion, narrows by size
class and still sees the other classes' counts; a search that finds nothing offers words and
categories of this catalogue."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.e2e.conftest import PHONE, assert_scripts_loaded, horizontal_overflow, screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture
def shirts(db):
    medan = f.make_katalog("12.71", "Katalog Lokal Kota Medan")
    clothes = f.make_category(medan, "Pakaian", code="PKN")
    snacks = f.make_category(medan, "Kerupuk dan Keripik", code="KRP")
    rina = f.make_vendor(medan, name="Konveksi Rina", size_class="mikro", district_id="12.71.01")
    deli = f.make_vendor(medan, name="CV Deli Batik", size_class="kecil", district_id="12.71.02")
    besar = f.make_vendor(medan, name="PT Sumatera Garmen", size_class="besar", district_id="12.71.02")
    for vendor, price in ((rina, "185000"), (deli, "175000"), (besar, "320000")):
        f.make_product(vendor, clothes, name="Kemeja Batik Pria", price=price)
    f.make_product(rina, clothes, name="Kemeja Batik Wanita", price="165000")
    f.make_product(deli, clothes, name="Kemeja Batik Wanita", price="170000")
    f.make_product(rina, snacks, name="Kerupuk Sambal Balado", price="15000")
    return {"rina": rina, "deli": deli, "besar": besar}


def size_facet(page):
    return page.locator("section[data-facet=size_class]")


def test_a_buyer_on_a_phone_finds_shirts_through_a_suggestion_and_narrows_by_size(new_page, shirts):
    page = new_page(viewport=PHONE, phone=True)
    page.goto("/cari/")
    assert_scripts_loaded(page)
    box = page.locator("#search-q")
    expect(box).to_have_attribute("type", "search")
    expect(box).to_have_attribute("enterkeyhint", "search")

    # Two misspelt words, typed key by key as on a phone keyboard.
    box.press_sequentially("kemja batk", delay=40)
    listbox = page.get_by_role("listbox")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(listbox.get_by_role("option")).to_have_text(["Kemeja Batik Pria", "Kemeja Batik Wanita"])
    screenshot(page, "110-search-suggestions", both=False)
    listbox.get_by_role("option", name="Kemeja Batik Pria").click()
    page.wait_for_url(re.compile(r"/cari/\?q=Kemeja\+Batik\+Pria"))
    cards = page.locator("#results article.product-card h3")
    expect(cards.first).to_have_text("Kemeja Batik Pria")
    assert horizontal_overflow(page) == 0

    # The filter panel starts folded on a phone; the buyer opens it and picks "Micro".
    page.locator("#filter-box > summary").click()
    sizes = size_facet(page)
    expect(sizes.get_by_role("link", name=re.compile(r"^Micro \(\d+\)$"))).to_be_visible()
    sizes.get_by_role("link", name=re.compile(r"^Micro")).click()
    page.wait_for_url(re.compile(r"size_class=mikro"))
    sizes = size_facet(page)
    expect(sizes.locator(".facet-chosen")).to_have_text(re.compile(r"^Micro \(\d+\)$"))
    # Only Rina's shirts are listed, yet the other classes keep their counts, as links.
    expect(page.locator("#results article.product-card")).not_to_have_count(0)
    for card in page.locator("#results article.product-card").all():
        expect(card).to_contain_text("Konveksi Rina")
    small = sizes.get_by_role("link", name=re.compile(r"^Small \((\d+)\)$"))
    large = sizes.get_by_role("link", name=re.compile(r"^Large \((\d+)\)$"))
    expect(small).to_be_visible()
    expect(large).to_be_visible()
    assert int(re.search(r"\((\d+)\)", small.inner_text()).group(1)) >= 1
    screenshot(page, "111-search-narrowed", both=False)
    assert horizontal_overflow(page) == 0

    # "Small" instead: the link replaces the filter.
    small.click()
    page.wait_for_url(re.compile(r"size_class=kecil"))
    assert "size_class=mikro" not in page.url
    for card in page.locator("#results article.product-card").all():
        expect(card).to_contain_text("CV Deli Batik")
    # And "remove this filter" brings every class back.
    page.get_by_test_id("remove-size_class").click()
    page.wait_for_url(lambda url: "size_class" not in url)
    expect(size_facet(page).locator(".facet-chosen")).to_have_count(0)


def test_a_search_that_finds_nothing_offers_words_and_categories_on_a_phone(new_page, shirts):
    page = new_page(viewport=PHONE, phone=True)
    page.goto("/cari/?q=krupuuk")
    zero = page.get_by_test_id("zero-results")
    expect(zero).to_be_visible()
    expect(page.get_by_test_id("did-you-mean")).to_contain_text("kerupuk")
    expect(page.get_by_test_id("close-categories")).to_contain_text("Kerupuk dan Keripik")
    screenshot(page, "112-search-zero-results", both=False)
    assert horizontal_overflow(page) == 0
    page.get_by_test_id("did-you-mean").get_by_role("link").click()
    page.wait_for_url(re.compile(r"q=kerupuk"))
    expect(page.locator("#results article.product-card h3")).to_have_text(["Kerupuk Sambal Balado"])
