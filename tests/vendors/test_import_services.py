"""The import page's writes are services: they take the actor, check the right, run in one
transaction and audit (the page only parses the upload and renders the bar)."""

import pytest

from katalog.core.errors import NotAllowed
from katalog.core.models import AuditLog
from katalog.vendors import imports, services
from katalog.vendors.models import ImportStatus, Vendor, VendorImport
from tests import factories as f
from tests.vendors.test_import import MIXED, csv_bytes


@pytest.fixture
def table():
    return imports.read_table(csv_bytes(MIXED), "daftar.csv")


@pytest.mark.parametrize("role", [r for r in f.ALL_ROLES if r != "catalogue_manager"])
def test_only_the_catalogue_manager_starts_an_import(users, table, role):
    with pytest.raises(NotAllowed):
        services.vendor_import_start(actor=f.actor(users[role]), file_name="daftar.csv", table=table)
    assert not VendorImport.objects.exists()
    assert not AuditLog.objects.filter(action__startswith="vendor.import").exists()


def test_an_import_is_started_and_run_in_audited_steps(medan, manager, table, monkeypatch):
    monkeypatch.setattr(imports, "BATCH", 5)
    me = f.actor(manager)
    # when: started
    job = services.vendor_import_start(actor=me, file_name="daftar.csv", table=table)
    # then
    assert (job.katalog, job.created_by, job.total, job.processed, job.status) == (medan, manager, 8, 0, "running")
    assert job.duplicates == {7: 2}
    start = AuditLog.objects.get(action="vendor.import_start")
    assert (start.actor, start.object_id, start.data) == (manager, str(job.pk), {"file": "daftar.csv", "rows": 8})
    # when: the first step (5 rows)
    job = services.vendor_import_step(actor=me, job=job)
    assert (job.processed, job.status) == (5, ImportStatus.RUNNING)
    assert not AuditLog.objects.filter(action="vendor.import").exists()
    # when: the last step
    job = services.vendor_import_step(actor=me, job=job)
    assert (job.processed, job.imported, job.rejected, job.status) == (8, 3, 5, ImportStatus.DONE)
    assert job.finished_at is not None
    done = AuditLog.objects.get(action="vendor.import")
    assert done.data == {"file": "daftar.csv", "imported": 3, "updated": 0, "unchanged": 0, "rejected": 5}
    # and a step on a finished job changes nothing
    assert services.vendor_import_step(actor=me, job=job).processed == 8
    assert Vendor.objects.count() == 3 and AuditLog.objects.filter(action="vendor.import").count() == 1


def test_another_tenants_manager_cannot_run_a_step(medan, binjai, manager, table):
    job = services.vendor_import_start(actor=f.actor(manager), file_name="daftar.csv", table=table)
    stranger = f.actor(f.make_user(binjai, "catalogue_manager"))
    with pytest.raises(NotAllowed):
        services.vendor_import_step(actor=stranger, job=job)
    job.refresh_from_db()
    assert job.processed == 0 and not Vendor.objects.exists()
