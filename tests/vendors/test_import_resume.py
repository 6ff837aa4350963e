"""A registry import whose worker died: the page shows it stalled with "Lanjutkan"; resuming goes on
from where it stopped, and the result is that of an uninterrupted import of the same file."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone

from katalog.vendors import imports, services
from katalog.vendors.models import Vendor, VendorImport
from tests import factories as f
from tests.vendors.test_import import MIXED, csv_bytes, good_row

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
ROWS = [*MIXED, *(good_row(i) for i in range(20, 27))]


def _counts(job):
    job.refresh_from_db()
    return {
        "status": job.status,
        "processed": job.processed,
        "imported": job.imported,
        "updated": job.updated,
        "unchanged": job.unchanged,
        "rejected": job.rejected,
        "conflicts": job.conflicted,
        "rejections": job.rejections,
        "vendors": sorted(Vendor.objects.values_list("nib", "name", "owner_name")),
    }


def _upload(client, capture):
    token = _csrf(client.get("/penyedia/kelola/impor/").content.decode())
    upload = SimpleUploadedFile("daftar.csv", csv_bytes(ROWS), "text/csv")
    with capture(execute=True):
        client.post("/penyedia/kelola/impor/", {"file": upload, "csrfmiddlewaretoken": token})
    job = VendorImport.objects.order_by("-pk").first()
    assert job.status == "preview"
    return job


def _csrf(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


@pytest.fixture
def clerk(medan, manager):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    f.make_vendor(medan, nib="9120000000001", name="Kedai Asli", owner_name="Tiur Manurung")  # a conflict
    return client


def test_a_stalled_import_is_resumed_from_the_page_and_ends_as_an_uninterrupted_one(
    clerk, medan, manager, settings, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(imports, "BATCH", 3)  # several batches for a small file
    settings.TASKS = IMMEDIATE
    # the same file imported without interruption (rolled back afterwards), for comparison
    with transaction.atomic():
        job = _upload(clerk, django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            services.vendor_import_confirm(actor=f.actor(manager, medan), job=job)
        expected = _counts(job)
        transaction.set_rollback(True)
    assert expected["status"] == "done" and expected["imported"] > 0 and expected["rejected"] > 0

    job = _upload(clerk, django_capture_on_commit_callbacks)
    settings.TASKS = DUMMY  # confirmed, then the worker writes one batch and dies
    with django_capture_on_commit_callbacks(execute=True):
        services.vendor_import_confirm(actor=f.actor(manager, medan), job=job)
    services.vendor_import_step(job=job)
    job.refresh_from_db()
    assert (job.status, job.processed) == ("running", 3)
    status_url = f"/penyedia/kelola/impor/{job.pk}/"
    page = clerk.get(status_url).content.decode()
    assert "Lanjutkan" not in page  # still within the wait: not shown as stalled

    VendorImport.objects.filter(pk=job.pk).update(progressed_at=timezone.now() - timedelta(minutes=11))
    page = clerk.get(status_url).content.decode()
    assert 'data-testid="import-stalled"' in page and "Lanjutkan" in page
    assert clerk.post(f"{status_url}lanjutkan/").status_code == 403  # without the CSRF token

    settings.TASKS = IMMEDIATE  # a worker is back
    with django_capture_on_commit_callbacks(execute=True):
        response = clerk.post(f"{status_url}lanjutkan/", {"csrfmiddlewaretoken": _csrf(page)})
    assert response.status_code == 302
    assert _counts(job) == expected
    page = clerk.get(status_url).content.decode()
    assert 'data-testid="import-summary"' in page and "Lanjutkan" not in page


def test_an_import_that_moves_cannot_be_resumed(clerk, medan, manager, settings, django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    job = _upload(clerk, django_capture_on_commit_callbacks)
    settings.TASKS = DUMMY
    with django_capture_on_commit_callbacks(execute=True):
        services.vendor_import_confirm(actor=f.actor(manager, medan), job=job)
    page = clerk.get(f"/penyedia/kelola/impor/{job.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = clerk.post(f"/penyedia/kelola/impor/{job.pk}/lanjutkan/", {"csrfmiddlewaretoken": _csrf(page)})
    assert response.status_code == 302 and queued == []
    job.refresh_from_db()
    assert (job.status, job.processed) == ("running", 0)


def test_another_role_cannot_resume(client_as, users, medan, manager, settings, django_capture_on_commit_callbacks):
    settings.TASKS = DUMMY
    job = VendorImport.objects.create(katalog=medan, file_name="d.csv", status="running", total=5)
    VendorImport.objects.filter(pk=job.pk).update(progressed_at=timezone.now() - timedelta(hours=1))
    response = client_as(users["penyedia"]).post(f"/penyedia/kelola/impor/{job.pk}/lanjutkan/")
    assert response.status_code == 403
