"""Journey 3: the Pengelola rejects a registration with a reason; the owner reads it, fixes the
NPWP and sends again; the Pengelola approves."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect
from stdnum import luhn

from katalog.vendors import services
from katalog.vendors.models import Vendor, VendorStatus
from tests import factories as f
from tests.conftest import pdf_bytes
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e

REASON = "NPWP pada formulir tidak sama dengan kartu NPWP yang diunggah. Mohon periksa kembali."
# Another valid 15-digit NPWP: its ninth digit is the Luhn check digit of the first eight.
FIXED_NPWP = "73519264" + luhn.calc_check_digit("73519264") + "121000"


@pytest.fixture
def submitted_vendor(medan):
    """A complete self-registration sent for verification, through the services an owner's
    pages call."""
    owner = f.make_user(medan, "penyedia", username="butet@example.id")
    vendor = f.make_vendor(
        medan,
        status=VendorStatus.DRAFT,
        users=[owner],
        name="Toko Kain Butet",
        nib="8120000555001",
        capital=None,
        annual_sales=None,
    )
    actor = f.actor(owner)
    vendor = services.vendor_update(actor=actor, vendor=vendor, data={"capital": 300_000_000})
    upload = SimpleUploadedFile("nib.pdf", pdf_bytes(), content_type="application/pdf")
    services.vendor_upload_document(actor=actor, vendor=vendor, kind="nib", upload=upload)
    vendor = services.vendor_submit(actor=actor, vendor=vendor)
    assert vendor.status == VendorStatus.SUBMITTED
    return vendor


def test_rejected_registration_is_fixed_resubmitted_and_approved(new_page, manager, submitted_vendor):
    vendor = submitted_vendor
    assert FIXED_NPWP != vendor.npwp
    dinas = new_page()
    owner = new_page()

    # The Pengelola finds the registration in the queue and rejects it with a reason.
    login(dinas, manager.username)
    # The landing page lists the queue; the clerk opens it.
    dinas.goto("/penyedia/kelola/verifikasi/")
    queue_row = dinas.locator("tbody tr", has_text="Toko Kain Butet")
    expect(queue_row).to_contain_text("8120000555001")
    expect(queue_row).to_contain_text("Medan Kota")
    screenshot(dinas, "30-queue")
    queue_row.get_by_role("link", name="Toko Kain Butet").click()
    dinas.wait_for_url(f"**/penyedia/kelola/{vendor.pk}/")
    expect(dinas.locator(".badge.submitted")).to_have_text("Waiting for verification")
    screenshot(dinas, "31-vendor-decision")

    # Rejecting without a reason is stopped by the browser (the field is required): nothing changes.
    dinas.get_by_role("button", name="Reject").click()
    assert dinas.locator("#id_reason").evaluate("el => el.validity.valueMissing") is True
    assert dinas.url.endswith(f"/penyedia/kelola/{vendor.pk}/")
    vendor.refresh_from_db()
    assert vendor.status == VendorStatus.SUBMITTED

    dinas.fill("#id_reason", REASON)
    dinas.get_by_role("button", name="Reject").click()
    dinas.wait_for_url("**/penyedia/kelola/verifikasi/")
    # (The decision's message is checked word for word in test_language.py.)
    expect(dinas.locator(".msg.success")).to_contain_text("Toko Kain Butet")
    expect(dinas.get_by_text("Nothing is waiting. Well done.")).to_be_visible()
    vendor.refresh_from_db()
    assert (vendor.status, vendor.status_reason) == (VendorStatus.REJECTED, REASON)

    # The owner signs in and reads why.
    login(owner, "butet@example.id")
    owner.wait_for_url("**/penyedia/usaha-saya/")
    alert = owner.locator(".alert.bad")
    expect(alert).to_contain_text("Rejected by the Dinas")
    expect(alert).to_contain_text(REASON)
    screenshot(owner, "32-mine-rejected")

    # The owner fixes the NPWP on the legal step; the other fields come back as saved.
    owner.locator("main a[href='/penyedia/usaha-saya/legal/']").first.click()
    owner.wait_for_url("**/penyedia/usaha-saya/legal/")
    expect(owner.locator("#id_nib")).to_have_value("8120000555001")
    expect(owner.locator("#id_npwp")).to_have_value(f.VALID_NPWP)
    expect(owner.locator("#id_kbli")).to_have_value("10792")
    owner.fill("#id_npwp", FIXED_NPWP)
    owner.get_by_role("button", name="Save and finish later").click()
    owner.wait_for_url("**/penyedia/usaha-saya/")
    vendor.refresh_from_db()
    assert (vendor.status, vendor.npwp) == (VendorStatus.REJECTED, FIXED_NPWP)

    owner.get_by_role("button", name="Send for verification").click()
    expect(owner.get_by_text("Your registration is waiting for verification by the Dinas.")).to_be_visible()
    vendor.refresh_from_db()
    assert vendor.status == VendorStatus.SUBMITTED

    # The Pengelola sees it back in the queue and approves it.
    dinas.reload()
    dinas.get_by_role("link", name="Toko Kain Butet").click()
    shown = f"{FIXED_NPWP[:2]}.{FIXED_NPWP[2:5]}.{FIXED_NPWP[5:8]}.{FIXED_NPWP[8]}-{FIXED_NPWP[9:12]}.{FIXED_NPWP[12:]}"
    expect(dinas.locator("dl.facts").first).to_contain_text(shown)  # NPWP shown in its usual dotted form
    dinas.get_by_role("button", name="Approve (verify)").click()
    dinas.wait_for_url("**/penyedia/kelola/verifikasi/")
    expect(dinas.locator(".msg.success")).to_contain_text("Toko Kain Butet")

    vendor.refresh_from_db()
    assert vendor.status == VendorStatus.VERIFIED
    assert vendor.verified_by == manager
    assert vendor.verified_at is not None

    # The owner sees the result on the status page.
    owner.reload()
    expect(owner.get_by_text("Your business is verified. You can list products.")).to_be_visible()
    expect(owner.locator(".alert.bad")).to_have_count(0)
    assert Vendor.objects.filter(status=VendorStatus.SUBMITTED).count() == 0
