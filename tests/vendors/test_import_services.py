"""The import page's writes are services: they take the actor, check the right, run in one
transaction and audit. The task worker checks the rows into a preview, and writes them only after
the clerk confirms (the page only parses the upload and shows the progress)."""

import pytest
from django.utils import timezone

from katalog.core.errors import NotAllowed, ValidationFailed
from katalog.core.models import AuditLog
from katalog.vendors import imports, services
from katalog.vendors.models import ImportStatus, Vendor, VendorImport
from tests import factories as f
from tests.vendors.test_import import MIXED, csv_bytes, good_row


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def table():
    return imports.read_table(csv_bytes(MIXED), "daftar.csv")


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Call a service and let the worker run what it queued after the commit."""

    def call(fn, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            job = fn(**kwargs)
        job.refresh_from_db()
        return job

    return call


@pytest.mark.parametrize("role", [r for r in f.ALL_ROLES if r != "catalogue_manager"])
def test_only_the_catalogue_manager_starts_an_import(users, table, role):
    with pytest.raises(NotAllowed):
        services.vendor_import_start(actor=f.actor(users[role]), file_name="daftar.csv", table=table)
    assert not VendorImport.objects.exists()
    assert not AuditLog.objects.filter(action__startswith="vendor.import").exists()


def test_the_worker_builds_a_preview_and_writes_nothing_before_the_clerk_confirms(
    medan, manager, table, run, monkeypatch
):
    monkeypatch.setattr(imports, "BATCH", 5)
    me = f.actor(manager)
    # when: started (the worker checks every row, in batches of 5)
    job = run(services.vendor_import_start, actor=me, file_name="daftar.csv", table=table)
    # then: a preview, nothing written
    assert (job.katalog, job.created_by, job.total, job.processed, job.status) == (medan, manager, 8, 8, "preview")
    assert job.duplicates == {"7": 2}
    kinds = {row["line"]: row["kind"] for row in job.preview}
    assert kinds == {
        2: "new",
        3: "rejected",
        4: "rejected",
        5: "rejected",
        6: "new",
        7: "rejected",
        8: "rejected",
        9: "new",
    }
    assert not Vendor.objects.exists()
    start = AuditLog.objects.get(action="vendor.import_start")
    assert (start.actor, start.object_id, start.data) == (manager, str(job.pk), {"file": "daftar.csv", "rows": 8})
    assert not AuditLog.objects.filter(action="vendor.import").exists()
    # when: confirmed, the worker writes every batch without the page
    job = run(services.vendor_import_confirm, actor=me, job=job)
    assert (job.processed, job.imported, job.rejected, job.status) == (8, 3, 5, ImportStatus.DONE)
    assert job.finished_at is not None
    done = AuditLog.objects.get(action="vendor.import")
    assert done.data == {
        "file": "daftar.csv",
        "imported": 3,
        "updated": 0,
        "unchanged": 0,
        "rejected": 5,
        "conflicts": 0,
    }
    # and a step on a finished job changes nothing, nor a second confirmation
    assert services.vendor_import_step(job=job).processed == 8
    with pytest.raises(ValidationFailed):
        services.vendor_import_confirm(actor=me, job=job)
    assert Vendor.objects.count() == 3 and AuditLog.objects.filter(action="vendor.import").count() == 1


def test_the_preview_shows_each_difference_and_the_conflicts_the_clerk_may_choose(medan, manager, run):
    me = f.actor(manager)
    verified = f.make_vendor(
        medan,
        nib="9120000000001",
        name="Kedai Asli",
        owner_name="Tiur Manurung",
        region_id="12.71.03.1001",
        district_id="12.71.03",
    )
    grown = f.make_vendor(
        medan,
        nib="9120000000002",
        name="Kedai Horas 2",
        owner_name="Tiur Manurung",
        region_id="12.71.03.1001",
        district_id="12.71.03",
    )
    claimed = f.make_vendor(medan, nib="9120000000003", name="Kedai Horas 3", claimed_at=timezone.now())
    rows = [good_row(1), good_row(2), good_row(3), good_row(4, **{"Nama Usaha": "=1+2", "alamat": "@Jl. Uji"})]
    table = imports.read_table(csv_bytes(rows), "b.csv")
    job = run(services.vendor_import_start, actor=me, file_name="b.csv", table=table)
    preview = {row["line"]: row for row in job.preview}
    # the verified vendor's name would change: a conflict, with the difference old → new
    assert preview[2]["kind"] == "conflict"
    assert ["nama_usaha", "Kedai Asli", "Kedai Horas 1"] in preview[2]["diff"]
    assert [col for col, _why in preview[2]["held"]] == ["nama_usaha"]
    # only its capital, phone etc. differ: a change, field by field
    assert preview[3]["kind"] == "changed"
    assert ["modal_usaha", "500000000", "1500000"] in preview[3]["diff"]
    assert "nama_usaha" not in [col for col, *_ in preview[3]["diff"]]
    # the claimed vendor keeps everything it may have edited
    assert preview[4]["kind"] == "conflict"
    # formula-like cells are kept as text and marked
    assert (preview[5]["kind"], preview[5]["formula"]) == ("new", ["nama_usaha", "alamat"])
    # when: the clerk ticks line 2 only
    job = run(services.vendor_import_confirm, actor=me, job=job, chosen=[2, 3, 99])
    assert job.chosen == [2]
    assert (job.imported, job.updated, job.unchanged, job.rejected, job.conflicted) == (1, 2, 0, 0, 1)
    assert [line for line, _c, _r in job.conflicts] == [4] * len(job.conflicts)
    verified.refresh_from_db(), grown.refresh_from_db(), claimed.refresh_from_db()
    assert verified.name == "Kedai Horas 1" and grown.capital == 1500000
    assert claimed.capital == 500000000
    assert Vendor.objects.get(nib="9120000000004").name == "=1+2"


def test_a_cancelled_preview_writes_nothing(medan, manager, table, run):
    me = f.actor(manager)
    job = run(services.vendor_import_start, actor=me, file_name="daftar.csv", table=table)
    job = services.vendor_import_cancel(actor=me, job=job)
    assert job.status == "cancelled"
    with pytest.raises(ValidationFailed):
        services.vendor_import_confirm(actor=me, job=job)
    assert not Vendor.objects.exists()


def test_another_tenants_manager_cannot_confirm(medan, binjai, manager, table, run):
    job = run(services.vendor_import_start, actor=f.actor(manager), file_name="daftar.csv", table=table)
    stranger = f.actor(f.make_user(binjai, "catalogue_manager"))
    with pytest.raises(NotAllowed):
        services.vendor_import_confirm(actor=stranger, job=job)
    with pytest.raises(NotAllowed):
        services.vendor_import_cancel(actor=stranger, job=job)
    job.refresh_from_db()
    assert job.status == "preview" and not Vendor.objects.exists()


def test_a_worker_that_stopped_resumes_where_it_was(medan, manager, table, run, monkeypatch):
    from katalog.vendors.tasks import run_vendor_import

    monkeypatch.setattr(imports, "BATCH", 3)
    job = run(services.vendor_import_start, actor=f.actor(manager), file_name="daftar.csv", table=table)
    VendorImport.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, processed=0)
    services.vendor_import_step(job=job)  # one batch, then the worker stopped
    assert VendorImport.objects.get(pk=job.pk).processed == 3
    run_vendor_import.call(job.pk)
    job.refresh_from_db()
    assert (job.status, job.processed, job.imported, job.rejected) == ("done", 8, 3, 5)
