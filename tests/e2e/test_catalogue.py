"""Catalogue journeys (issue 3): a UMKM lists a product with a photo from a phone, the Pengelola
asks for a revision then approves it, a visitor finds products by stemmed words and synonyms,
filters and compares them, and a frozen product leaves search."""

import io
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from django.conf import settings
from PIL import Image
from playwright.sync_api import expect

from katalog.catalogue.models import Category, Product, ProductStatus
from katalog.search.services import set_synonyms
from tests import factories as f
from tests.e2e.conftest import PHONE, assert_scripts_loaded, horizontal_overflow, login, screenshot

pytestmark = pytest.mark.e2e

REVISION_REASON = "Foto dan deskripsi kurang jelas: sebutkan bahan kain dan harga termasuk bordir nama."
FREEZE_REASON = "Ada laporan harga tidak wajar dari Dinas Pendidikan; dibekukan sementara untuk diperiksa."


# --- Helpers --------------------------------------------------------------------------------


def serve_media(page) -> None:
    """Answer /media/ from MEDIA_ROOT, as the web server in front of Django does in production
    (Django serves media only with DEBUG on, and tests run with DEBUG off)."""

    def handle(route):
        root = Path(settings.MEDIA_ROOT).resolve()
        path = (root / unquote(urlsplit(route.request.url).path).removeprefix("/media/")).resolve()
        if root in path.parents and path.is_file():
            route.fulfill(status=200, path=str(path))
        else:
            route.fulfill(status=404, body="")

    page.context.route("**/media/**", handle)


def phone_photo(tmp_path) -> Path:
    """A real JPEG as a phone takes it: landscape pixels with an EXIF "rotate 90°" orientation,
    the phone's make and model and a GPS position (which must never reach the public)."""
    img = Image.new("RGB", (800, 600), (30, 90, 160))
    for x in range(0, 800, 40):  # some detail, so it is not a flat colour
        img.paste((240, 200, 40), (x, 0, x + 20, 600))
    exif = Image.Exif()
    exif[0x010F] = "Xiaomi"  # Make
    exif[0x0110] = "Redmi Note 12"  # Model
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x8825] = {1: "N", 2: (3.0, 35.0, 24.0), 3: "E", 4: (98.0, 40.0, 12.0)}  # GPSInfo: Medan
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif, quality=90)
    path = tmp_path / "IMG_20260114_101512.jpg"
    path.write_bytes(buf.getvalue())
    # The file really carries the metadata.
    with Image.open(path) as check:
        assert check.getexif()[0x010F] == "Xiaomi"
    return path


def results(page):
    return page.locator("#results article.product-card h3")


def search(page, q: str) -> None:
    page.goto("/cari/")
    page.locator("form.searchbar input[name=q]").fill(q)
    page.locator("form.searchbar button[type=submit]").click()
    page.wait_for_url(re.compile(r"/cari/\?q="))


def image_loaded(img) -> bool:
    return img.evaluate("el => el.complete && el.naturalWidth > 0")


# --- Data -----------------------------------------------------------------------------------


@pytest.fixture
def tree(medan):
    """Pakaian › Seragam, and Jasa › Jasa Jahit."""
    clothes = Category.objects.create(katalog=medan, name="Pakaian", code="PKN", level=1)
    uniforms = Category.objects.create(katalog=medan, name="Seragam", code="PKN-SRG", level=2, parent=clothes)
    services_ = Category.objects.create(katalog=medan, name="Jasa", code="JSA", level=1)
    tailoring = Category.objects.create(katalog=medan, name="Jasa Jahit", code="JSA-JHT", level=2, parent=services_)
    return {"uniforms": uniforms, "tailoring": tailoring}


@pytest.fixture
def curator(medan):
    return f.make_user(medan, "catalogue_manager", username="pengelola@medan.go.id")


@pytest.fixture
def rina(medan):
    """A verified micro vendor in Medan Kota and its owner's account."""
    owner = f.make_user(medan, "penyedia", username="rina@example.id")
    vendor = f.make_vendor(medan, users=[owner], name="Konveksi Rina", size_class="mikro", district_id="12.71.01")
    return owner, vendor


# --- Journeys 1 and 2 -----------------------------------------------------------------------


def test_vendor_lists_a_product_with_a_photo_on_a_phone_and_it_is_curated(new_page, tree, rina, curator, tmp_path):
    owner, vendor = rina
    photo = phone_photo(tmp_path)
    phone = new_page(viewport=PHONE, phone=True)
    serve_media(phone)

    # The owner signs in on a phone and opens "Add a product" from "My products".
    login(phone, owner.username)
    phone.goto("/penyedia/produk/")
    assert_scripts_loaded(phone)
    expect(phone.get_by_text("No product yet.")).to_be_visible()
    phone.get_by_role("link", name="Add a product").click()
    phone.wait_for_url("**/penyedia/produk/baru/")
    assert horizontal_overflow(phone) == 0

    phone.fill("#id_name", "Seragam batik guru")
    phone.select_option("#id_category", str(tree["uniforms"].pk))
    # Everything but photo, name, price, unit, stock and category is folded under "Lainnya".
    expect(phone.locator("#id_description")).to_be_hidden()
    phone.locator("details.more summary").click()
    phone.fill("#id_description", "Seragam batik untuk guru SD, bahan katun.")
    phone.fill("#id_specifications", "Ukuran: S, M, L")
    phone.fill("#id_unit", "pcs")
    phone.fill("#id_price", "235.000")
    phone.fill("#id_stock", "120")
    phone.fill("#id_min_order", "10")
    phone.fill("#id_lead_time_days", "7")
    # The delivery area is a group of districts under its own heading, the whole city ticked first.
    expect(phone.locator("fieldset.checklist legend")).to_contain_text("Delivery area")
    expect(phone.locator("fieldset.checklist input[type=checkbox]")).to_have_count(22)
    expect(phone.locator("fieldset.checklist input[value='12.71']")).to_be_checked()
    phone.set_input_files("#id_photo", str(photo))
    screenshot(phone, "70-product-form")
    phone.get_by_role("button", name="Save as draft", exact=True).click()
    phone.wait_for_url(re.compile(r"/penyedia/produk/\d+/$"))

    product = Product.objects.get(vendor=vendor)
    assert phone.url.endswith(f"/penyedia/produk/{product.pk}/")
    expect(phone.get_by_text("Saved as a draft. Send it for curation when it is ready.")).to_be_visible()
    expect(phone.locator("h1")).to_have_text("Seragam batik guru")
    expect(phone.locator(".badge.draft")).to_have_text("Draft")
    # The form shows what was saved, in the owner's own notation.
    expect(phone.locator("#id_price")).to_have_value(re.compile(r"^235\.?000"))
    expect(phone.locator("#id_specifications")).to_have_value("Ukuran: S, M, L")
    thumb = phone.locator(".photo-row img")
    expect(thumb).to_have_count(1)
    assert image_loaded(thumb)
    assert horizontal_overflow(phone) == 0

    # In the database: a draft with what was typed, and a photo re-encoded without its metadata,
    # turned the way the phone meant.
    product.refresh_from_db()
    version = product.latest_version
    assert product.status == ProductStatus.DRAFT
    assert (version.name, version.category, version.unit) == ("Seragam batik guru", tree["uniforms"], "pcs")
    assert version.price == 235_000
    assert version.specifications == {"Ukuran": "S, M, L"}
    assert (version.min_order, version.lead_time_days, product.stock) == (10, 7, 120)
    stored = product.photos.get()
    assert (stored.width, stored.height) == (600, 800)
    for field in (stored.image, stored.thumbnail):
        with Image.open(field.path) as img:
            assert img.format == "JPEG"
            assert dict(img.getexif()) == {}
            assert b"Xiaomi" not in Path(field.path).read_bytes()
    assert Path(stored.image.path).name != photo.name  # the phone's file name is not kept

    phone.get_by_role("button", name="Send for curation").click()
    phone.wait_for_load_state()
    expect(phone.locator(".badge.submitted").first).to_have_text("Waiting for curation")
    expect(phone.get_by_role("button", name="Send for curation")).to_have_count(0)
    # While it waits, the form is shown read-only and says why (a save would be refused).
    expect(phone.get_by_test_id("locked")).to_contain_text("cannot be changed")
    expect(phone.locator("#id_description")).to_be_disabled()
    expect(phone.get_by_role("button", name="Save as draft", exact=True)).to_have_count(0)
    screenshot(phone, "78-product-waiting", both=False)
    product.refresh_from_db()
    assert product.status == ProductStatus.SUBMITTED
    # Not on sale yet.
    assert phone.request.get(f"/produk/{product.pk}/").status == 404

    # The Pengelola opens the curation queue and the product, and asks for a revision.
    dinas = new_page()
    serve_media(dinas)
    login(dinas, curator.username)
    dinas.goto("/kelola/produk/kurasi/")
    row = dinas.locator("[data-testid=curation-queue] tbody tr", has_text="Seragam batik guru")
    expect(row).to_contain_text("Konveksi Rina")
    expect(row).to_contain_text("Rp235.000")
    screenshot(dinas, "71-curation-queue")
    row.get_by_role("link", name="Seragam batik guru").click()
    dinas.wait_for_url(f"**/kelola/produk/{product.pk}/")
    expect(dinas.locator("main table")).to_contain_text("Ukuran: S, M, L")
    expect(dinas.locator("main table tr", has_text="Lead time")).to_contain_text("7")
    # The thumbnail opens the full photo, for checking its quality.
    expect(dinas.locator(".photo-row a")).to_have_attribute("href", stored.image.url)
    assert image_loaded(dinas.locator(".photo-row img"))
    screenshot(dinas, "72-curation-review")
    dinas.fill("#id_reason", REVISION_REASON)
    dinas.get_by_role("button", name="Ask for revision").click()
    dinas.wait_for_load_state()
    expect(dinas.locator(".badge.revision_requested")).to_have_text("Revision requested")
    product.refresh_from_db()
    assert product.status == ProductStatus.REVISION_REQUESTED
    assert product.status_reason == REVISION_REASON

    # The owner reads the reason on the product's page, fixes description and price, sends again.
    phone.goto("/penyedia/produk/")
    expect(phone.locator("tbody tr", has_text="Seragam batik guru").locator(".badge")).to_have_text(
        "Revision requested"
    )
    phone.get_by_role("link", name="Seragam batik guru").click()
    phone.wait_for_url(f"**/penyedia/produk/{product.pk}/")
    expect(phone.get_by_role("alert")).to_contain_text(REVISION_REASON)
    screenshot(phone, "73-product-revision")
    phone.locator("details.more summary").click()
    phone.fill("#id_description", "Seragam batik untuk guru SD, bahan katun primisima, termasuk bordir nama.")
    phone.fill("#id_price", "235.000")
    phone.get_by_role("button", name="Save as draft", exact=True).click()
    phone.wait_for_load_state()
    expect(phone.get_by_text("Saved.", exact=True)).to_be_visible()
    phone.get_by_role("button", name="Send for curation").click()
    phone.wait_for_load_state()
    expect(phone.locator(".badge.submitted").first).to_have_text("Waiting for curation")
    product.refresh_from_db()
    assert product.status == ProductStatus.SUBMITTED
    assert "primisima" in product.latest_version.description

    # The Pengelola approves it; it leaves the queue.
    dinas.goto(f"/kelola/produk/{product.pk}/")
    expect(dinas.locator("main table")).to_contain_text("primisima")
    dinas.get_by_role("button", name="Approve and list").click()
    dinas.wait_for_url("**/kelola/produk/kurasi/")
    expect(dinas.locator(".messages")).to_contain_text("Seragam batik guru is now “Listed”")
    expect(dinas.locator("main table a", has_text="Seragam batik guru")).to_have_count(0)
    product.refresh_from_db()
    assert product.status == ProductStatus.LISTED
    assert product.listed_version_id == product.latest_version_id

    # Anyone sees it on its public page, priced the Indonesian way and with its photo.
    visitor = new_page(viewport=PHONE, phone=True)
    serve_media(visitor)
    visitor.goto(f"/produk/{product.pk}/")
    expect(visitor.locator("h1")).to_have_text("Seragam batik guru")
    expect(visitor.locator(".price.big")).to_contain_text("Rp235.000")
    expect(visitor.locator(".facts")).to_contain_text("Konveksi Rina")
    expect(visitor.locator(".facts")).to_contain_text("S, M, L")
    gallery = visitor.locator(".gallery img")
    expect(gallery).to_have_count(1)
    expect(gallery).to_have_attribute("alt", "Seragam batik guru")
    assert image_loaded(gallery)
    # Even with a portrait photo, the name and price are on the phone's first screen.
    price_box = visitor.locator(".price.big").bounding_box()
    assert price_box["y"] + price_box["height"] <= PHONE["height"]
    expect(visitor.get_by_text("primisima")).to_be_visible()
    assert horizontal_overflow(visitor) == 0
    screenshot(visitor, "74-product-page")


# --- Journey 3 ------------------------------------------------------------------------------


@pytest.fixture
def uniforms_on_sale(medan, tree, rina):
    """Three PDH shirts from three vendors (two districts, two size classes) and a tailor."""
    _, rina_vendor = rina
    sunggal = f.make_vendor(
        medan, name="Garmen Sunggal", size_class="mikro", district_id="12.71.02", region_id="12.71.02"
    )
    besar = f.make_vendor(medan, name="PT Tekstil Deli", size_class="menengah", district_id="12.71.01")
    uniforms = tree["uniforms"]
    set_synonyms(medan.pk, [("pdh", "pakaian dinas harian")])
    return {
        "rina": f.make_product(
            rina_vendor,
            uniforms,
            name="Kemeja pakaian dinas harian",
            price="185000",
            unit="pcs",
            description="Kemeja khaki lengan pendek untuk ASN.",
            specifications={"Ukuran": "S, M, L, XL"},
        ),
        "sunggal": f.make_product(
            sunggal,
            uniforms,
            name="Kemeja pakaian dinas harian lengan panjang",
            price="195000",
            unit="pcs",
            specifications={"Ukuran": "M, L"},
        ),
        "besar": f.make_product(
            besar, uniforms, name="Kemeja pakaian dinas harian premium", price="320000", unit="pcs"
        ),
        "tailor": f.make_product(
            rina_vendor,
            tree["tailoring"],
            name="Jasa penjahit seragam",
            price="90000",
            unit="stel",
            description="Menerima pesanan seragam sekolah dan kantor.",
        ),
    }


def test_visitor_finds_filters_and_compares_products(new_page, uniforms_on_sale):
    products = uniforms_on_sale
    page = new_page()
    serve_media(page)

    # A stemmed word: "jahit" finds the "penjahit", and so does "jahitan".
    for word in ("jahit", "jahitan"):
        search(page, word)
        expect(results(page)).to_have_text(["Jasa penjahit seragam"])
    assert_scripts_loaded(page)

    # A synonym, typed in capitals: "PDH" finds the three "pakaian dinas harian" shirts.
    search(page, "PDH")
    expect(page.get_by_test_id("result-count")).to_contain_text("3 products found")
    expect(results(page)).to_have_count(3)
    assert sorted(results(page).all_inner_texts()) == sorted([products[k].name for k in ("rina", "sunggal", "besar")])
    screenshot(page, "75-search")

    # Filters: the vendor's district, then the size class.
    # (Issue 11: the facets are links that replace their filter, no longer selects.)
    page.locator("section[data-facet=district] a[href*='district=12.71.01']").click()
    page.wait_for_url(re.compile(r"district=12\.71\.01"))
    assert sorted(results(page).all_inner_texts()) == sorted([products["rina"].name, products["besar"].name])
    page.locator("section[data-facet=size_class] a[href*='size_class=mikro']").click()
    page.wait_for_url(re.compile(r"size_class=mikro"))
    expect(results(page)).to_have_text([products["rina"].name])
    expect(page.get_by_test_id("result-count")).to_contain_text("1 product found")
    expect(page.locator("section[data-facet=district] .facet-chosen")).to_contain_text("Medan Kota")
    expect(page.locator("section[data-facet=size_class] .facet-chosen")).to_be_visible()
    card = page.locator(f"article[data-product='{products['rina'].pk}']")
    expect(card.locator(".price")).to_contain_text("Rp185.000")
    expect(card).to_contain_text("Konveksi Rina")
    screenshot(page, "76-search-filtered")

    # Compare: the first shirt from its card, the second from another search.
    card.get_by_role("link", name=products["rina"].name).click()
    page.wait_for_url(f"**/produk/{products['rina'].pk}/")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url("**/bandingkan/")
    expect(page.locator("[data-testid=compare-table] thead th a")).to_have_text([products["rina"].name])
    page.goto(f"/produk/{products['sunggal'].pk}/")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url("**/bandingkan/")
    table = page.get_by_test_id("compare-table")
    expect(table.locator("thead th a")).to_have_text([products["rina"].name, products["sunggal"].name])
    price_row = table.locator("tbody tr", has=page.locator("th", has_text=re.compile("^Price$")))
    expect(price_row.locator("td")).to_have_text(["Rp185.000 / pcs", "Rp195.000 / pcs"])
    district_row = table.locator("tbody tr", has=page.locator("th", has_text="District"))
    expect(district_row.locator("td")).to_have_text(["Medan Kota", "Medan Sunggal"])
    size_row = table.locator("tbody tr", has=page.locator("th", has_text="Ukuran"))
    expect(size_row.locator("td")).to_have_text(["S, M, L, XL", "M, L"])
    screenshot(page, "77-compare")
    page.get_by_role("link", name="← Search").click()
    page.wait_for_url("**/cari/")


# --- Journey 4 ------------------------------------------------------------------------------


def test_frozen_product_disappears_from_search(new_page, medan, tree, rina, curator):
    _, vendor = rina
    product = f.make_product(vendor, tree["tailoring"], name="Jasa penjahit seragam", price="90000", unit="stel")
    other = f.make_product(vendor, tree["tailoring"], name="Jasa jahit kebaya", price="250000", unit="stel")
    visitor = new_page()
    search(visitor, "jahit")
    expect(results(visitor)).to_have_count(2)

    dinas = new_page()
    login(dinas, curator.username)
    dinas.goto(f"/kelola/produk/{product.pk}/")
    expect(dinas.locator(".badge.listed")).to_have_text("Listed")
    dinas.fill("#id_reason", FREEZE_REASON)
    dinas.get_by_role("button", name="Freeze").click()
    dinas.wait_for_load_state()
    expect(dinas.locator(".badge.frozen")).to_have_text("Frozen")
    expect(dinas.get_by_role("button", name="Unfreeze")).to_be_visible()
    product.refresh_from_db()
    assert product.status == ProductStatus.FROZEN
    assert product.status_reason == FREEZE_REASON

    # The visitor searches again: only the other product; the frozen one's page is gone.
    search(visitor, "jahit")
    expect(results(visitor)).to_have_text([other.name])
    response = visitor.goto(f"/produk/{product.pk}/")
    assert response.status == 404
    response = visitor.goto(f"/produk/{other.pk}/")
    assert response.status == 200
