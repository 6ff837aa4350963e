"""Onboarding services: registration, submission, verification, and who may do what."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from katalog.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from katalog.core.models import AuditLog
from katalog.vendors import services
from katalog.vendors.models import SizeClassChange, Vendor, VendorStatus
from tests import factories as f


def upload(name, content, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def draft(medan, pdf):
    vendor = services.vendor_register_self(
        katalog=medan,
        username="butet@example.id",
        password=f.PASSWORD,
        name="Ulos Butet",
        owner_name="Butet Siregar",
        email="butet@example.id",
        phone="081234567890",
    )
    owner = vendor.users.get()
    me = f.actor(owner)
    services.vendor_update(
        actor=me,
        vendor=vendor,
        data={
            "nib": "8120000000099",
            "npwp": f.VALID_NPWP,
            "kbli": ["13121"],
            "address": "Jl. Pemuda 1",
            "region": __import__("katalog.core.models", fromlist=["Region"]).Region.objects.get(code="12.71.01"),
            "capital": Decimal("1000000000"),
            "annual_sales": None,
        },
    )
    services.vendor_upload_document(actor=me, vendor=vendor, kind="nib", upload=upload("nib.pdf", pdf))
    return Vendor.objects.get(pk=vendor.pk), owner


def test_a_complete_registration_is_submitted_with_its_first_class(draft):
    vendor, owner = draft
    vendor = services.vendor_submit(actor=f.actor(owner), vendor=vendor)
    assert vendor.status == VendorStatus.SUBMITTED
    assert vendor.size_class == "mikro"
    assert vendor.district_id == "12.71.01"
    history = list(SizeClassChange.objects.filter(vendor=vendor).values_list("old_class", "new_class"))
    assert history == [("", "mikro")]


def test_an_incomplete_registration_cannot_be_submitted(medan):
    vendor = services.vendor_register_self(
        katalog=medan,
        username="a@example.id",
        password=f.PASSWORD,
        name="A",
        owner_name="A",
        email="a@example.id",
        phone="081234567890",
    )
    owner = vendor.users.get()
    with pytest.raises(ValidationFailed, match="NIB"):
        services.vendor_submit(actor=f.actor(owner), vendor=vendor)
    assert Vendor.objects.get(pk=vendor.pk).status == VendorStatus.DRAFT


def test_class_change_after_submission_is_kept_with_reason(draft, users):
    vendor, owner = draft
    vendor = services.vendor_submit(actor=f.actor(owner), vendor=vendor)
    services.vendor_approve(actor=f.actor(users["catalogue_manager"]), vendor=vendor)
    services.vendor_update(
        actor=f.actor(users["catalogue_manager"]),
        vendor=vendor,
        data={"capital": Decimal("1000000001")},
        evidence="Laporan keuangan 2026",
    )
    change = SizeClassChange.objects.filter(vendor=vendor).last()
    assert (change.old_class, change.new_class, change.evidence) == ("mikro", "kecil", "Laporan keuangan 2026")
    assert Vendor.objects.get(pk=vendor.pk).size_class == "kecil"


def test_rejection_needs_a_reason_and_the_owner_can_resubmit(draft, manager):
    vendor, owner = draft
    vendor = services.vendor_submit(actor=f.actor(owner), vendor=vendor)
    with pytest.raises(ValidationFailed):
        services.vendor_reject(actor=f.actor(manager), vendor=vendor, reason="  ")
    assert Vendor.objects.get(pk=vendor.pk).status == VendorStatus.SUBMITTED
    vendor = services.vendor_reject(actor=f.actor(manager), vendor=vendor, reason="Foto NIB buram")
    assert (vendor.status, vendor.status_reason) == (VendorStatus.REJECTED, "Foto NIB buram")
    vendor = services.vendor_submit(actor=f.actor(owner), vendor=vendor)
    assert vendor.status == VendorStatus.SUBMITTED
    vendor = services.vendor_approve(actor=f.actor(manager), vendor=vendor)
    assert vendor.status == VendorStatus.VERIFIED
    actions = list(
        AuditLog.objects.filter(object_id=str(vendor.pk), action__startswith="vendor.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[-4:] == ["vendor.submit", "vendor.reject", "vendor.submit", "vendor.approve"]


def test_revision_request_reaches_the_owner(draft, manager):
    vendor, owner = draft
    vendor = services.vendor_submit(actor=f.actor(owner), vendor=vendor)
    vendor = services.vendor_request_revision(actor=f.actor(manager), vendor=vendor, reason="Lengkapi KBLI")
    assert vendor.status == VendorStatus.REVISION_REQUESTED
    services.vendor_update(actor=f.actor(owner), vendor=vendor, data={"kbli": ["13121", "47711"]})
    assert services.vendor_submit(actor=f.actor(owner), vendor=vendor).status == VendorStatus.SUBMITTED


@pytest.mark.parametrize("role", [r for r in f.ALL_ROLES if r != "catalogue_manager"])
def test_only_the_catalogue_manager_verifies(draft, users, role):
    vendor, owner = draft
    vendor = services.vendor_submit(actor=f.actor(owner), vendor=vendor)
    with pytest.raises(NotAllowed):
        services.vendor_approve(actor=f.actor(users[role]), vendor=vendor)
    assert Vendor.objects.get(pk=vendor.pk).status == VendorStatus.SUBMITTED


def test_the_owner_cannot_approve_their_own_vendor(draft):
    vendor, owner = draft
    vendor = services.vendor_submit(actor=f.actor(owner), vendor=vendor)
    with pytest.raises(NotAllowed):
        services.vendor_approve(actor=f.actor(owner), vendor=vendor)


def test_a_verified_vendor_cannot_be_approved_again(medan, manager):
    vendor = f.make_vendor(medan)
    with pytest.raises(TransitionNotAllowed):
        services.vendor_approve(actor=f.actor(manager), vendor=vendor)


def test_another_tenants_manager_cannot_touch_a_vendor(draft, binjai):
    vendor, owner = draft
    vendor = services.vendor_submit(actor=f.actor(owner), vendor=vendor)
    stranger = f.make_user(binjai, "catalogue_manager")
    with pytest.raises(NotAllowed):
        services.vendor_approve(actor=f.actor(stranger), vendor=vendor)
    assert Vendor.objects.get(pk=vendor.pk).status == VendorStatus.SUBMITTED


def test_nib_is_unique_per_tenant_with_a_clear_message(medan, binjai, users):
    f.make_vendor(medan, nib="8120000000777")
    other = services.vendor_register_self(
        katalog=medan,
        username="b@example.id",
        password=f.PASSWORD,
        name="B",
        owner_name="B",
        email="b@example.id",
        phone="081234567890",
    )
    with pytest.raises(ValidationFailed) as caught:
        services.vendor_update(actor=f.actor(other.users.get()), vendor=other, data={"nib": "8120000000777"})
    assert "8120000000777" in str(caught.value.message)
    assert caught.value.fields["nib"]
    assert Vendor.objects.get(pk=other.pk).nib == ""
    # The same NIB may exist in another tenant's catalogue.
    f.make_vendor(binjai, nib="8120000000777")


def test_documents_are_judged_by_content_not_name(draft, png):
    vendor, owner = draft
    me = f.actor(owner)
    fake = upload("nib.pdf", b"MZ\x90\x00 this is an exe renamed to pdf" * 10)
    with pytest.raises(ValidationFailed) as refused:
        services.vendor_upload_document(actor=me, vendor=vendor, kind="deed", upload=fake)
    assert refused.value.code == "bad_type" and "PDF" in str(refused.value.message)
    # A right name does not make a wrong type right (issue 10): a PNG named .pdf is refused...
    with pytest.raises(ValidationFailed) as refused:
        services.vendor_upload_document(actor=me, vendor=vendor, kind="deed", upload=upload("akta.pdf", png))
    assert refused.value.code == "name_mismatch"
    # ...and the type stored is the one the bytes say, whatever the declared content type.
    doc = services.vendor_upload_document(
        actor=me, vendor=vendor, kind="deed", upload=upload("akta.png", png, "application/pdf")
    )
    assert (doc.content_type, doc.extension) == ("image/png", "png")
    assert doc.file.name.endswith(".png") and "akta" not in doc.file.name


def test_documents_over_the_size_limit_are_refused(draft, settings, pdf):
    vendor, owner = draft
    settings.KATALOG_MAX_DOCUMENT_BYTES = 100
    with pytest.raises(ValidationFailed) as refused:
        services.vendor_upload_document(actor=f.actor(owner), vendor=vendor, kind="deed", upload=upload("a.pdf", pdf))
    assert refused.value.code == "too_large"


def test_assisted_registration_verifies_and_invites_the_owner(
    manager, pdf, mailoutbox, django_capture_on_commit_callbacks, settings
):
    from katalog.core.models import Region

    # The invitation is sent by the task worker after commit; the immediate backend runs it at once.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    data = {
        "name": "Bolu Meranti Mini",
        "owner_name": "Lina Tarigan",
        "email": "lina@example.id",
        "phone": "081299990000",
        "nib": "8120000000555",
        "npwp": f.VALID_NPWP,
        "kbli": ["10710"],
        "sector": "Makanan",
        "is_vat_registered": False,
        "address": "Jl. Kruing 5",
        "region": Region.objects.get(code="12.71.01"),
        "capital": Decimal("200000000"),
        "annual_sales": None,
    }
    with django_capture_on_commit_callbacks(execute=True):
        result = services.vendor_register_assisted(
            actor=f.actor(manager), data=data, documents={"nib": upload("nib.pdf", pdf)}, verify_now=True
        )
    assert result.vendor.status == VendorStatus.VERIFIED
    assert result.vendor.source == "assisted"
    assert not result.user.has_usable_password()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["lina@example.id"]
    assert "/akun/sandi/" in mailoutbox[0].body


def test_assisted_registration_is_refused_to_other_roles(users):
    for role in ["penyedia", "pp", "ppk", "auditor", "admin", "treasurer", "budget_owner"]:
        with pytest.raises(NotAllowed):
            services.vendor_register_assisted(actor=f.actor(users[role]), data={"email": "x@example.id"})
    assert not Vendor.objects.exists()
