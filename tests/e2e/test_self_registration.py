"""Journey 1: a UMKM owner registers on a phone, fixes a mistake, uploads the NIB certificate as
a PDF and sends the registration for verification."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from playwright.sync_api import expect

from katalog.core.models import Region
from katalog.vendors.models import Vendor, VendorStatus
from tests import factories as f
from tests.conftest import pdf_bytes
from tests.e2e.conftest import PHONE, assert_scripts_loaded, horizontal_overflow, screenshot

pytestmark = pytest.mark.e2e

NIB = "8120000123456"
BAD_NPWP = "021832416000000"  # 15 digits, but the 9th is not the Luhn digit of the first eight


def test_owner_registers_on_a_phone_and_sends_for_verification(new_page, medan, tmp_path, settings, live_server):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    page = new_page(viewport=PHONE, phone=True, lang=None)

    # Given the public home page on a phone, in Indonesian by default
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    assert_scripts_loaded(page)
    screenshot(page, "01-home-id")
    # The owner prefers English and uses the header's language button.
    page.locator("header button[name=language][value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert horizontal_overflow(page) == 0

    # Step 1: the account.
    page.get_by_role("link", name="Register my business").click()
    page.wait_for_url("**/penyedia/daftar/")
    screenshot(page, "02-register")
    page.fill("#id_name", "UD Bika Ambon Zulaikha")
    page.fill("#id_owner_name", "Zulaikha Nasution")
    page.fill("#id_email", "zulaikha@example.id")
    page.fill("#id_phone", "0812 3456 7890")
    page.fill("#id_password1", "Bika-Ambon-Enak-2026")
    page.fill("#id_password2", "Bika-Ambon-Enak-2026")
    page.get_by_role("button", name="Create account and continue").click()
    # The account is made from the link sent to the address (issue 10: no account enumeration).
    page.wait_for_url("**/akun/daftar/terkirim/")
    link = re.search(r"https?://\S+(/akun/daftar/konfirmasi/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(live_server.url + link)
    page.get_by_role("button", name="Create account and continue").click()
    page.wait_for_url("**/penyedia/usaha-saya/legal/")
    # The owner can read which step they are on.
    current = page.locator("ol.steps [aria-current=step]")
    expect(current).to_have_text(re.compile(r"^2\. "))
    text_colour, background = current.evaluate(
        "el => [getComputedStyle(el.querySelector('a') || el).color, getComputedStyle(el).backgroundColor]"
    )
    assert text_colour != background

    # Step 2: legal identity, with a mistyped NPWP.
    page.fill("#id_nib", NIB)
    page.fill("#id_npwp", BAD_NPWP)
    page.fill("#id_kbli", "10792, 47211")
    page.fill("#id_sector", "Kue dan oleh-oleh")
    page.get_by_role("button", name="Save and continue").click()

    # The error is shown next to the NPWP, and everything else typed is still there.
    expect(page.locator("#id_npwp-errors")).to_have_text("This NPWP is not valid: please check the digits.")
    expect(page.get_by_text("Please fix the fields marked in red. What you typed is kept.")).to_be_visible()
    expect(page.locator("#id_nib")).to_have_value(NIB)
    expect(page.locator("#id_npwp")).to_have_value(BAD_NPWP)
    expect(page.locator("#id_kbli")).to_have_value("10792, 47211")
    expect(page.locator("#id_sector")).to_have_value("Kue dan oleh-oleh")
    assert page.url.endswith("/penyedia/usaha-saya/legal/")
    screenshot(page, "03-legal-error")
    # Nothing invalid was saved.
    assert Vendor.objects.get(email="zulaikha@example.id").npwp == ""

    page.fill("#id_npwp", f.VALID_NPWP)
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/penyedia/usaha-saya/alamat/")

    # Step 3: the address; the kelurahan list follows the chosen kecamatan (htmx).
    villages = Region.objects.filter(parent_id="12.71.01", level="desa_kelurahan").order_by("code")
    village = villages.last()
    page.fill("#id_address", "Jl. Sutomo No. 12")
    page.select_option("#id_district", "12.71.01")
    # Only Medan Kota's kelurahan are offered (plus "— choose —").
    expect(page.locator("#id_village option")).to_have_count(villages.count() + 1)
    page.select_option("#id_village", village.code)
    screenshot(page, "04-address")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/penyedia/usaha-saya/usaha/")

    # Step 4: capital and sales, typed the Indonesian way.
    page.fill("#id_capital", "750.000.000")
    page.fill("#id_annual_sales", "Rp 2.500.000.000")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/penyedia/usaha-saya/dokumen/")

    # Step 5: the NIB certificate, a real PDF.
    pdf = tmp_path / "nib-zulaikha.pdf"
    pdf.write_bytes(pdf_bytes())
    page.set_input_files("#id_nib_document", str(pdf))
    screenshot(page, "05-documents")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/penyedia/usaha-saya/")

    # The status page: nothing missing, so the owner can send.
    expect(page.get_by_text("Still missing:")).to_have_count(0)
    expect(page.get_by_text("Size class: Small")).to_be_visible()
    screenshot(page, "06-mine-draft")
    page.get_by_role("button", name="Send for verification").click()
    page.wait_for_load_state()

    expect(page.get_by_text("Your registration is waiting for verification by the Dinas.")).to_be_visible()
    expect(page.locator(".badge.submitted")).to_have_text("Waiting for verification")
    expect(page.get_by_role("button", name="Send for verification")).to_have_count(0)
    assert horizontal_overflow(page) == 0
    screenshot(page, "07-mine-submitted")

    # In the database: one submitted vendor with what was typed, classified small by its sales.
    vendor = Vendor.objects.get(nib=NIB)
    assert vendor.status == VendorStatus.SUBMITTED
    assert vendor.size_class == "kecil"
    assert vendor.npwp == f.VALID_NPWP
    assert vendor.kbli == ["10792", "47211"]
    assert vendor.phone == "081234567890"
    assert vendor.region_id == village.code
    assert vendor.district_id == "12.71.01"
    assert vendor.capital == Decimal("750000000")
    assert vendor.annual_sales == Decimal("2500000000")
    assert vendor.submitted_at is not None
    assert [u.username for u in vendor.users.all()] == ["zulaikha@example.id"]
    document = vendor.documents.get(kind="nib")
    assert (document.extension, document.content_type) == ("pdf", "application/pdf")
    assert document.size == pdf.stat().st_size
