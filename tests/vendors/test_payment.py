"""Tax and payment facts (PP 55/2022 certificate, bank account): kept by the owner on its own page,
shown to the Pengelola; what was verified stays as verified."""

import pytest

from katalog.core.errors import ValidationFailed
from katalog.core.models import AuditLog
from katalog.vendors import services
from katalog.vendors.models import Vendor, VendorStatus
from tests import factories as f

URL = "/penyedia/usaha-saya/pembayaran/"
FACTS = {
    "pp55_certificate": "KET-00123/PP55/WPJ.26/2025",
    "bank_name": "Bank Sumut",
    "bank_account_number": "110.01.02345-6",
    "bank_account_name": "Butet Siregar",
}


@pytest.fixture
def owner(users):
    return users["penyedia"]


@pytest.mark.parametrize("status", [VendorStatus.DRAFT, VendorStatus.VERIFIED])
def test_the_owner_saves_the_tax_and_bank_facts(client_as, medan, owner, status):
    vendor = f.make_vendor(medan, status=status, users=[owner])
    client = client_as(owner)
    assert client.get(URL).status_code == 200
    # when
    response = client.post(URL, FACTS)
    # then
    assert response.status_code == 302 and response["Location"] == "/penyedia/usaha-saya/"
    vendor.refresh_from_db()
    assert (vendor.pp55_certificate, vendor.bank_name, vendor.bank_account_number, vendor.bank_account_name) == (
        "KET-00123/PP55/WPJ.26/2025",
        "Bank Sumut",
        "11001023456",
        "Butet Siregar",
    )
    assert vendor.status == status
    entry = AuditLog.objects.get(action="vendor.update", object_id=str(vendor.pk))
    assert entry.data["fields"] == ["bank_account_name", "bank_account_number", "bank_name", "pp55_certificate"]
    # and the owner's page shows them
    page = client.get("/penyedia/usaha-saya/").content.decode()
    assert "KET-00123/PP55/WPJ.26/2025" in page and "11001023456" in page and URL in page


def test_the_pengelola_sees_them_on_the_vendors_page(client_as, medan, manager):
    vendor = f.make_vendor(medan, **{**FACTS, "bank_account_number": "1100102345"})
    page = client_as(manager).get(f"/penyedia/kelola/{vendor.pk}/").content.decode()
    assert "KET-00123/PP55/WPJ.26/2025" in page
    assert "Bank Sumut 1100102345" in page and "Butet Siregar" in page


def test_the_bank_facts_go_together_and_a_bad_number_is_refused(client_as, medan, owner):
    vendor = f.make_vendor(medan, users=[owner])
    client = client_as(owner)
    response = client.post(URL, {"bank_name": "Bank Sumut", "bank_account_number": "12-ab"})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"bank_account_number", "bank_account_name"}
    assert Vendor.objects.get(pk=vendor.pk).bank_name == ""
    assert "Bank Sumut" in response.content.decode()  # what was typed is kept


def test_nothing_changes_while_the_registration_is_checked(client_as, medan, owner):
    vendor = f.make_vendor(medan, status=VendorStatus.SUBMITTED, users=[owner])
    client = client_as(owner)
    assert URL not in client.get("/penyedia/usaha-saya/").content.decode()
    response = client.post(URL, FACTS)
    assert response.status_code == 200
    assert Vendor.objects.get(pk=vendor.pk).bank_name == ""


def test_the_page_is_the_owners_only(client_as, medan, users):
    f.make_vendor(medan, users=[users["penyedia"]])
    assert client_as(users["catalogue_manager"]).get(URL).status_code == 404
    assert client_as(users["pp"]).post(URL, FACTS).status_code == 404


def test_a_verified_owner_cannot_change_what_was_verified(medan, owner):
    vendor = f.make_vendor(medan, users=[owner])
    with pytest.raises(ValidationFailed) as refused:
        services.vendor_update(
            actor=f.actor(owner), vendor=vendor, data={"nib": "8120000000888", "phone": "0811111111"}
        )
    assert refused.value.code == "locked"
    fresh = Vendor.objects.get(pk=vendor.pk)
    assert (fresh.nib, fresh.phone) == (vendor.nib, vendor.phone)
    # the same values again are no change
    services.vendor_update(actor=f.actor(owner), vendor=vendor, data={"nib": vendor.nib, "phone": "0811111111"})
    assert Vendor.objects.get(pk=vendor.pk).phone == "0811111111"


def test_the_pengelola_may_still_correct_a_verified_vendor(medan, owner, manager):
    vendor = f.make_vendor(medan, users=[owner])
    services.vendor_update(actor=f.actor(manager), vendor=vendor, data={"nib": "8120000000888"})
    assert Vendor.objects.get(pk=vendor.pk).nib == "8120000000888"
