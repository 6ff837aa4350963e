"""Browser journeys of issue 8, "Getting in by phone": a registry UMKM invited by the Dinas desk claims
its record on a 360 × 740 phone and sends a first product for curation (screens and typed characters
counted); a bulk invitation of one kecamatan, two claims, and the onboarding funnel that shows them.

Messages go to the `file` backend and are sent at once (the immediate task backend): the test reads
the invitation link and the code from it, as the owner reads them on WhatsApp."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from katalog.accounts.phones import normalize_phone
from katalog.catalogue.models import Category, Product, ProductStatus
from katalog.vendors.models import Vendor, VendorSource, VendorStatus
from tests import factories as f
from tests.accounts.otp_helpers import outbox_at
from tests.e2e.conftest import PHONE, assert_scripts_loaded, horizontal_overflow, login, screenshot

pytestmark = pytest.mark.e2e

LINK = re.compile(r"https?://\S+")


@pytest.fixture
def outbox(settings, tmp_path, live_server):
    settings.KATALOG_SITE_URL = live_server.url  # the link in the message leads to this server
    return outbox_at(settings, tmp_path / "messages.jsonl")


def registry(katalog, **fields) -> Vendor:
    """A UMKM imported from the Dinas registry: verified by the import, phone on file, no account."""
    fields.setdefault("email", "")
    fields.setdefault("npwp", "")
    return f.make_vendor(katalog, source=VendorSource.IMPORT, status=VendorStatus.VERIFIED, **fields)


def small_png(tmp_path):
    img = Image.new("RGB", (320, 240), (200, 120, 40))
    for x in range(0, 320, 32):
        img.paste((250, 230, 180), (x, 0, x + 16, 240))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    path = tmp_path / "bika-ambon.png"
    path.write_bytes(buf.getvalue())
    return path


class Phone:
    """The owner's phone: counts the screens (page loads of the main frame) and the characters typed."""

    def __init__(self, page):
        self.page = page
        self.screens: list[str] = []
        self.typed = 0
        page.on("framenavigated", lambda frame: self.screens.append(frame.url) if frame == page.main_frame else None)

    def type_into(self, selector: str, text: str) -> None:
        self.page.fill(selector, text)
        self.typed += len(text)

    def pages(self) -> list[str]:
        return [u for u in self.screens if u != "about:blank"]


def claim_by_code(phone: Phone, outbox, link: str, number: str, e164: str) -> None:
    """From the invitation link to the "check your data" page: the number, then the code."""
    page = phone.page
    page.goto(link)
    assert_scripts_loaded(page)
    phone.type_into("#id_phone", number)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/akun/masuk/hp/kode/")
    phone.type_into("#id_code", outbox.last_code(e164))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/penyedia/klaim/\d+/$"))


def test_a_registry_vendor_claims_its_record_and_sends_a_first_product_in_six_screens(
    new_page, medan, outbox, tmp_path
):
    food = Category.objects.create(katalog=medan, name="Makanan dan Minuman", code="MKN", level=1)
    manager = f.make_user(medan, "catalogue_manager", username="pengelola@medan.go.id")
    vendor = registry(medan, name="UD Bika Ambon Zulaikha", owner_name="Zulaikha Nasution", phone="0812-9876-5432")
    e164 = "+6281298765432"
    photo = small_png(tmp_path)

    # The Pengelola invites the vendor from its page.
    dinas = new_page()
    login(dinas, manager.username)
    dinas.goto(f"/penyedia/kelola/{vendor.pk}/")
    dinas.get_by_role("button", name="Invite (Undang)").click()
    dinas.wait_for_load_state()
    expect(dinas.locator(".messages .msg").first).to_contain_text("0812-9876-5432")
    sent = outbox.lines()
    assert len(sent) == 1 and sent[0]["to"] == e164
    assert sent[0]["text"].count("/akun/masuk/hp/") == 1  # the link once
    link = LINK.search(sent[0]["text"]).group(0)
    assert link == live_server_link(dinas, "/akun/masuk/hp/")

    phone = Phone(new_page(viewport=PHONE, phone=True, lang=None))  # Indonesian, as the owner sees it
    page = phone.page

    # Screens 1 and 2: the link from the message, the phone on file; then the code from the next message.
    page.goto(link)
    assert horizontal_overflow(page) == 0
    screenshot(page, "98-claim-1-phone", both=False)
    phone.type_into("#id_phone", "081298765432")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/akun/masuk/hp/kode/")
    assert horizontal_overflow(page) == 0
    screenshot(page, "98-claim-2-code", both=False)
    phone.type_into("#id_code", outbox.last_code(e164))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/penyedia/klaim/{vendor.pk}/")

    # Screen 3: check your data, pre-filled from the registry; the owner adds the kelurahan the
    # registry lacks (picked by name, nothing typed) and saves.
    expect(page.locator("#id_name")).to_have_value("UD Bika Ambon Zulaikha")
    expect(page.locator("#id_owner_name")).to_have_value("Zulaikha Nasution")
    expect(page.locator("#id_village option").first).to_have_text("— pilih —")
    assert horizontal_overflow(page) == 0
    screenshot(page, "98-claim-3-check-data", both=False)
    page.select_option("#id_village", label="Pasar Baru")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/penyedia/usaha-saya/")

    # Screen 4: the vendor's page leads to the first product.
    assert horizontal_overflow(page) == 0
    screenshot(page, "98-claim-4-vendor-page", both=False)
    page.get_by_test_id("add-product").locator("a.primary").click()
    page.wait_for_url("**/penyedia/produk/baru/")

    # Screen 5: the short product form, photo first.
    assert horizontal_overflow(page) == 0
    screenshot(page, "98-claim-5-product-form", both=False)
    page.set_input_files("#id_photo", str(photo))
    phone.type_into("#id_name", "Bika Ambon")
    phone.type_into("#id_price", "150 rb")
    phone.type_into("#id_unit", "kotak")
    phone.type_into("#id_stock", "20")
    page.select_option("#id_category", str(food.pk))
    page.locator("button[name=send]").click()
    page.wait_for_url(re.compile(r"/penyedia/produk/\d+/$"))

    # Screen 6: sent for curation, with its photo.
    expect(page.locator(".badge.submitted").first).to_be_visible()
    expect(page.locator(".photo-row img")).to_have_count(1)
    assert horizontal_overflow(page) == 0
    screenshot(page, "98-claim-6-sent", both=False)

    vendor.refresh_from_db()
    assert vendor.claimed_at is not None and vendor.status == VendorStatus.VERIFIED
    owner = vendor.users.get()
    assert owner.profile.phone == e164
    product = Product.objects.get(vendor=vendor)
    assert product.status == ProductStatus.SUBMITTED
    assert (product.latest_version.name, product.latest_version.price) == ("Bika Ambon", 150_000)
    assert product.photos.count() == 1

    screens = phone.pages()
    assert len(screens) <= 6, screens
    assert phone.typed <= 150, phone.typed


def live_server_link(page, path: str) -> str:
    base = re.match(r"https?://[^/]+", page.url).group(0)
    return base + path


def test_a_bulk_invitation_of_one_kecamatan_and_two_claims_show_in_the_funnel(new_page, medan, outbox):
    manager = f.make_user(medan, "catalogue_manager", username="pengelola@medan.go.id")
    kota = {"district_id": "12.71.01", "region_id": "12.71.01.1001"}  # Pasar Baru, Medan Kota
    in_a = [
        registry(medan, name="UD Bika Ambon Zulaikha", owner_name="Zulaikha", phone="0812-9876-5401", **kota),
        registry(medan, name="Kedai Kopi Apek", owner_name="Apek", phone="0812-9876-5402", **kota),
        registry(medan, name="Toko Roti Ganda", owner_name="Ganda", phone="0812-9876-5403", **kota),
    ]
    in_b = registry(medan, name="UD Teri Medan", phone="0812-9876-5404", district_id="12.71.02", region_id="12.71.02")

    # The Pengelola invites kecamatan Medan Kota, chosen by its name: preview, then send.
    dinas = new_page()
    login(dinas, manager.username)
    dinas.goto("/penyedia/kelola/undang/")
    dinas.select_option("#id_kecamatan", label="Medan Kota")
    dinas.get_by_role("button", name="Preview the count").click()
    dinas.wait_for_load_state()
    expect(dinas.locator("#pratinjau")).to_contain_text("3 vendors would be invited")
    assert outbox.lines() == []
    dinas.get_by_role("button", name="Invite them").click()
    dinas.wait_for_url("**/penyedia/kelola/undang/")
    expect(dinas.locator(".messages .msg").first).to_contain_text("3 vendors are invited")
    screenshot(dinas, "98-claim-bulk-invited", both=False)

    sent = outbox.lines()
    assert len(sent) == 3
    assert sorted(m["to"].lstrip("+") for m in sent) == sorted(normalize_phone(v.phone).lstrip("+") for v in in_a)
    in_b.refresh_from_db()
    assert in_b.invited_at is None

    # Two owners claim by code, each on their own phone.
    for vendor, last in ((in_a[0], "01"), (in_a[1], "02")):
        e164 = f"+62812987654{last}"
        message = next(m for m in sent if m["to"].lstrip("+") == e164.lstrip("+"))
        phone = Phone(new_page(viewport=PHONE, phone=True, lang=None))
        claim_by_code(phone, outbox, LINK.search(message["text"]).group(0), vendor.phone, e164)
        phone.page.locator("main form button[type=submit]").click()  # the data check: as the registry has it
        phone.page.wait_for_url("**/penyedia/usaha-saya/")
        assert len(phone.pages()) == 4, phone.pages()
        vendor.refresh_from_db()
        assert vendor.claimed_at is not None and vendor.users.count() == 1

    # The Pengelola sees the funnel.
    dinas.goto("/dasbor/onboarding/")
    expect(dinas.get_by_test_id("count-registry")).to_have_text("4")
    expect(dinas.get_by_test_id("count-invited")).to_have_text("3")
    expect(dinas.get_by_test_id("count-claimed")).to_have_text("2")
    expect(dinas.get_by_test_id("count-verified")).to_have_text("2")
    expect(dinas.get_by_test_id("count-listed")).to_have_text("0")
    cells = dinas.get_by_test_id("table-kecamatan").locator("tbody tr", has_text="Medan Kota").locator("td")
    expect(cells.nth(1)).to_have_text("3")  # in the registry
    expect(cells.nth(2)).to_have_text("3")  # invited
    expect(cells.nth(3)).to_have_text("2")  # claimed
    screenshot(dinas, "98-claim-bulk-funnel", both=False)
