"""The main pages as a person sees them: styled, scripted, and usable on a 360 px phone.
Screenshots of each go to tests/e2e/screenshots/ (phone and desktop width)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from katalog.core.models import Region
from katalog.vendors import services
from katalog.vendors.models import VendorStatus
from tests import factories as f
from tests.conftest import pdf_bytes
from tests.e2e.conftest import PHONE, horizontal_overflow, login, screenshot

pytestmark = pytest.mark.e2e

BRAND_BLUE = "rgb(11, 92, 173)"  # --brand in katalog.css


@pytest.fixture
def owner_and_vendors(medan):
    """An owner with a draft, a submitted vendor in the queue, and some verified ones."""
    owner = f.make_user(medan, "penyedia", username="rosma@example.id")
    f.make_vendor(medan, status=VendorStatus.DRAFT, users=[owner], name="Tenun Songket Ibu Rosma")
    applicant = f.make_user(medan, "penyedia")
    # A long e-mail address, as a CV's often is: it must not widen the page on a phone.
    email = "administrasi.cv.sinar.abadi.perkasa@example.id"
    vendor = f.make_vendor(medan, status=VendorStatus.DRAFT, users=[applicant], name="CV Sinar Abadi", email=email)
    actor = f.actor(applicant)
    upload = SimpleUploadedFile("nib.pdf", pdf_bytes(), content_type="application/pdf")
    services.vendor_upload_document(actor=actor, vendor=vendor, kind="nib", upload=upload)
    services.vendor_submit(actor=actor, vendor=vendor)
    for size in ("mikro", "mikro", "kecil"):
        f.make_vendor(medan, size_class=size)
    return vendor


def test_pages_load_their_stylesheet_and_scripts(new_page, manager, medan):
    page = new_page()
    missing = []
    page.on("response", lambda r: missing.append(r.url) if "/static/" in r.url and r.status >= 400 else None)

    page.goto("/")
    login(page, manager.username)
    page.goto("/dasbor/umkm/")
    page.wait_for_load_state("networkidle")

    assert missing == []
    # The stylesheet is applied (the header is the brand's blue) and the scripts have run.
    assert page.locator("header.top").evaluate("el => getComputedStyle(el).backgroundColor") == BRAND_BLUE
    assert page.evaluate("typeof window.htmx") == "object"
    # The chart names every district next to its bar (none skipped for lack of room).
    districts = Region.objects.filter(parent_id="12.71", level="kecamatan").count()
    labels = page.evaluate("Chart.getChart('by-district').scales.y.ticks.length")
    assert labels == districts


PUBLIC = {"home": "/", "daftar": "/penyedia/daftar/", "masuk": "/akun/masuk/"}
OWNER = {
    "usaha-saya": "/penyedia/usaha-saya/",
    "legal": "/penyedia/usaha-saya/legal/",
    "alamat": "/penyedia/usaha-saya/alamat/",
    "dokumen": "/penyedia/usaha-saya/dokumen/",
}
MANAGER = {
    "verifikasi": "/penyedia/kelola/verifikasi/",
    "detail": "/penyedia/kelola/{pk}/",
    "penyedia": "/penyedia/kelola/",
    "daftarkan": "/penyedia/kelola/daftarkan/",
    "impor": "/penyedia/kelola/impor/",
    "dasbor": "/dasbor/umkm/",
}


def test_main_pages_fit_a_phone_screen(new_page, manager, owner_and_vendors):
    """In the default language (Indonesian), on a 360 px phone: every main page opens and needs
    no sideways scrolling (wide tables scroll inside their own box)."""
    queued = owner_and_vendors
    too_wide = {}

    def visit(page, pages, prefix):
        for name, path in pages.items():
            response = page.goto(path.format(pk=queued.pk))
            assert response.status == 200, (path, response.status)
            expect(page.locator("html")).to_have_attribute("lang", "id")
            overflow = horizontal_overflow(page)
            if overflow:
                too_wide[path] = overflow
            screenshot(page, f"60-{prefix}-{name}")

    anonymous = new_page(viewport=PHONE, phone=True, lang=None)
    visit(anonymous, PUBLIC, "publik")

    owner = new_page(viewport=PHONE, phone=True, lang=None)
    login(owner, "rosma@example.id")
    visit(owner, OWNER, "pemilik")

    dinas = new_page(viewport=PHONE, phone=True, lang=None)
    login(dinas, manager.username)
    visit(dinas, MANAGER, "dinas")

    assert too_wide == {}
