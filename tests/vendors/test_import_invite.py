"""Issue 8: "an import with e-mail or phone numbers invites nobody". The import preview's box
"invite the owners of the new records" and `katalog import_umkm --invite`: the new unclaimed
records with a phone or e-mail are invited (the rules of vendors/invitations.py), and the summary
says how many."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from katalog.core.models import AuditLog
from katalog.vendors.models import Vendor, VendorImport
from tests import factories as f
from tests.accounts.otp_helpers import outbox_at
from tests.vendors.test_import import MIXED, csv_bytes

# MIXED: three new rows; two of them (lines 2 and 6) have a phone and an e-mail, line 9 has neither.
WITH_CONTACT = {"Kedai Horas 1", "Kedai Horas 5"}


@pytest.fixture
def outbox(settings, tmp_path):
    from django.core.cache import cache

    yield outbox_at(settings, tmp_path / "messages.jsonl")  # also: tasks run at once
    cache.clear()


def _invitations(outbox) -> list[dict]:
    return [line for line in outbox.lines() if line["to"].endswith("81234567890")]


def _previewed_job(client, capture):
    with capture(execute=True):
        client.post("/penyedia/kelola/impor/", {"file": SimpleUploadedFile("daftar.csv", csv_bytes(MIXED), "text/csv")})
    return VendorImport.objects.get()


def _confirm(client, job, capture, **data):
    with capture(execute=True):
        response = client.post(f"/penyedia/kelola/impor/{job.pk}/terapkan/", data)
    job.refresh_from_db()
    return client.get(response["Location"]).content.decode()


def test_the_preview_offers_the_box_unticked_and_without_it_nobody_is_invited(
    client_as, medan, manager, outbox, django_capture_on_commit_callbacks
):
    client = client_as(manager)
    client.cookies["django_language"] = "en"
    job = _previewed_job(client, django_capture_on_commit_callbacks)
    page = client.get(f"/penyedia/kelola/impor/{job.pk}/").content.decode()
    assert 'name="invite" value="1"' in page and "Invite the owners of the new records" in page
    assert 'name="invite" value="1" checked' not in page
    page = _confirm(client, job, django_capture_on_commit_callbacks)
    assert (job.status, job.imported, job.invite, job.invited) == ("done", 3, False, 0)
    assert not Vendor.objects.filter(invited_at__isnull=False).exists()
    assert _invitations(outbox) == []
    assert 'data-testid="import-invited"' not in page


def test_ticked_the_new_records_with_a_phone_or_e_mail_are_invited(
    client_as, medan, manager, outbox, django_capture_on_commit_callbacks
):
    old = f.make_vendor(medan, name="Kedai Lama", source="import", status="verified")
    client = client_as(manager)
    client.cookies["django_language"] = "en"
    job = _previewed_job(client, django_capture_on_commit_callbacks)
    page = _confirm(client, job, django_capture_on_commit_callbacks, invite="1")
    assert (job.status, job.imported, job.invite, job.invited) == ("done", 3, True, 2)
    assert "2 owners of new records were invited." in page
    invited = set(Vendor.objects.filter(invited_at__isnull=False).values_list("name", flat=True))
    assert invited == WITH_CONTACT  # not the record without contact, not the older record
    old.refresh_from_db()
    assert old.invited_at is None
    assert len(_invitations(outbox)) == 2  # sent by the worker (at once here)
    assert AuditLog.objects.filter(action="vendor.invite").count() == 2
    assert AuditLog.objects.get(action="vendor.import").data["invited"] == 2


def test_the_command_appends_invited_only_with_the_flag(medan, tmp_path, outbox):
    src = tmp_path / "daftar.csv"
    src.write_bytes(csv_bytes(MIXED))
    out = io.StringIO()
    call_command("import_umkm", str(src), "--katalog", "12.71", "--dry-run", "--invite", stdout=out)
    assert out.getvalue().strip() == "imported 3, updated 0, unchanged 0, rejected 5, invited 0"
    assert not Vendor.objects.exists()

    out = io.StringIO()
    call_command("import_umkm", str(src), "--katalog", "12.71", "--invite", stdout=out)
    assert out.getvalue().strip() == "imported 3, updated 0, unchanged 0, rejected 5, invited 2"
    assert set(Vendor.objects.filter(invited_at__isnull=False).values_list("name", flat=True)) == WITH_CONTACT

    # Again: nothing is new, nobody is invited a second time within the week.
    first = dict(Vendor.objects.values_list("pk", "invited_at"))
    out = io.StringIO()
    call_command("import_umkm", str(src), "--katalog", "12.71", "--invite", stdout=out)
    assert out.getvalue().strip() == "imported 0, updated 0, unchanged 3, rejected 5, invited 0"
    assert dict(Vendor.objects.values_list("pk", "invited_at")) == first


def test_without_the_flag_the_command_line_is_unchanged_and_nobody_is_invited(medan, tmp_path, outbox):
    src = tmp_path / "daftar.csv"
    src.write_bytes(csv_bytes(MIXED))
    out = io.StringIO()
    call_command("import_umkm", str(src), "--katalog", "12.71", stdout=out)
    assert out.getvalue().strip() == "imported 3, updated 0, unchanged 0, rejected 5"
    assert not Vendor.objects.filter(invited_at__isnull=False).exists()


def test_the_weekly_limit_holds_for_a_new_record_invited_meanwhile(medan, manager, outbox):
    """A record invited within the week (by the desk, between the preview and the end of the
    import) is not invited again by the import."""
    from django.utils import timezone

    from katalog.vendors.services import import_invite_new

    recent = f.make_vendor(medan, name="Baru Diundang", source="import", status="verified")
    recent.invited_at = timezone.now()
    recent.save()
    fresh = f.make_vendor(medan, name="Belum Diundang", source="import", status="verified")
    assert import_invite_new(katalog=medan, by=manager, nibs=[recent.nib, fresh.nib]) == 1
    fresh.refresh_from_db()
    assert fresh.invited_at is not None
