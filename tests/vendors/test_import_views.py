"""The import page: upload, a preview with every difference, confirmation, progress and report."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from katalog.vendors.models import Vendor, VendorImport
from tests import factories as f
from tests.vendors.test_import import MIXED, csv_bytes, good_row


@pytest.fixture
def immediate(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _english(client):
    client.cookies["django_language"] = "en"  # the assertions read English text
    return client


def _upload(client, rows, capture):
    with capture(execute=True):
        return client.post(
            "/penyedia/kelola/impor/", {"file": SimpleUploadedFile("daftar.csv", csv_bytes(rows), "text/csv")}
        )


def test_the_page_shows_a_preview_and_applies_only_when_the_clerk_confirms(
    client_as, medan, manager, immediate, django_capture_on_commit_callbacks
):
    client = _english(client_as(manager))
    kept = f.make_vendor(medan, nib="9120000000001", name="Kedai Asli", owner_name="Tiur Manurung")
    rows = [*MIXED, good_row(9, **{"Nama Usaha": "=HYPERLINK(1)"})]
    response = _upload(client, rows, django_capture_on_commit_callbacks)
    job = VendorImport.objects.get()
    assert response["Location"] == f"/penyedia/kelola/impor/{job.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="import-preview"' in page
    assert "New 3, changed 0, unchanged 0, rejected 5, conflicts 1." in page
    assert "<del>Kedai Asli</del> → <ins>Kedai Horas 1</ins>" in page  # the field-by-field difference
    assert 'name="apply" value="2"' in page  # the conflict the clerk may tick
    assert "⚠ nama_usaha" in page  # a formula-like cell, kept as text
    assert Vendor.objects.count() == 1  # nothing written yet
    # the preview's report already lists each rejected row with its data
    report = list(csv.reader(io.StringIO(client.get(f"/penyedia/kelola/impor/{job.pk}/laporan.csv").content.decode())))
    assert report[0][:3] == ["baris", "kolom", "alasan"] and len(report) == 1 + 5 + 3
    # when: confirmed without ticking the conflict
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/penyedia/kelola/impor/{job.pk}/terapkan/")
    job.refresh_from_db()
    assert (job.status, job.imported, job.updated, job.rejected, job.conflicted) == ("done", 3, 0, 5, 1)
    kept.refresh_from_db()
    assert kept.name == "Kedai Asli"
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="import-summary"' in page and 'data-testid="import-conflicts"' in page
    report = client.get(f"/penyedia/kelola/impor/{job.pk}/laporan.csv").content.decode().splitlines()
    assert report[0].startswith("baris,kolom,alasan,nama_usaha,")
    assert [r.split(",")[:2] for r in report[1:6]] == [
        ["3", "nib"],
        ["4", "kode_wilayah"],
        ["5", "modal_usaha"],
        ["7", "nib"],
        ["8", "nama_usaha"],
    ]
    held = [r.split(",")[:2] for r in report[6:]]
    assert {line for line, _col in held} == {"2"} and ["2", "nama_usaha"] in held


def test_a_ticked_conflict_is_applied(client_as, medan, manager, immediate, django_capture_on_commit_callbacks):
    client = _english(client_as(manager))
    kept = f.make_vendor(medan, nib="9120000000001", name="Kedai Asli", owner_name="Tiur Manurung")
    _upload(client, [good_row(1)], django_capture_on_commit_callbacks)
    job = VendorImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/penyedia/kelola/impor/{job.pk}/terapkan/", {"apply": ["2"]})
    kept.refresh_from_db()
    assert kept.name == "Kedai Horas 1"


def test_two_errors_on_one_row_count_one_rejected_row(
    client_as, medan, manager, immediate, django_capture_on_commit_callbacks
):
    client = _english(client_as(manager))
    _upload(client, [good_row(1, nib="123", pkp="mungkin")], django_capture_on_commit_callbacks)
    job = VendorImport.objects.get()
    assert "rejected 1, conflicts 0." in client.get(f"/penyedia/kelola/impor/{job.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/penyedia/kelola/impor/{job.pk}/terapkan/")
    job.refresh_from_db()
    assert (job.rejected, len(job.rejections)) == (1, 2)
    assert "rejected 1." in client.get(f"/penyedia/kelola/impor/{job.pk}/").content.decode()


def test_the_progress_is_only_read_by_the_page_and_the_worker_does_the_work(client_as, medan, manager, settings):
    # No worker ran yet (a real queue): the page shows the bar and polls, and never runs a batch itself.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client = _english(client_as(manager))
    client.post("/penyedia/kelola/impor/", {"file": SimpleUploadedFile("d.csv", csv_bytes(MIXED), "text/csv")})
    job = VendorImport.objects.get()
    assert job.status == "checking"
    page = client.get(f"/penyedia/kelola/impor/{job.pk}/").content.decode()
    assert f"/penyedia/kelola/impor/{job.pk}/kemajuan/?phase=checking" in page
    progress = client.get(f"/penyedia/kelola/impor/{job.pk}/kemajuan/?phase=checking")
    assert progress.status_code == 200 and "HX-Refresh" not in progress
    job.refresh_from_db()
    assert (job.status, job.processed) == ("checking", 0)
    VendorImport.objects.filter(pk=job.pk).update(status="preview", processed=8)
    assert client.get(f"/penyedia/kelola/impor/{job.pk}/kemajuan/?phase=checking")["HX-Refresh"] == "true"


def test_a_preview_can_be_cancelled(client_as, medan, manager, immediate, django_capture_on_commit_callbacks):
    client = _english(client_as(manager))
    _upload(client, MIXED, django_capture_on_commit_callbacks)
    job = VendorImport.objects.get()
    client.post(f"/penyedia/kelola/impor/{job.pk}/batal/")
    job.refresh_from_db()
    assert job.status == "cancelled" and not Vendor.objects.exists()
