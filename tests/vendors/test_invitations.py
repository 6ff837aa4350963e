"""Invitations of registry vendors, and the claim path of a registration with a registry NIB
(issue 8, "Getting in by phone")."""

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks.backends.dummy import DummyBackend

from katalog.core.errors import Conflict, NotAllowed, ValidationFailed
from katalog.core.models import AuditLog
from katalog.vendors import invitations
from katalog.vendors.models import Vendor, VendorSource, VendorStatus
from tests import factories as f

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def outbox(settings, tmp_path):
    """The messages sent, read back from the `file` backend (one JSON object a line)."""
    path = tmp_path / "messages.jsonl"
    settings.KATALOG_MESSAGE_BACKEND = "file"
    settings.KATALOG_MESSAGE_FILE = str(path)
    settings.TASKS = IMMEDIATE
    settings.KATALOG_SITE_URL = "https://katalog.medan.go.id"

    def read() -> list[dict]:
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

    return read


def registry(katalog, **fields) -> Vendor:
    """An unclaimed vendor of the Dinas registry (verified by the import, no account)."""
    fields.setdefault("source", VendorSource.IMPORT)
    return f.make_vendor(katalog, **fields)


def invite(manager, vendor, katalog):
    return invitations.vendor_invite(actor=f.actor(manager, katalog), vendor=vendor)


# --- One vendor ------------------------------------------------------------------------------------


def test_mask_phone_shows_the_start_and_the_end_only():
    assert invitations.mask_phone("081234567890") == "0812****890"
    assert invitations.mask_phone("+6281234567890") == "0812****890"
    assert invitations.mask_phone("") == ""


def test_an_invitation_sends_one_message_with_the_link_and_sets_invited_at(
    medan, manager, outbox, django_capture_on_commit_callbacks
):
    vendor = registry(medan, phone="081234567890")
    with django_capture_on_commit_callbacks(execute=True):
        invite(manager, vendor, medan)
    vendor.refresh_from_db()
    assert vendor.invited_at is not None
    sent = outbox()
    assert len(sent) == 1
    assert sent[0]["channel"] == "whatsapp"
    assert sent[0]["to"].endswith("81234567890")
    assert "https://katalog.medan.go.id" + invitations.sign_in_path() in sent[0]["text"]
    assert AuditLog.objects.filter(action="vendor.invite", object_id=str(vendor.pk)).count() == 1


def test_without_a_phone_the_invitation_goes_to_the_email(medan, manager, outbox, django_capture_on_commit_callbacks):
    vendor = registry(medan, phone="", email="butet@example.id")
    with django_capture_on_commit_callbacks(execute=True):
        invite(manager, vendor, medan)
    assert [(m["channel"], m["to"]) for m in outbox()] == [("email", "butet@example.id")]


def test_a_second_invitation_within_a_week_is_refused_and_sends_nothing(
    medan, manager, outbox, django_capture_on_commit_callbacks
):
    vendor = registry(medan, invited_at=timezone.now() - timedelta(days=6))
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Conflict) as exc:
        invite(manager, vendor, medan)
    assert exc.value.code == "invited_recently"
    assert outbox() == []
    # After the week, it may be sent again.
    Vendor.objects.filter(pk=vendor.pk).update(invited_at=timezone.now() - timedelta(days=8))
    with django_capture_on_commit_callbacks(execute=True):
        invite(manager, vendor, medan)
    assert len(outbox()) == 1


def test_the_interval_is_a_setting(medan, manager, outbox, settings, django_capture_on_commit_callbacks):
    settings.KATALOG_INVITE_INTERVAL_DAYS = 1
    vendor = registry(medan, invited_at=timezone.now() - timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        invite(manager, vendor, medan)
    assert len(outbox()) == 1


def test_a_claimed_vendor_is_refused(medan, manager, users, outbox, django_capture_on_commit_callbacks):
    claimed = registry(medan, claimed_at=timezone.now())
    with_account = registry(medan, users=[users["penyedia"]])
    for vendor in (claimed, with_account):
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(Conflict) as exc:
            invite(manager, vendor, medan)
        assert exc.value.code == "already_claimed"
    assert outbox() == []
    assert Vendor.objects.filter(invited_at__isnull=False).count() == 0


def test_a_vendor_without_phone_or_email_is_refused(medan, manager, outbox):
    vendor = registry(medan, phone="", email="")
    with pytest.raises(ValidationFailed) as exc:
        invite(manager, vendor, medan)
    assert exc.value.code == "no_contact"


@pytest.mark.parametrize("role", ["auditor", "admin", "pp", "penyedia"])
def test_only_the_pengelola_invites(medan, users, role, outbox):
    vendor = registry(medan)
    with pytest.raises(NotAllowed):
        invite(users[role], vendor, medan)


# --- Many at once ----------------------------------------------------------------------------------


@pytest.fixture
def kecamatan_mix(medan, users):
    """Registry vendors of two kecamatan, only some of them invitable."""
    week_ago = timezone.now() - timedelta(days=8)
    return {
        "a": registry(medan, district_id="12.71.01", region_id="12.71.01"),
        "b": registry(medan, district_id="12.71.01", region_id="12.71.01", phone="", email="b@example.id"),
        "c": registry(medan, district_id="12.71.01", region_id="12.71.01", invited_at=week_ago),
        # Not chosen: recently invited, claimed, with an account, no contact, self-registered, elsewhere.
        "recent": registry(medan, district_id="12.71.01", invited_at=timezone.now() - timedelta(days=1)),
        "claimed": registry(medan, district_id="12.71.01", claimed_at=timezone.now()),
        "account": registry(medan, district_id="12.71.01", users=[users["penyedia"]]),
        "mute": registry(medan, district_id="12.71.01", phone="", email=""),
        "self": f.make_vendor(medan, district_id="12.71.01", source=VendorSource.SELF),
        "other": registry(medan, district_id="12.71.02", region_id="12.71.02"),
    }


def test_bulk_by_kecamatan_picks_exactly_the_right_vendors(
    medan, manager, kecamatan_mix, outbox, django_capture_on_commit_callbacks
):
    before = {k: v.invited_at for k, v in kecamatan_mix.items()}
    with django_capture_on_commit_callbacks(execute=True):
        result = invitations.vendor_invite_many(actor=f.actor(manager, medan), kecamatan="12.71.01")
    assert result.count == 3
    invited = {k for k, v in kecamatan_mix.items() if Vendor.objects.get(pk=v.pk).invited_at != before[k]}
    assert invited == {"a", "b", "c"}
    assert sorted(m["to"][-11:] for m in outbox()) == sorted(["81234567890", "b@example.id"[-11:], "81234567890"])
    assert AuditLog.objects.filter(action="vendor.invite").count() == 3
    assert AuditLog.objects.filter(action="vendor.invite_many").count() == 1


def test_a_dry_run_counts_and_writes_nothing(medan, manager, kecamatan_mix, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = invitations.vendor_invite_many(actor=f.actor(manager, medan), kecamatan="12.71.01", dry_run=True)
    assert (result.count, result.dry_run) == (3, True)
    assert outbox() == []
    assert Vendor.objects.filter(invited_at__gt=timezone.now() - timedelta(days=2)).count() == 1  # "recent" only
    assert not AuditLog.objects.filter(action__startswith="vendor.invite").exists()


def test_bulk_filters_by_sector_size_class_and_limit(medan, manager, outbox, django_capture_on_commit_callbacks):
    food = [registry(medan, sector="Makanan", size_class="mikro") for _ in range(3)]
    registry(medan, sector="Makanan", size_class="kecil")
    registry(medan, sector="Sepatu", size_class="mikro")
    actor = f.actor(manager, medan)
    assert invitations.vendor_invite_many(actor=actor, sector="makanan", size_class="mikro", dry_run=True).count == 3
    with django_capture_on_commit_callbacks(execute=True):
        result = invitations.vendor_invite_many(actor=actor, sector="makanan", size_class="mikro", limit=2)
    assert result.count == 2
    assert [v.pk for v in food if Vendor.objects.get(pk=v.pk).invited_at] == [food[0].pk, food[1].pk]


def test_bulk_invitations_are_spread_at_the_rate_of_the_setting(
    medan, manager, settings, outbox, django_capture_on_commit_callbacks
):
    settings.TASKS = DUMMY
    settings.KATALOG_INVITES_PER_MINUTE = 2
    for _ in range(4):
        registry(medan)
    from katalog.vendors.tasks import send_vendor_invitation

    backend = send_vendor_invitation.get_backend()
    assert isinstance(backend, DummyBackend)
    backend.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = invitations.vendor_invite_many(actor=f.actor(manager, medan))
    assert (result.count, result.minutes) == (4, 2)
    queued = [r for r in backend.results if r.task.name == "send_vendor_invitation"]
    assert len(queued) == 4
    start = min(Vendor.objects.values_list("invited_at", flat=True))
    offsets = sorted((r.task.run_after - start).total_seconds() for r in queued)
    assert offsets == [0, 30, 60, 90]
    assert outbox() == []  # nothing sent before the worker runs them


def test_a_queued_invitation_is_not_sent_to_a_vendor_claimed_meanwhile(medan, outbox):
    vendor = registry(medan, claimed_at=timezone.now())
    assert invitations.send_queued(vendor.pk, "https://x/masuk/") == "claimed"
    assert outbox() == []


# --- The API ---------------------------------------------------------------------------------------


def token(client, user):
    response = client.post(
        "/api/v1/auth/token", {"username": user.username, "password": f.PASSWORD}, content_type="application/json"
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}"}


def test_the_invite_endpoint(client, medan, binjai, users, manager, outbox, django_capture_on_commit_callbacks):
    vendor = registry(medan)
    url = f"/api/v1/vendors/{vendor.pk}/invite"
    assert client.post(url, content_type="application/json").status_code == 401
    response = client.post(url, content_type="application/json", **token(client, users["auditor"]))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    theirs = registry(binjai)
    response = client.post(
        f"/api/v1/vendors/{theirs.pk}/invite", content_type="application/json", **token(client, manager)
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, content_type="application/json", **token(client, manager))
    assert response.status_code == 200, response.content
    assert response.json()["invited_at"] is not None
    assert len(outbox()) == 1
    response = client.post(url, content_type="application/json", **token(client, manager))
    assert response.status_code == 409
    assert response.json()["code"] == "invited_recently"
    assert len(outbox()) == 1


# --- The command -----------------------------------------------------------------------------------


def test_the_command_prints_how_many(medan, kecamatan_mix, outbox, capsys, django_capture_on_commit_callbacks):
    call_command("invite_vendors", "--katalog", "12.71", "--kecamatan", "12.71.01", "--dry-run")
    assert capsys.readouterr().out.strip() == "would invite 3"
    with django_capture_on_commit_callbacks(execute=True):
        call_command("invite_vendors", "--katalog", "12.71", "--kecamatan", "12.71.01", "--limit", "2")
    assert capsys.readouterr().out.startswith("invited 2")
    assert len(outbox()) == 2
    call_command("invite_vendors", "--katalog", "12.71", "--kecamatan", "12.71.01", "--dry-run")
    assert capsys.readouterr().out.strip() == "would invite 1"


# --- The pages -------------------------------------------------------------------------------------


def test_the_vendor_page_shows_invited_and_claimed_and_invites(
    client_as, medan, manager, outbox, django_capture_on_commit_callbacks
):
    vendor = registry(medan)
    client = client_as(manager)
    page = client.get(f"/penyedia/kelola/{vendor.pk}/").content.decode()
    assert 'id="undangan"' in page
    assert f"/penyedia/kelola/{vendor.pk}/undang/" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/penyedia/kelola/{vendor.pk}/undang/", {"phone": "0813-1111-2222"})
    assert response.status_code == 302
    vendor.refresh_from_db()
    assert vendor.invited_at is not None
    assert vendor.phone.endswith("81311112222")
    assert [m["to"][-11:] for m in outbox()] == ["81311112222"]
    # The date shows; the button is gone once claimed.
    Vendor.objects.filter(pk=vendor.pk).update(claimed_at=timezone.now())
    page = client.get(f"/penyedia/kelola/{vendor.pk}/").content.decode()
    assert f"/penyedia/kelola/{vendor.pk}/undang/" not in page
    assert page.count(" WIB") >= 2


def test_the_bulk_page_previews_then_invites(client_as, medan, manager, kecamatan_mix, outbox):
    client = client_as(manager)
    assert client.get("/penyedia/kelola/undang/").status_code == 200
    page = client.post("/penyedia/kelola/undang/", {"kecamatan": "12.71.01", "preview": "1"}).content.decode()
    assert 'id="pratinjau"' in page
    assert "3" in page.split('id="pratinjau"')[1][:80]
    just_now = timezone.now() - timedelta(hours=1)
    assert not Vendor.objects.filter(invited_at__gt=just_now).exists()  # a preview writes nothing
    response = client.post("/penyedia/kelola/undang/", {"kecamatan": "12.71.01", "send": "1"})
    assert response.status_code == 302
    invited = set(Vendor.objects.filter(invited_at__gt=just_now).values_list("pk", flat=True))
    assert invited == {kecamatan_mix[k].pk for k in ("a", "b", "c")}


def test_the_bulk_page_is_the_pengelolas(client_as, medan, users):
    assert client_as(users["auditor"]).get("/penyedia/kelola/undang/").status_code == 403


# --- A registration with a NIB already in the registry --------------------------------------------

REGISTRY_NIB = "8120000099001"


def legal_step(nib=REGISTRY_NIB):
    return {"nib": nib, "npwp": f.VALID_NPWP, "kbli": "10792", "sector": "Makanan"}


def test_self_registration_with_a_registry_nib_leads_to_the_claim_with_a_masked_phone(client_as, medan, users):
    registry(medan, nib=REGISTRY_NIB, name="UD Bika Ambon Zulaikha", owner_name="Zulaikha", phone="081234567890")
    owner = users["penyedia"]
    f.make_vendor(medan, users=[owner], status=VendorStatus.DRAFT, nib="")
    response = client_as(owner).post("/penyedia/usaha-saya/legal/", legal_step())
    page = response.content.decode()
    assert 'id="klaim"' in page
    assert "0812****890" in page
    assert invitations.sign_in_path().replace("&", "&amp;") in page
    for private in ("081234567890", "Zulaikha", "Bika Ambon"):
        assert private not in page


def test_a_registry_record_without_a_phone_leads_to_the_desk(client, medan):
    registry(medan, nib=REGISTRY_NIB, phone="", email="rahasia@example.id")
    page = client.post("/penyedia/daftar/sudah-terdaftar/", {"nib": REGISTRY_NIB}).content.decode()
    assert 'id="klaim"' in page
    assert "****" not in page
    assert "rahasia@example.id" not in page
    assert "Dinas" in page


def test_an_anonymous_nib_check_shows_only_the_masked_phone(client, medan):
    registry(medan, nib=REGISTRY_NIB, name="UD Bika Ambon Zulaikha", phone="081234567890")
    page = client.post("/penyedia/daftar/sudah-terdaftar/", {"nib": REGISTRY_NIB}).content.decode()
    assert "0812****890" in page
    assert "081234567890" not in page and "Bika Ambon" not in page
    # An unknown NIB goes on to the registration.
    response = client.post("/penyedia/daftar/sudah-terdaftar/", {"nib": "8120000099002"})
    assert response.status_code == 302
    assert response["Location"].endswith("/penyedia/daftar/")


def test_assisted_registration_with_a_registry_nib_leads_to_the_vendor(client_as, medan, manager, pdf):
    from django.core.files.uploadedfile import SimpleUploadedFile

    vendor = registry(medan, nib=REGISTRY_NIB, phone="")
    client = client_as(manager)
    response = client.post(
        "/penyedia/kelola/daftarkan/",
        {
            "name": "UD Bika",
            "owner_name": "Zulaikha",
            "email": "zulaikha@example.id",
            "phone": "0812 7777 6666",
            "nib": REGISTRY_NIB,
            "npwp": f.VALID_NPWP,
            "kbli": "10792",
            "address": "Jl. Mojopahit 1",
            "district": "12.71.01",
            "village": "12.71.01.1001",
            "capital": "50.000.000",
            "nib_document": SimpleUploadedFile("nib.pdf", pdf, content_type="application/pdf"),
            "verify_now": "on",
        },
    )
    page = response.content.decode()
    assert 'id="sudah-ada"' in page, response.context["form"].errors
    assert f"/penyedia/kelola/{vendor.pk}/" in page
    assert f"/penyedia/kelola/{vendor.pk}/undang/" in page
    assert '81277776666"' in page
    assert Vendor.objects.filter(nib=REGISTRY_NIB).count() == 1
    # The vendor's page offers the number typed at the desk beside "Undang".
    assert '81277776666"' in client.get(f"/penyedia/kelola/{vendor.pk}/").content.decode()


def test_a_large_bulk_run_is_queued_by_the_worker_at_the_same_pace(
    medan, manager, settings, outbox, django_capture_on_commit_callbacks, monkeypatch
):
    settings.TASKS = DUMMY
    settings.KATALOG_INVITES_PER_MINUTE = 60
    monkeypatch.setattr(invitations, "ENQUEUE_IN_REQUEST", 2)
    for _ in range(5):
        registry(medan)
    from katalog.vendors.tasks import queue_vendor_invitations

    backend = queue_vendor_invitations.get_backend()
    backend.clear()
    with django_capture_on_commit_callbacks(execute=True):
        invitations.vendor_invite_many(actor=f.actor(manager, medan))
    [dispatch] = backend.results
    assert dispatch.task.name == "queue_vendor_invitations"
    backend.clear()
    assert queue_vendor_invitations.call(**dispatch.kwargs) == 5
    start = min(Vendor.objects.values_list("invited_at", flat=True))
    offsets = sorted((r.task.run_after - start).total_seconds() for r in backend.results)
    assert offsets == [0, 1, 2, 3, 4]


def test_a_refused_invitation_from_the_page_keeps_the_phone_on_file(client_as, medan, manager, outbox):
    vendor = registry(medan, phone="081234567890", invited_at=timezone.now() - timedelta(days=1))
    response = client_as(manager).post(f"/penyedia/kelola/{vendor.pk}/undang/", {"phone": "081399998888"}, follow=True)
    assert "081399998888" not in Vendor.objects.get(pk=vendor.pk).phone
    assert outbox() == []
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_the_claim_path_of_a_signed_in_self_registrant_signs_out_first(client_as, medan, users):
    registry(medan, nib=REGISTRY_NIB, phone="081234567890")
    owner = users["penyedia"]
    f.make_vendor(medan, users=[owner], status=VendorStatus.DRAFT, nib="")
    client = client_as(owner)
    client.post("/penyedia/usaha-saya/legal/", legal_step())
    response = client.post("/akun/keluar/", {"next": invitations.sign_in_path()})
    assert response.status_code == 302
    assert response["Location"] == invitations.sign_in_path()
    assert client.get(invitations.sign_in_path()).status_code == 200  # signed out: the phone page opens
