"""Browser journey on a 360 × 740 phone, in Indonesian: a verified UMKM owner adds its first product
with a photo from its page, leaves the unit empty, sees the photo kept, corrects and sends it for
curation. Screens and typed characters are counted."""

import re

import pytest
from playwright.sync_api import expect

from katalog.catalogue.models import Category, Product, ProductStatus
from tests import factories as f
from tests.e2e.conftest import PHONE, assert_scripts_loaded, horizontal_overflow, screenshot
from tests.e2e.test_catalogue import phone_photo

pytestmark = pytest.mark.e2e


def test_a_verified_owner_adds_a_first_product_with_a_photo_on_a_phone(new_page, medan, tmp_path):
    food = Category.objects.create(katalog=medan, name="Makanan dan Minuman", code="MKN", level=1)
    owner = f.make_user(medan, "penyedia", username="zulaikha@example.id")
    vendor = f.make_vendor(medan, users=[owner], name="UD Bika Ambon Zulaikha")
    photo = phone_photo(tmp_path)

    phone = new_page(viewport=PHONE, phone=True, lang=None)  # Indonesian, as the owner sees it
    screens: list[str] = []
    phone.on("framenavigated", lambda frame: screens.append(frame.url) if frame == phone.main_frame else None)
    typed = 0

    def type_into(selector: str, text: str) -> None:
        nonlocal typed
        phone.fill(selector, text)
        typed += len(text)

    # Screen 1: sign in.
    phone.goto("/akun/masuk/")
    type_into("#id_username", owner.username)
    type_into("#id_password", f.PASSWORD)
    phone.locator("main form button[type=submit]").click()
    phone.wait_for_url(lambda url: "/akun/masuk/" not in url)

    # Screen 2: the owner's page leads straight to the first product.
    phone.goto("/penyedia/usaha-saya/")
    assert_scripts_loaded(phone)
    button = phone.get_by_test_id("add-product").locator("a.primary")
    expect(button).to_be_visible()
    assert button.get_attribute("href") == "/penyedia/produk/baru/"
    screenshot(phone, "90-first-product-vendor-page", both=False)
    button.click()
    phone.wait_for_url("**/penyedia/produk/baru/")

    # Screen 3: the short form. Photo first; "Lainnya" folded.
    assert horizontal_overflow(phone) == 0
    expect(phone.locator("#id_photo")).to_have_attribute("accept", "image/*")
    expect(phone.locator("#id_photo")).to_have_attribute("capture", "environment")
    expect(phone.locator("#id_description")).to_be_hidden()
    expect(phone.locator("details.more")).not_to_have_attribute("open", "")
    # The photo, name and price fit on the first screen of a 740 px phone (no scrolling to reach them).
    for selector in ("#id_photo", "#id_name", "#id_price"):
        box = phone.locator(selector).bounding_box()
        assert box and box["y"] + box["height"] <= PHONE["height"], selector
    screenshot(phone, "91-first-product-form", both=False)
    phone.set_input_files("#id_photo", str(photo))
    type_into("#id_name", "Bika Ambon")
    type_into("#id_price", "150 rb")
    type_into("#id_stock", "20")
    phone.select_option("#id_category", str(food.pk))
    # The unit is forgotten.
    phone.locator("button[name=send]").click()
    phone.wait_for_load_state()

    # Screen 4: the error, and the photo kept ("foto tersimpan"): not to be picked again.
    expect(phone.locator("#id_unit-errors")).to_be_visible()
    kept = phone.get_by_test_id("kept-photo")
    expect(kept).to_be_visible()
    assert kept.locator("img").evaluate("el => el.complete && el.naturalWidth > 0")
    expect(phone.locator("#id_name")).to_have_value("Bika Ambon")
    expect(phone.locator("#id_price")).to_have_value("150 rb")
    expect(phone.locator("details.more")).not_to_have_attribute("open", "")
    assert horizontal_overflow(phone) == 0
    assert not Product.objects.exists()
    screenshot(phone, "92-first-product-error-photo-kept", both=False)
    type_into("#id_unit", "kotak")
    phone.locator("button[name=send]").click()
    phone.wait_for_url(re.compile(r"/penyedia/produk/\d+/$"))

    # Screen 5: sent for curation, with its photo.
    product = Product.objects.get(vendor=vendor)
    expect(phone.locator(".badge.submitted").first).to_be_visible()
    expect(phone.locator(".photo-row img")).to_have_count(1)
    screenshot(phone, "93-first-product-sent", both=False)
    v = product.latest_version
    assert product.status == ProductStatus.SUBMITTED
    assert (v.name, v.price, v.unit, product.stock, v.delivery_area) == ("Bika Ambon", 150_000, "kotak", 20, [])
    assert (v.min_order, v.lead_time_days, v.is_domestic) == (1, 3, True)
    assert product.photos.count() == 1
    with product.photos.get().image.open("rb") as fh:
        assert b"Xiaomi" not in fh.read()

    pages = [u for u in screens if u != "about:blank"]
    assert len(pages) <= 6, pages
    # Sign-in (username and password) aside, the product itself took a few dozen characters.
    assert typed - len(owner.username) - len(f.PASSWORD) <= 40, typed


NAME_REASON = "Nama usaha berbeda dengan NIB. Tulis sesuai NIB: UD Bika Ambon Zulaikha."


def test_the_owner_corrects_the_business_name_asked_in_a_revision_then_adds_a_first_product(new_page, medan):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from katalog.vendors import services
    from katalog.vendors.models import VendorStatus
    from tests.conftest import pdf_bytes
    from tests.e2e.conftest import login

    manager = f.make_user(medan, "catalogue_manager", username="pengelola@medan.go.id")
    owner = f.make_user(medan, "penyedia", username="zulaikha@example.id")
    vendor = f.make_vendor(medan, status=VendorStatus.DRAFT, users=[owner], name="UD Bika Ambn", nib="8120000555002")
    actor = f.actor(owner)
    upload = SimpleUploadedFile("nib.pdf", pdf_bytes(), content_type="application/pdf")
    services.vendor_upload_document(actor=actor, vendor=vendor, kind="nib", upload=upload)
    services.vendor_submit(actor=actor, vendor=vendor)

    # The Pengelola asks for a revision of the name.
    dinas = new_page()
    login(dinas, manager.username)
    dinas.goto(f"/penyedia/kelola/{vendor.pk}/")
    dinas.fill("#id_reason", NAME_REASON)
    dinas.get_by_role("button", name="Ask for revision").click()
    dinas.wait_for_url("**/penyedia/kelola/verifikasi/")
    vendor.refresh_from_db()
    assert vendor.status == VendorStatus.REVISION_REQUESTED

    # The owner, on a phone, reads the reason and corrects the name on the first step.
    phone = new_page(viewport=PHONE, phone=True)
    login(phone, owner.username)
    phone.goto("/penyedia/usaha-saya/")
    expect(phone.locator(".alert.bad")).to_contain_text(NAME_REASON)
    phone.locator("main a[href='/penyedia/usaha-saya/legal/']").first.click()
    phone.wait_for_url("**/penyedia/usaha-saya/legal/")
    expect(phone.locator("#id_name")).to_have_value("UD Bika Ambn")
    expect(phone.locator("#id_name")).to_be_editable()
    phone.fill("#id_name", "UD Bika Ambon Zulaikha")
    screenshot(phone, "94-revision-business-name", both=False)
    phone.get_by_role("button", name="Save and finish later").click()
    phone.wait_for_url("**/penyedia/usaha-saya/")
    expect(phone.locator("h1")).to_have_text("UD Bika Ambon Zulaikha")
    phone.get_by_role("button", name="Send for verification").click()
    phone.wait_for_load_state()
    vendor.refresh_from_db()
    assert (vendor.name, vendor.status) == ("UD Bika Ambon Zulaikha", VendorStatus.SUBMITTED)

    # Approved: the owner's page leads to the first product; the name is no longer the owner's to change.
    services.vendor_approve(actor=f.actor(manager), vendor=vendor)
    phone.reload()
    phone.get_by_role("link", name="Add your first product").click()
    phone.wait_for_url("**/penyedia/produk/baru/")
    phone.goto("/penyedia/usaha-saya/legal/")
    expect(phone.get_by_test_id("locked")).to_contain_text("verified")
    expect(phone.get_by_role("button", name="Save and finish later")).to_have_count(0)
