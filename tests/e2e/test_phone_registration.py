"""Journey of issue 8: a UMKM owner with no e-mail registers on a 360 × 740 phone with the phone
number only, confirms it with the code sent to it (read from the `file` message backend), is never
asked for a password, and sends the registration for verification."""

import pytest
from playwright.sync_api import expect

from katalog.accounts.models import Profile
from katalog.core.models import Region
from katalog.vendors.models import Vendor, VendorStatus
from tests import factories as f
from tests.accounts.otp_helpers import outbox_at
from tests.conftest import pdf_bytes
from tests.e2e.conftest import PHONE, assert_scripts_loaded, horizontal_overflow, screenshot

pytestmark = pytest.mark.e2e

NIB = "8120000765432"
E164 = "+6282166667777"


@pytest.fixture
def outbox(settings, tmp_path, live_server):
    settings.KATALOG_SITE_URL = live_server.url
    return outbox_at(settings, tmp_path / "messages.jsonl")


def test_owner_registers_with_a_phone_only_and_sends_for_verification(new_page, medan, outbox, tmp_path):
    page = new_page(viewport=PHONE, phone=True)
    page.goto("/")
    assert_scripts_loaded(page)
    page.get_by_role("link", name="Register my business").click()
    page.wait_for_url("**/penyedia/daftar/")

    # The account step: no e-mail, no password.
    page.fill("#id_name", "Kedai Mie Gomak Butet")
    page.fill("#id_owner_name", "Butet Simanjuntak")
    page.fill("#id_phone", "0821-6666-7777")
    page.get_by_role("button", name="Create account and continue").click()
    page.wait_for_url("**/penyedia/daftar/kode/")
    expect(page.get_by_text("0821")).to_be_visible()
    assert horizontal_overflow(page) == 0
    screenshot(page, "phone-reg-01-code", both=False)

    # The code, as read on WhatsApp.
    page.fill("#id_code", outbox.last_code(E164))
    page.get_by_role("button", name="Confirm and continue").click()
    page.wait_for_url("**/penyedia/usaha-saya/legal/")
    expect(page.get_by_text("you sign in with your phone number and a code")).to_be_visible()

    page.fill("#id_nib", NIB)
    page.fill("#id_npwp", f.VALID_NPWP)
    page.fill("#id_kbli", "56102")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/penyedia/usaha-saya/alamat/")

    village = Region.objects.filter(parent_id="12.71.01", level="desa_kelurahan").order_by("code").first()
    page.fill("#id_address", "Jl. Mangkubumi No. 3")
    page.select_option("#id_district", "12.71.01")
    expect(page.locator(f"#id_village option[value='{village.code}']")).to_have_count(1)
    page.select_option("#id_village", village.code)
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/penyedia/usaha-saya/usaha/")

    page.fill("#id_capital", "25.000.000")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/penyedia/usaha-saya/dokumen/")

    pdf = tmp_path / "nib.pdf"
    pdf.write_bytes(pdf_bytes())
    page.set_input_files("#id_nib_document", str(pdf))
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/penyedia/usaha-saya/")

    page.get_by_role("button", name="Send for verification").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Your registration is waiting for verification by the Dinas.")).to_be_visible()
    assert horizontal_overflow(page) == 0
    screenshot(page, "phone-reg-02-submitted", both=False)

    vendor = Vendor.objects.get(nib=NIB)
    assert vendor.status == VendorStatus.SUBMITTED and vendor.email == ""
    user = vendor.users.get()
    assert not user.has_usable_password() and user.email == ""
    assert Profile.objects.get(user=user).phone == E164
