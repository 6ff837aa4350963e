"""A revision asked by the Dinas can be made by the owner: every field, the business name included.
A verified business stays as verified (only contacts and payment details change)."""

import pytest

from katalog.core.errors import ValidationFailed
from katalog.vendors import services
from katalog.vendors.models import Vendor, VendorStatus
from tests import factories as f

LEGAL = "/penyedia/usaha-saya/legal/"


def legal_post(vendor, **overrides):
    data = {
        "name": vendor.name,
        "owner_name": vendor.owner_name,
        "phone": vendor.phone,
        "email": vendor.email,
        "nib": vendor.nib,
        "npwp": f.VALID_NPWP,
        "kbli": "10792",
        "sector": "Kue",
    }
    data.update(overrides)
    return data


@pytest.fixture
def owner(medan):
    return f.make_user(medan, "penyedia")


def test_the_owner_corrects_the_business_name_asked_in_a_revision(client_as, medan, owner):
    vendor = f.make_vendor(
        medan,
        users=[owner],
        status=VendorStatus.REVISION_REQUESTED,
        name="UD Bika Ambn",
        status_reason="Nama usaha tidak sama dengan NIB: tulis “UD Bika Ambon Zulaikha”.",
    )
    client = client_as(owner)
    page = client.get("/penyedia/usaha-saya/").content.decode()
    assert f'href="{LEGAL}"' in page
    page = client.get(LEGAL).content.decode()
    assert 'name="name"' in page and 'value="UD Bika Ambn"' in page and 'name="owner_name"' in page
    response = client.post(
        LEGAL, legal_post(vendor, name="UD Bika Ambon Zulaikha", owner_name="Zulaikha Nasution", phone="0812 9999 1111")
    )
    assert response.status_code == 302
    vendor.refresh_from_db()
    assert (vendor.name, vendor.owner_name, vendor.phone) == (
        "UD Bika Ambon Zulaikha",
        "Zulaikha Nasution",
        "081299991111",
    )


def test_an_empty_business_name_is_refused_and_nothing_is_saved(client_as, medan, owner):
    vendor = f.make_vendor(medan, users=[owner], status=VendorStatus.REVISION_REQUESTED, name="UD Lama")
    response = client_as(owner).post(LEGAL, legal_post(vendor, name="", sector="Baru"))
    assert response.status_code == 200 and "name" in response.context["form"].errors
    vendor.refresh_from_db()
    assert (vendor.name, vendor.sector) == ("UD Lama", "")


def test_an_unchanged_phone_keeps_its_written_form(client_as, medan, owner):
    vendor = f.make_vendor(medan, users=[owner], status=VendorStatus.REVISION_REQUESTED, phone="+6281234567890")
    assert client_as(owner).post(LEGAL, legal_post(vendor, phone="0812-3456-7890")).status_code == 302
    vendor.refresh_from_db()
    assert vendor.phone == "+6281234567890"


def test_a_post_without_the_identity_fields_keeps_them(client_as, medan, owner):
    vendor = f.make_vendor(medan, users=[owner], status=VendorStatus.DRAFT, name="UD Tetap")
    data = legal_post(vendor, sector="Kue basah")
    for key in ("name", "owner_name", "phone", "email"):
        data.pop(key)
    assert client_as(owner).post(LEGAL, data).status_code == 302
    vendor.refresh_from_db()
    assert (vendor.name, vendor.sector) == ("UD Tetap", "Kue basah")


def test_a_verified_business_name_stays_as_verified(client_as, medan, owner):
    vendor = f.make_vendor(medan, users=[owner], status=VendorStatus.VERIFIED, name="UD Terverifikasi")
    client = client_as(owner)
    assert client.post(LEGAL, legal_post(vendor, name="UD Lain")).status_code == 200  # shown, not saved
    assert Vendor.objects.get(pk=vendor.pk).name == "UD Terverifikasi"
    with pytest.raises(ValidationFailed):
        services.vendor_update(actor=f.actor(owner, medan), vendor=vendor, data={"name": "UD Lain"})
    # What a verified owner may still change.
    services.vendor_update(actor=f.actor(owner, medan), vendor=vendor, data={"phone": "081299990000"})
    assert Vendor.objects.get(pk=vendor.pk).phone == "081299990000"
