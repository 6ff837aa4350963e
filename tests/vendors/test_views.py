"""Vendor pages: who may open what, what a form keeps, and the import page end to end."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from katalog.vendors.models import Vendor, VendorImport, VendorStatus
from tests import factories as f
from tests.accounts.registration_helpers import register_by_email
from tests.vendors.test_import import MIXED, csv_bytes

MANAGER_PAGES = ["/penyedia/kelola/verifikasi/", "/penyedia/kelola/daftarkan/", "/penyedia/kelola/impor/"]
# Who may open each page (every other role gets 403).
ACCESS = {
    "/penyedia/kelola/": {"catalogue_manager", "auditor", "admin"},
    "/penyedia/kelola/verifikasi/": {"catalogue_manager"},
    "/penyedia/kelola/daftarkan/": {"catalogue_manager"},
    "/penyedia/kelola/impor/": {"catalogue_manager"},
    "/dasbor/umkm/": {"catalogue_manager", "auditor", "admin", "budget_owner"},
}


@pytest.mark.parametrize("url", list(ACCESS))
def test_anonymous_visitors_are_sent_to_sign_in(client, medan, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/akun/masuk/")


@pytest.mark.parametrize(("url", "role"), [(u, r) for u in ACCESS for r in f.ALL_ROLES])
def test_each_page_opens_for_its_roles_only(client_as, users, url, role):
    response = client_as(users[role]).get(url)
    assert response.status_code == (200 if role in ACCESS[url] else 403)


def test_another_tenants_vendor_is_a_404_on_every_page(client_as, medan, binjai, pdf):
    theirs = f.make_vendor(binjai, status=VendorStatus.SUBMITTED)
    theirs.documents.create(
        kind="nib",
        file=SimpleUploadedFile("x.pdf", pdf),
        token="t",
        extension="pdf",
        content_type="application/pdf",
        size=len(pdf),
    )
    client = client_as(f.make_user(medan, "catalogue_manager"))
    assert client.get(f"/penyedia/kelola/{theirs.pk}/").status_code == 404
    assert client.get(f"/penyedia/dokumen/{theirs.pk}/nib/").status_code == 404
    assert client.post(f"/penyedia/kelola/{theirs.pk}/approve/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == VendorStatus.SUBMITTED


def test_a_vendor_cannot_open_another_vendors_document(client_as, medan, users, pdf):
    other = f.make_vendor(medan)
    other.documents.create(
        kind="nib",
        file=SimpleUploadedFile("x.pdf", pdf),
        token="t",
        extension="pdf",
        content_type="application/pdf",
        size=len(pdf),
    )
    f.make_vendor(medan, users=[users["penyedia"]])
    assert client_as(users["penyedia"]).get(f"/penyedia/dokumen/{other.pk}/nib/").status_code == 404
    response = client_as(users["auditor"]).get(f"/penyedia/dokumen/{other.pk}/nib/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_decisions_need_a_post_with_csrf(medan, manager):
    from django.test import Client

    vendor = f.make_vendor(medan, status=VendorStatus.SUBMITTED)
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    assert client.post(f"/penyedia/kelola/{vendor.pk}/approve/").status_code == 403
    assert client.get(f"/penyedia/kelola/{vendor.pk}/approve/").status_code == 405
    vendor.refresh_from_db()
    assert vendor.status == VendorStatus.SUBMITTED


def test_rejecting_without_a_reason_shows_the_error_and_changes_nothing(client_as, medan, manager):
    vendor = f.make_vendor(medan, status=VendorStatus.SUBMITTED)
    response = client_as(manager).post(f"/penyedia/kelola/{vendor.pk}/reject/", {"reason": ""})
    assert response.status_code == 422
    assert "alasan" in response.content.decode().lower() or "reason" in response.content.decode().lower()
    vendor.refresh_from_db()
    assert vendor.status == VendorStatus.SUBMITTED


def test_registration_step_keeps_what_was_typed_when_a_field_is_wrong(client, medan):
    register_by_email(
        client,
        {
            "name": "Kerajinan Rotan Deli",
            "owner_name": "Hasan Lubis",
            "email": "hasan@example.id",
            "phone": "0812 7777 8888",
            "password1": "Rotan-Deli-2026",
            "password2": "Rotan-Deli-2026",
        },
    )
    vendor = Vendor.objects.get(name="Kerajinan Rotan Deli")
    assert vendor.status == VendorStatus.DRAFT and vendor.phone == "081277778888"
    response = client.post(
        "/penyedia/usaha-saya/legal/",
        {
            "nib": "8120000004444",
            "npwp": "02.183.241.6-000.000",
            "kbli": "32909",
            "sector": "Rotan",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="8120000004444"' in page and 'value="02.183.241.6-000.000"' in page and 'value="32909"' in page
    assert "NPWP" in page
    vendor.refresh_from_db()
    assert vendor.nib == ""  # nothing of an invalid step is saved
    response = client.post(
        "/penyedia/usaha-saya/legal/",
        {
            "nib": "8120000004444",
            "npwp": "02.183.241.5-000.000",
            "kbli": "32909",
            "sector": "Rotan",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/penyedia/usaha-saya/alamat/"
    vendor.refresh_from_db()
    assert (vendor.nib, vendor.npwp, vendor.kbli) == ("8120000004444", "021832415000000", ["32909"])


def test_a_second_registration_with_a_taken_nib_is_told_so(client, medan):
    f.make_vendor(medan, nib="8120000005555")
    register_by_email(
        client,
        {
            "name": "Kedai Kopi",
            "owner_name": "Andi",
            "email": "andi@example.id",
            "phone": "081299998888",
            "password1": "Kopi-Medan-2026",
            "password2": "Kopi-Medan-2026",
        },
    )
    response = client.post(
        "/penyedia/usaha-saya/legal/",
        {
            "nib": "8120000005555",
            "npwp": f.VALID_NPWP,
            "kbli": "56303",
        },
    )
    assert response.status_code == 200
    assert "8120000005555" in response.content.decode()
    assert Vendor.objects.filter(nib="8120000005555").count() == 1


def test_the_village_list_follows_the_district(client, medan):
    page = client.get("/penyedia/kelurahan/?district=12.71.03").content.decode()
    assert "12.71.03.1001" in page and "12.71.01." not in page
    assert "12.72" not in client.get("/penyedia/kelurahan/?district=12.72.01").content.decode()


# The import page end to end: tests/vendors/test_import_views.py.


def test_an_unreadable_import_file_is_reported_on_the_form(client_as, medan, manager):
    upload = SimpleUploadedFile("daftar.csv", b"nama;alamat\nA;B\n", content_type="text/csv")
    response = client_as(manager).post("/penyedia/kelola/impor/", {"file": upload})
    assert response.status_code == 200
    assert "nib" in response.content.decode()
    assert not VendorImport.objects.exists()


def test_another_tenants_manager_cannot_see_an_import(client_as, medan, binjai, manager):
    client_as(manager).post(
        "/penyedia/kelola/impor/", {"file": SimpleUploadedFile("d.csv", csv_bytes(MIXED), content_type="text/csv")}
    )
    job = VendorImport.objects.get()
    other = client_as(f.make_user(binjai, "catalogue_manager"))
    assert other.get(f"/penyedia/kelola/impor/{job.pk}/").status_code == 404
    assert other.post(f"/penyedia/kelola/impor/{job.pk}/terapkan/").status_code == 404
    assert other.get(f"/penyedia/kelola/impor/{job.pk}/laporan.csv").status_code == 404
    job.refresh_from_db()
    assert job.processed == 0
