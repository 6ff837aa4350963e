"""Journey 2: the Dinas desk registers a UMKM for its owner; the owner gets an e-mail, sets a
password through its link and signs in."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

from katalog.core.models import Region
from katalog.vendors.models import Vendor, VendorSource, VendorStatus
from tests import factories as f
from tests.conftest import pdf_bytes
from tests.e2e.conftest import assert_scripts_loaded, login, logout, screenshot


@pytest.fixture(autouse=True)
def _tasks_at_once(settings):
    # E-mails leave through the task worker after commit; here the worker is the request itself.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


pytestmark = pytest.mark.e2e

OWNER_EMAIL = "martua.ulos@example.id"


def village_count(district: str) -> int:
    return Region.objects.filter(parent_id=district, level="desa_kelurahan").count()


def test_pengelola_registers_a_umkm_and_the_owner_sets_a_password(page, manager, tmp_path):
    # Given the Pengelola at the desk with the owner's documents
    login(page, manager.username)
    page.get_by_role("link", name="Register a UMKM").click()
    page.wait_for_url("**/penyedia/kelola/daftarkan/")
    expect(page.locator("#id_verify_now")).to_be_checked()
    assert_scripts_loaded(page)

    page.fill("#id_name", "Ulos Martua")
    page.fill("#id_owner_name", "Martua Simanjuntak")
    page.fill("#id_email", OWNER_EMAIL.upper())  # typed in capitals; stored in lower case
    page.fill("#id_phone", "+62 812-3456-7890")
    page.fill("#id_nib", "9120000000777")
    page.fill("#id_npwp", "02.183.241.5-000.000")  # the printed form of a valid NPWP
    page.fill("#id_kbli", "13912")
    page.fill("#id_sector", "Kain ulos")
    page.check("#id_is_vat_registered")
    page.fill("#id_address", "Jl. Pandu No. 5")
    page.select_option("#id_district", "12.71.01")
    expect(page.locator("#id_village option")).to_have_count(village_count("12.71.01") + 1)
    page.select_option("#id_village", "12.71.01.1001")
    page.fill("#id_capital", "1.200.000.000")  # above Rp1 billion: small
    page.fill("#id_annual_sales", "900.000.000")
    pdf = tmp_path / "nib.pdf"
    pdf.write_bytes(pdf_bytes())
    page.set_input_files("#id_nib_document", str(pdf))
    screenshot(page, "20-assisted-form")
    page.get_by_role("button", name="Register", exact=True).click()

    # Then the vendor's page shows it verified, and says an invitation went out
    page.wait_for_url(re.compile(r"/penyedia/kelola/\d+/$"))
    expect(page.locator("h1")).to_have_text("Ulos Martua")
    expect(page.locator(".badge.verified")).to_have_text("Verified")
    expect(page.locator(".badge.kecil")).to_have_text("Small")
    expect(page.get_by_text(f"Ulos Martua is registered; an invitation was sent to {OWNER_EMAIL}.")).to_be_visible()
    expect(page.locator("dl.facts").first).to_contain_text("Assisted at the Dinas desk")
    screenshot(page, "21-assisted-vendor-detail")

    vendor = Vendor.objects.get(nib="9120000000777")
    assert (vendor.status, vendor.source, vendor.size_class) == (
        VendorStatus.VERIFIED,
        VendorSource.ASSISTED,
        "kecil",
    )
    assert (vendor.npwp, vendor.phone, vendor.email) == (f.VALID_NPWP, "081234567890", OWNER_EMAIL)
    assert vendor.region_id == "12.71.01.1001" and vendor.district_id == "12.71.01"
    assert vendor.is_vat_registered is True
    assert vendor.verified_by == manager
    assert vendor.documents.filter(kind="nib", extension="pdf").exists()

    # And one invitation e-mail to the owner, with a link to set a password
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [OWNER_EMAIL]
    assert "Ulos Martua" in message.body
    links = re.findall(r"https?://\S+/akun/sandi/[\w-]+/[\w-]+/", message.body)
    assert len(links) == 1, message.body

    # When the owner opens the link (on this test server) and sets a password
    logout(page)
    page.goto(urlsplit(links[0]).path)
    expect(page.locator("h1")).to_have_text("Set your password")
    page.fill("#id_new_password1", "Ulos-Batak-Asli-77")
    page.fill("#id_new_password2", "Ulos-Batak-Asli-77")
    screenshot(page, "22-set-password")
    page.get_by_role("button", name="Save password").click()
    expect(page.locator("h1")).to_have_text("Password saved")

    # Then the owner signs in with the e-mail and the new password and sees the business verified
    page.get_by_role("link", name="Sign in").last.click()
    login(page, OWNER_EMAIL, "Ulos-Batak-Asli-77")
    # A verified owner lands on the list of what waits for it, and opens its business page from there.
    page.goto("/penyedia/usaha-saya/")
    expect(page.locator("h1")).to_have_text("Ulos Martua")
    expect(page.get_by_text("Your business is verified. You can list products.")).to_be_visible()
    # The header names the person, not the e-mail they sign in with.
    expect(page.locator("header")).to_contain_text(f"Sign out ({Vendor.objects.get(nib='9120000000777').owner_name})")

    # And the link cannot be used a second time
    page.goto(urlsplit(links[0]).path)
    expect(page.get_by_text("This link has expired or was already used. Ask for a new one.")).to_be_visible()


def test_invitation_link_opens_the_site_the_pengelola_used(page, manager, medan, live_server, tmp_path):
    assert medan.domain == ""  # a single-tenant site, reached through KATALOG_DEFAULT_TENANT
    login(page, manager.username)
    page.goto("/penyedia/kelola/daftarkan/")
    page.fill("#id_name", "Kopi Sidikalang Pak Ucok")
    page.fill("#id_owner_name", "Ucok Sinaga")
    page.fill("#id_email", "ucok@example.id")
    page.fill("#id_phone", "081234567890")
    page.fill("#id_nib", "9120000000888")
    page.fill("#id_npwp", f.VALID_NPWP)
    page.fill("#id_kbli", "10761")
    page.fill("#id_address", "Jl. Gatot Subroto No. 1")
    page.select_option("#id_district", "12.71.02")
    expect(page.locator("#id_village option")).to_have_count(village_count("12.71.02") + 1)
    page.select_option("#id_village", "12.71.02.1001")
    page.fill("#id_capital", "50.000.000")
    pdf = tmp_path / "nib.pdf"
    pdf.write_bytes(pdf_bytes())
    page.set_input_files("#id_nib_document", str(pdf))
    page.get_by_role("button", name="Register", exact=True).click()
    page.wait_for_url(re.compile(r"/penyedia/kelola/\d+/$"))

    assert len(mail.outbox) == 1
    links = re.findall(r"https?://\S+/akun/sandi/[\w-]+/[\w-]+/", mail.outbox[0].body)
    assert len(links) == 1
    assert links[0].startswith(live_server.url + "/akun/sandi/"), links[0]
