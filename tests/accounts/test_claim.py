"""Claiming a registry record with a code sent to the phone on file (vendors/claim.py): one
account made once, the data check pre-filled from the registry, and nothing for another tenant."""

import pytest
from django.contrib.auth.models import User

from katalog.accounts.models import Membership, Profile
from katalog.core.models import AuditLog
from katalog.core.permissions import Role
from katalog.vendors.models import Vendor, VendorSource, VendorStatus
from tests import factories as f

from .otp_helpers import ask_code, token_with_code

PHONE = "+6281298765432"
NIK = "1271010101900001"


@pytest.fixture
def registry_vendor(medan):
    """A UMKM imported from the Dinas registry: verified, no account, the phone as typed there."""
    return f.make_vendor(
        medan,
        name="UD Bika Ambon Zulaikha",
        owner_name="Zulaikha Nasution",
        phone="0812-9876-5432",
        email="",
        npwp="",
        source=VendorSource.IMPORT,
        status=VendorStatus.VERIFIED,
    )


def sign_in_by_page(client, phone, outbox, capture):
    with capture(execute=True):
        client.post("/akun/masuk/hp/", {"phone": phone})
    return client.post("/akun/masuk/hp/kode/", {"code": outbox.last_code(PHONE)})


def test_the_first_code_claims_the_record_with_one_new_account(
    client, registry_vendor, outbox, django_capture_on_commit_callbacks
):
    users_before = User.objects.count()
    response = sign_in_by_page(client, "0812 9876 5432", outbox, django_capture_on_commit_callbacks)

    assert User.objects.count() == users_before + 1
    user = User.objects.get(profile__phone=PHONE)
    assert client.session["_auth_user_id"] == str(user.pk)
    assert not user.has_usable_password()
    assert user.username == "zulaikha-nasution-5432"
    assert user.first_name == "Zulaikha Nasution"
    assert list(Membership.objects.filter(user=user).values_list("katalog_id", "role", "office")) == [
        (registry_vendor.katalog_id, Role.VENDOR, None)
    ]
    vendor = Vendor.objects.get(pk=registry_vendor.pk)
    assert list(vendor.users.all()) == [user]
    assert vendor.claimed_at is not None
    assert vendor.status == VendorStatus.VERIFIED
    audit = AuditLog.objects.get(action="vendor.claim")
    assert (audit.actor, audit.object_id, audit.data) == (user, str(vendor.pk), {"phone": PHONE})
    assert response.status_code == 302
    assert response["Location"] == f"/penyedia/klaim/{vendor.pk}/"


def test_a_second_sign_in_reuses_the_account(client, registry_vendor, outbox, django_capture_on_commit_callbacks):
    ask_code(client, PHONE, django_capture_on_commit_callbacks)
    assert token_with_code(client, PHONE, outbox.last_code(PHONE)).status_code == 200
    claimed_at = Vendor.objects.get(pk=registry_vendor.pk).claimed_at
    users = User.objects.count()

    ask_code(client, "0812-9876-5432", django_capture_on_commit_callbacks)
    assert token_with_code(client, PHONE, outbox.last_code(PHONE)).status_code == 200

    assert User.objects.count() == users
    assert Vendor.objects.get(pk=registry_vendor.pk).claimed_at == claimed_at
    assert AuditLog.objects.filter(action="vendor.claim").count() == 1
    assert Profile.objects.filter(phone=PHONE).count() == 1


def test_a_vendor_that_has_people_is_not_claimed_by_its_phone(
    client, medan, outbox, django_capture_on_commit_callbacks
):
    # Given a registry vendor whose staff signs in with another phone of their own.
    staff = f.make_user(medan, "penyedia", username="staf")
    Profile.objects.create(user=staff, phone="+6281311112222")
    vendor = f.make_vendor(medan, users=[staff], phone="0812-9876-5432", source=VendorSource.IMPORT)
    users = User.objects.count()
    # When someone asks for a code for the vendor's phone on file,
    assert ask_code(client, PHONE, django_capture_on_commit_callbacks).status_code == 202
    # then nothing is sent and nobody new gets in.
    assert outbox.lines() == []
    assert token_with_code(client, PHONE, "000000").status_code == 401
    assert list(Vendor.objects.get(pk=vendor.pk).users.all()) == [staff]
    assert Vendor.objects.get(pk=vendor.pk).claimed_at is None
    assert User.objects.count() == users


def test_a_self_registered_draft_is_not_claimed_by_its_phone(client, medan, outbox, django_capture_on_commit_callbacks):
    f.make_vendor(medan, phone="0812-9876-5432", source=VendorSource.SELF, status=VendorStatus.DRAFT)
    response = ask_code(client, PHONE, django_capture_on_commit_callbacks)
    assert response.status_code == 202
    assert outbox.lines() == []


def test_the_data_check_is_pre_filled_with_names_and_says_nik_is_accepted(
    client, registry_vendor, outbox, django_capture_on_commit_callbacks
):
    sign_in_by_page(client, PHONE, outbox, django_capture_on_commit_callbacks)
    page = client.get(f"/penyedia/klaim/{registry_vendor.pk}/").content.decode()
    assert 'value="UD Bika Ambon Zulaikha"' in page
    assert 'value="Zulaikha Nasution"' in page
    assert '<option value="12.71.01" selected>Medan Kota</option>' in page
    assert "Pasar Baru" in page  # the kelurahan of the district, by name
    assert "NIK" in page and "16" in page


def test_the_data_check_saves_corrections_and_lands_on_the_vendor_page(
    client, registry_vendor, outbox, django_capture_on_commit_callbacks
):
    sign_in_by_page(client, PHONE, outbox, django_capture_on_commit_callbacks)
    response = client.post(
        f"/penyedia/klaim/{registry_vendor.pk}/",
        {
            "name": "UD Bika Ambon Zulaikha Asli",
            "owner_name": "Zulaikha Nasution",
            "address": "Jl. Mojopahit No. 62",
            "district": "12.71.01",
            "village": "12.71.01.1001",
            "phone": "0812-9876-5432",
            "email": "zulaikha@example.id",
            "npwp": NIK,
        },
    )
    assert response.status_code == 302 and response["Location"] == "/penyedia/usaha-saya/"
    vendor = Vendor.objects.get(pk=registry_vendor.pk)
    assert (vendor.name, vendor.address, vendor.region_id, vendor.district_id, vendor.email, vendor.npwp) == (
        "UD Bika Ambon Zulaikha Asli",
        "Jl. Mojopahit No. 62",
        "12.71.01.1001",
        "12.71.01",
        "zulaikha@example.id",
        NIK,
    )
    assert vendor.status == VendorStatus.VERIFIED
    audit = AuditLog.objects.get(action="vendor.claim_check")
    assert audit.data["fields"] == ["address", "email", "name", "npwp", "phone", "region"]
    # Checked once: the page now leads to the vendor's own page.
    assert client.get(f"/penyedia/klaim/{registry_vendor.pk}/")["Location"] == "/penyedia/usaha-saya/"


def test_the_data_check_keeps_what_was_typed_on_an_error(
    client, registry_vendor, outbox, django_capture_on_commit_callbacks
):
    sign_in_by_page(client, PHONE, outbox, django_capture_on_commit_callbacks)
    response = client.post(
        f"/penyedia/klaim/{registry_vendor.pk}/",
        {
            "name": "UD Bika Ambon Baru",
            "owner_name": "Zulaikha N.",
            "address": "Jl. Baru 1",
            "district": "12.71.01",
            "village": "12.71.01.1001",
            "phone": "12345",
            "npwp": "123",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="UD Bika Ambon Baru"' in page and 'value="Jl. Baru 1"' in page and 'value="12345"' in page
    assert Vendor.objects.get(pk=registry_vendor.pk).name == "UD Bika Ambon Zulaikha"
    assert not AuditLog.objects.filter(action="vendor.claim_check").exists()


def test_another_user_cannot_open_the_data_check(client, registry_vendor, users, outbox):
    client.force_login(users["penyedia"])
    assert client.get(f"/penyedia/klaim/{registry_vendor.pk}/").status_code == 404


def test_several_registry_vendors_with_one_phone_are_claimed_together_and_picked(
    client, registry_vendor, medan, outbox, django_capture_on_commit_callbacks
):
    second = f.make_vendor(medan, name="Toko Kain Zulaikha", phone="6281298765432", source=VendorSource.IMPORT)
    response = sign_in_by_page(client, PHONE, outbox, django_capture_on_commit_callbacks)
    assert response["Location"] == "/penyedia/klaim/"
    user = User.objects.get(profile__phone=PHONE)
    for vendor in (registry_vendor, second):
        vendor.refresh_from_db()
        assert list(vendor.users.all()) == [user] and vendor.claimed_at is not None
    page = client.get("/penyedia/klaim/").content.decode()
    assert f"/penyedia/klaim/{registry_vendor.pk}/" in page and f"/penyedia/klaim/{second.pk}/" in page


def test_a_code_for_a_registry_number_of_another_tenant_claims_nothing(
    client, medan, binjai, outbox, django_capture_on_commit_callbacks
):
    vendor = f.make_vendor(binjai, phone="0812-9876-5432", source=VendorSource.IMPORT, nib="8129999999992")
    users = User.objects.count()
    assert ask_code(client, PHONE, django_capture_on_commit_callbacks).status_code == 202
    assert outbox.lines() == []
    assert token_with_code(client, PHONE, "000000").status_code == 401
    assert User.objects.count() == users
    assert Vendor.objects.get(pk=vendor.pk).claimed_at is None


def test_the_data_check_refuses_a_phone_of_another_account(
    client, registry_vendor, medan, outbox, django_capture_on_commit_callbacks
):
    other = f.make_user(medan, "pp", username="lain")
    Profile.objects.create(user=other, phone="+6281311112222")
    sign_in_by_page(client, PHONE, outbox, django_capture_on_commit_callbacks)
    response = client.post(
        f"/penyedia/klaim/{registry_vendor.pk}/",
        {
            "name": "UD Bika Ambon Zulaikha",
            "owner_name": "Zulaikha Nasution",
            "address": "Jl. Uji No. 1",
            "district": "12.71.01",
            "village": "12.71.01.1001",
            "phone": "0813-1111-2222",
        },
    )
    assert response.status_code == 200
    assert 'value="0813-1111-2222"' in response.content.decode()
    assert Profile.objects.get(user__username="zulaikha-nasution-5432").phone == PHONE
    assert Vendor.objects.get(pk=registry_vendor.pk).phone == "0812-9876-5432"
