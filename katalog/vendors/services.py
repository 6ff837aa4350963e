"""Every write about vendors. Each function takes the acting user, checks the right, runs in one
transaction and writes its audit entry there. A change of what a vendor's products show in search
(size class, district, status) queues those products in the search outbox in the same transaction;
e-mails are queued when it commits."""

import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from katalog.accounts.models import Membership
from katalog.accounts.selectors import Actor
from katalog.accounts.services import send_invitation
from katalog.core import audit
from katalog.core.errors import NotAllowed, ValidationFailed
from katalog.core.models import Katalog, Region
from katalog.core.permissions import Permission, Role
from katalog.core.tabular import Table
from katalog.core.workflow import require_reason
from katalog.messaging.services import link_to, send_to_vendor

from . import imports, workflow
from .documents import check_document
from .indexing import indexed_facts, reindex_products
from .models import ImportStatus, SizeClassChange, Vendor, VendorDocument, VendorImport, VendorSource, VendorStatus
from .size_class import classify

# Fields an owner or a Pengelola may write through `vendor_update`.
EDITABLE = (
    "name",
    "owner_name",
    "nib",
    "npwp",
    "kbli",
    "sector",
    "address",
    "region",
    "phone",
    "email",
    "is_vat_registered",
    "capital",
    "annual_sales",
    # Tax and payment facts: the PP 55/2022 certificate (final PPh) and where the treasurer pays.
    "pp55_certificate",
    "bank_name",
    "bank_account_number",
    "bank_account_name",
)
# Fields a verified vendor may still change on its own: they are not what was verified, and the
# treasurer needs them current (the certificate is checked again when a payment is recorded).
EDITABLE_WHEN_VERIFIED = ("phone", "email", "pp55_certificate", "bank_name", "bank_account_number", "bank_account_name")
# What must be filled in before a registration can be submitted.
REQUIRED_TO_SUBMIT = ("name", "owner_name", "nib", "npwp", "kbli", "address", "region", "phone", "capital")


def _district_of(region: Region | None) -> str | None:
    return region.district_code if region else None


def _apply_size_class(*, vendor: Vendor, reason: str, evidence: str = "", on=None) -> None:
    """Recompute the class; once the vendor has a history (from its first submission), every
    change is kept with its date, old and new class and the reason."""
    new = classify(capital=vendor.capital, annual_sales=vendor.annual_sales)
    has_history = vendor.pk and SizeClassChange.objects.filter(vendor=vendor).exists()
    if has_history and new != vendor.size_class:
        SizeClassChange.objects.create(
            katalog_id=vendor.katalog_id,
            vendor=vendor,
            changed_on=on or timezone.localdate(),
            old_class=vendor.size_class,
            new_class=new,
            capital=vendor.capital,
            annual_sales=vendor.annual_sales,
            reason=reason,
            evidence=evidence,
        )
    vendor.size_class = new


def _start_history(*, vendor: Vendor, reason: str) -> None:
    if not SizeClassChange.objects.filter(vendor=vendor).exists():
        SizeClassChange.objects.create(
            katalog_id=vendor.katalog_id,
            vendor=vendor,
            changed_on=timezone.localdate(),
            old_class="",
            new_class=vendor.size_class,
            capital=vendor.capital,
            annual_sales=vendor.annual_sales,
            reason=reason,
        )


def _check_nib_free(*, katalog_id: int, nib: str, exclude_pk: int | None) -> None:
    if not nib:
        return
    taken = Vendor.objects.filter(katalog_id=katalog_id, nib=nib).exclude(pk=exclude_pk).exists()
    if taken:
        raise ValidationFailed(
            _("A vendor with NIB %(nib)s is already registered in this catalogue.") % {"nib": nib},
            code="nib_taken",
            fields={"nib": [_("This NIB is already registered. Contact the Dinas desk if it is yours.")]},
        )


def _check_verified_fields(vendor: Vendor, data: dict[str, Any]) -> None:
    """What was verified stays as verified: its owner changes only `EDITABLE_WHEN_VERIFIED`."""
    locked = [k for k, v in data.items() if k not in EDITABLE_WHEN_VERIFIED and getattr(vendor, k) != v]
    if locked:
        labels = ", ".join(str(Vendor._meta.get_field(k).verbose_name) for k in locked)
        raise ValidationFailed(
            _("Your business is verified; ask the Dinas desk to change: %(fields)s.") % {"fields": labels},
            code="locked",
        )


def _can_edit(actor: Actor, vendor: Vendor) -> bool:
    if actor.katalog is None or vendor.katalog_id != actor.katalog.pk:
        return False
    if actor.can(Permission.VENDOR_REGISTER_ASSISTED):
        return True
    return actor.can(Permission.VENDOR_EDIT_OWN) and vendor.users.filter(pk=actor.user.pk).exists()


@transaction.atomic
def vendor_register_self(
    *, katalog: Katalog, username: str, password: str, name: str, owner_name: str, email: str, phone: str
) -> Vendor:
    """A UMKM owner starts a registration: an account, a Penyedia membership and a draft vendor."""
    user = User.objects.create_user(username=username, password=password, email=email, first_name=owner_name)
    Membership.objects.create(user=user, katalog=katalog, role=Role.VENDOR)
    vendor = Vendor.objects.create(
        katalog=katalog, name=name, owner_name=owner_name, email=email, phone=phone, source=VendorSource.SELF
    )
    vendor.users.add(user)
    audit.record(actor=user, action="vendor.register_self", obj=vendor, katalog=katalog)
    return vendor


def registration_code_send(*, katalog: Katalog, phone: str, client_ip: str) -> None:
    """Send a one-time code to `phone` (E.164) to confirm it at a registration by phone only: the
    code machinery of the sign-in by phone (accounts/otp.py: 6 digits, 10 minutes, five wrong tries,
    the same sending limits; raises `TooManyCodes` past them)."""
    from katalog.accounts import otp
    from katalog.accounts.models import LoginCode
    from katalog.accounts.otp_delivery import deliver_login_code

    otp.check_limits(katalog=katalog, phone=phone, client_ip=client_ip or "unknown")
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        LoginCode.objects.filter(katalog=katalog, phone=phone, used=False).update(used=True)
        LoginCode.objects.create(
            katalog=katalog,
            phone=phone,
            code_hash=otp.code_digest(phone, code),
            expires_at=timezone.now() + otp.CODE_LIFETIME,
        )
        deliver_login_code(katalog=katalog, phone=phone, code=code)


def _registration_code_ok(*, katalog: Katalog, phone: str, code: str) -> bool:
    """Is `code` the current code of `phone`? A wrong one counts against it (the fifth voids it);
    a good one is used up."""
    import hmac

    from django.db.models import F

    from katalog.accounts import otp
    from katalog.accounts.models import LoginCode

    current = (
        LoginCode.objects.select_for_update()
        .filter(katalog=katalog, phone=phone, used=False, expires_at__gt=timezone.now(), attempts__lt=otp.MAX_WRONG)
        .order_by("-created_at")
        .first()
    )
    if current is None:
        return False
    if not hmac.compare_digest(current.code_hash, otp.code_digest(phone, str(code).strip())):
        LoginCode.objects.filter(pk=current.pk).update(attempts=F("attempts") + 1)
        return False
    return bool(LoginCode.objects.filter(pk=current.pk, used=False).update(used=True))


@transaction.atomic
def vendor_register_by_phone(
    *, katalog: Katalog, phone_e164: str, phone: str, code: str, name: str, owner_name: str
) -> Vendor | None:
    """A UMKM owner without an e-mail starts a registration: once the code sent to the phone is
    right, an account with no password (it signs in with codes; the phone, E.164, on its profile),
    a Penyedia membership and a draft vendor. None when the code is wrong or expired."""
    from katalog.accounts.models import Profile

    from .claim import _username_for

    if not _registration_code_ok(katalog=katalog, phone=phone_e164, code=code):
        return None
    if Profile.objects.filter(phone=phone_e164).exists():
        raise ValidationFailed(
            _("An account with this phone number already exists. Sign in with it instead."), code="phone_taken"
        )
    user = User.objects.create_user(
        username=_username_for(owner_name or name, phone_e164), email="", first_name=owner_name[:150], password=None
    )
    Profile.objects.create(user=user, phone=phone_e164)
    Membership.objects.create(user=user, katalog=katalog, role=Role.VENDOR)
    vendor = Vendor.objects.create(
        katalog=katalog, name=name, owner_name=owner_name, email="", phone=phone, source=VendorSource.SELF
    )
    vendor.users.add(user)
    audit.record(actor=user, action="vendor.register_self", obj=vendor, katalog=katalog, by="phone")
    return vendor


@transaction.atomic
def vendor_update(*, actor: Actor, vendor: Vendor, data: dict[str, Any], evidence: str = "") -> Vendor:
    """Write some of a vendor's fields (already cleaned by a form or schema)."""
    if not _can_edit(actor, vendor):
        raise NotAllowed()
    vendor = Vendor.objects.select_for_update().get(pk=vendor.pk)
    if vendor.status == VendorStatus.SUBMITTED and not actor.can(Permission.VENDOR_VERIFY):
        raise ValidationFailed(_("Your registration is being verified; it cannot be changed now."), code="locked")
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise ValidationFailed(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if vendor.status == VendorStatus.VERIFIED and not actor.can(Permission.VENDOR_VERIFY):
        _check_verified_fields(vendor, data)
    if "nib" in data:
        _check_nib_free(katalog_id=vendor.katalog_id, nib=data["nib"], exclude_pk=vendor.pk)
    changed = {k: v for k, v in data.items() if getattr(vendor, k) != v}
    before = indexed_facts(vendor)
    for key, value in changed.items():
        setattr(vendor, key, value)
    if "region" in changed:
        vendor.district_id = _district_of(vendor.region)
    _apply_size_class(vendor=vendor, reason=_("Capital or sales updated"), evidence=evidence)
    vendor.save()
    if indexed_facts(vendor) != before:
        reindex_products(katalog_id=vendor.katalog_id, vendor_ids=[vendor.pk])
    if changed:
        audit.record(
            actor=actor.user,
            action="vendor.update",
            obj=vendor,
            katalog=vendor.katalog,
            fields=sorted(changed),
        )
    return vendor


@transaction.atomic
def vendor_upload_document(*, actor: Actor, vendor: Vendor, kind: str, upload) -> VendorDocument:
    """Store a document after checking its content; a new upload replaces the old one."""
    if not _can_edit(actor, vendor):
        raise NotAllowed()
    try:
        extension, content_type = check_document(upload)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], code=exc.code or "invalid", fields={kind: exc.messages}) from exc
    old = VendorDocument.objects.filter(vendor=vendor, kind=kind).first()
    if old:
        old.file.delete(save=False)
        old.delete()
    doc = VendorDocument(
        vendor=vendor,
        kind=kind,
        token=secrets.token_hex(8),
        extension=extension,
        content_type=content_type,
        size=upload.size,
        original_name=str(upload.name)[:200],
    )
    doc.file.save("upload", upload, save=False)
    doc.save()
    audit.record(actor=actor.user, action="vendor.document", obj=vendor, katalog=vendor.katalog, kind=kind)
    return doc


@transaction.atomic
def vendor_upload_documents(*, actor: Actor, vendor: Vendor, uploads: dict[str, Any]) -> list[VendorDocument]:
    """Several documents at once (a step of the registration): all are stored, or none."""
    return [
        vendor_upload_document(actor=actor, vendor=vendor, kind=kind, upload=upload)
        for kind, upload in uploads.items()
        if upload
    ]


def missing_for_submit(vendor: Vendor) -> list[str]:
    """Names of the fields still empty, as labels the owner recognises."""
    missing = [Vendor._meta.get_field(f).verbose_name for f in REQUIRED_TO_SUBMIT if not getattr(vendor, f)]
    if not vendor.documents.filter(kind="nib").exists():
        missing.append(_("NIB certificate"))
    return [str(m) for m in missing]


def _transition(*, actor: Actor, vendor: Vendor, action: str, reason: str = "") -> tuple[Vendor, str]:
    """Check the right and the table, lock the row, and require a reason where the table says so.
    Returns the locked vendor (its new status set, not saved) and its old status."""
    if actor.katalog is None or vendor.katalog_id != actor.katalog.pk:
        raise NotAllowed()
    if action in workflow.DECISIONS:
        if not actor.can(Permission.VENDOR_VERIFY):
            raise NotAllowed()
    elif not _can_edit(actor, vendor):
        raise NotAllowed()
    vendor = Vendor.objects.select_for_update().get(pk=vendor.pk)
    old = vendor.status
    vendor.status = workflow.next_status(status=old, action=action, roles=actor.roles)
    if action in workflow.NEEDS_REASON:
        reason = require_reason(reason)
    vendor.status_reason = reason
    return vendor, old


def _finish(*, actor: Actor, vendor: Vendor, old: str, action: str) -> Vendor:
    vendor.save()
    if vendor.status != old:
        # Only a verified vendor's products are searchable.
        reindex_products(katalog_id=vendor.katalog_id, vendor_ids=[vendor.pk])
    audit.record(
        actor=actor.user,
        action=f"vendor.{action}",
        obj=vendor,
        katalog=vendor.katalog,
        old=old,
        new=vendor.status,
        reason=vendor.status_reason,
    )
    return vendor


@transaction.atomic
def vendor_submit(*, actor: Actor, vendor: Vendor) -> Vendor:
    """Send the registration to the Pengelola's queue; everything required must be there."""
    # Who may, and from which state, first: an outsider learns nothing about the registration.
    vendor, old = _transition(actor=actor, vendor=vendor, action=workflow.SUBMIT)
    missing = missing_for_submit(vendor)
    if missing:
        raise ValidationFailed(
            _("Some data is still missing: %(fields)s.") % {"fields": ", ".join(missing)}, code="incomplete"
        )
    vendor.submitted_at = timezone.now()
    _start_history(vendor=vendor, reason=_("First classification at registration"))
    return _finish(actor=actor, vendor=vendor, old=old, action="submit")


@transaction.atomic
def vendor_approve(*, actor: Actor, vendor: Vendor) -> Vendor:
    vendor, old = _transition(actor=actor, vendor=vendor, action=workflow.APPROVE)
    vendor.verified_at = timezone.now()
    vendor.verified_by = actor.user
    vendor = _finish(actor=actor, vendor=vendor, old=old, action="approve")
    _tell(vendor, "vendor.verified", _("Your business %(name)s is verified: you can now list products."))
    return vendor


@transaction.atomic
def vendor_reject(*, actor: Actor, vendor: Vendor, reason: str) -> Vendor:
    vendor, old = _transition(actor=actor, vendor=vendor, action=workflow.REJECT, reason=reason)
    vendor = _finish(actor=actor, vendor=vendor, old=old, action="reject")
    _tell(vendor, "vendor.rejected", _("The registration of %(name)s was rejected. Reason: %(reason)s"))
    return vendor


@transaction.atomic
def vendor_request_revision(*, actor: Actor, vendor: Vendor, reason: str) -> Vendor:
    vendor, old = _transition(actor=actor, vendor=vendor, action=workflow.REQUEST_REVISION, reason=reason)
    vendor = _finish(actor=actor, vendor=vendor, old=old, action="request-revision")
    _tell(vendor, "vendor.revision_requested", _("Please revise the registration of %(name)s: %(reason)s"))
    return vendor


def _tell(vendor: Vendor, kind: str, text: str) -> None:
    """Message the vendor about its verification (sent by the worker after the commit)."""
    send_to_vendor(
        vendor=vendor,
        subject=_("%(catalogue)s: your registration") % {"catalogue": vendor.katalog.name},
        text=text % {"name": vendor.name, "reason": vendor.status_reason},
        link=link_to(vendor.katalog, "vendors:mine"),
        kind=kind,
    )


@dataclass
class AssistedResult:
    vendor: Vendor
    user: User


@transaction.atomic
def vendor_register_assisted(
    *,
    actor: Actor,
    data: dict[str, Any],
    documents: dict[str, Any] | None = None,
    verify_now: bool = True,
    site_url: str = "",
) -> AssistedResult:
    """The Dinas desk registers a vendor for its owner. The owner gets an e-mail invitation to
    set a password (queued when this commits, sent by the task worker: a mail server that is down
    never fails the registration). With `verify_now` (originals seen at the desk) the vendor is
    verified at once."""
    if not actor.can(Permission.VENDOR_REGISTER_ASSISTED) or actor.katalog is None:
        raise NotAllowed()
    katalog = actor.katalog
    _check_nib_free(katalog_id=katalog.pk, nib=data.get("nib", ""), exclude_pk=None)
    email = data["email"]
    if User.objects.filter(username__iexact=email).exists():
        raise ValidationFailed(
            _("An account with this e-mail already exists."),
            code="email_taken",
            fields={"email": [_("An account with this e-mail already exists.")]},
        )
    user = User.objects.create_user(username=email, email=email, first_name=data.get("owner_name", ""))
    user.set_unusable_password()
    user.save()
    Membership.objects.create(user=user, katalog=katalog, role=Role.VENDOR)
    fields = {k: v for k, v in data.items() if k in EDITABLE}
    vendor = Vendor(katalog=katalog, source=VendorSource.ASSISTED, **fields)
    vendor.district_id = _district_of(vendor.region)
    vendor.size_class = classify(capital=vendor.capital, annual_sales=vendor.annual_sales)
    vendor.save()
    vendor.users.add(user)
    audit.record(actor=actor.user, action="vendor.register_assisted", obj=vendor, katalog=katalog)
    vendor_upload_documents(actor=actor, vendor=vendor, uploads=documents or {})
    vendor = vendor_submit(actor=actor, vendor=vendor)
    if verify_now:
        vendor = vendor_approve(actor=actor, vendor=vendor)
    send_invitation(user=user, katalog=katalog, vendor_name=vendor.name, site_url=site_url)
    return AssistedResult(vendor=vendor, user=user)


# --- Import of the Dinas registry from the page ----------------------------------------------------


def _may_import(actor: Actor, job: VendorImport | None = None) -> bool:
    if actor.katalog is None or not actor.can(Permission.VENDOR_IMPORT):
        return False
    return job is None or job.katalog_id == actor.katalog.pk


@transaction.atomic
def vendor_import_start(*, actor: Actor, file_name: str, table: Table) -> VendorImport:
    """Keep an uploaded registry (already read into `table`) as a job; the task worker checks its
    rows into a preview after the commit. Nothing is written to vendors before the clerk confirms."""
    if not _may_import(actor):
        raise NotAllowed()
    job = VendorImport.objects.create(
        katalog=actor.katalog,
        created_by=actor.db_user,
        file_name=file_name[:200],
        rows=table.rows,
        total=len(table.rows),
        duplicates=imports.find_duplicates(table.rows),
        status=ImportStatus.CHECKING,
    )
    audit.record(
        actor=actor.user, action="vendor.import_start", obj=job, katalog=job.katalog, file=job.file_name, rows=job.total
    )
    _run_later(job)
    return job


@transaction.atomic
def vendor_import_confirm(
    *, actor: Actor, job: VendorImport, chosen: list[int] | None = None, invite: bool = False
) -> VendorImport:
    """The clerk confirms a preview: the worker then writes the rows. `chosen` are the lines of
    conflicts the clerk ticked (to be applied); every other conflict is held back. With `invite`,
    the owners of the new records are invited once the rows are written (`import_invite_new`)."""
    if not _may_import(actor, job):
        raise NotAllowed()
    job = VendorImport.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportStatus.PREVIEW:
        raise ValidationFailed(_("This import is not waiting for confirmation."), code="import_not_preview")
    conflicts = {row["line"] for row in job.preview if row["kind"] == imports.Kind.CONFLICT}
    job.chosen = sorted({int(line) for line in chosen or []} & conflicts)
    job.status, job.processed, job.invite = ImportStatus.RUNNING, 0, bool(invite)
    job.progressed_at = timezone.now()
    job.save(update_fields=["chosen", "status", "processed", "invite", "progressed_at"])
    audit.record(
        actor=actor.user,
        action="vendor.import_confirm",
        obj=job,
        katalog=job.katalog,
        chosen=job.chosen,
        invite=job.invite,
    )
    _run_later(job)
    return job


@transaction.atomic
def vendor_import_cancel(*, actor: Actor, job: VendorImport) -> VendorImport:
    """The clerk discards a preview (nothing was written)."""
    if not _may_import(actor, job):
        raise NotAllowed()
    job = VendorImport.objects.select_for_update().get(pk=job.pk)
    if job.status not in (ImportStatus.CHECKING, ImportStatus.PREVIEW):
        raise ValidationFailed(_("Only an import that was not applied can be cancelled."), code="import_not_preview")
    job.status, job.finished_at = ImportStatus.CANCELLED, timezone.now()
    job.save(update_fields=["status", "finished_at"])
    audit.record(actor=actor.user, action="vendor.import_cancel", obj=job, katalog=job.katalog)
    return job


@transaction.atomic
def vendor_import_resume(*, actor: Actor, job: VendorImport) -> VendorImport:
    """The clerk resumes a job whose worker died ("Lanjutkan"): it is queued again and goes on from
    the first row not yet done. Each batch is written in the same transaction as the progress that
    counts it (`vendor_import_step`), so a batch the dead worker had begun was rolled back and is
    done once; rows already applied are never applied again. Only a stalled job may be resumed."""
    if not _may_import(actor, job):
        raise NotAllowed()
    job = VendorImport.objects.select_for_update().get(pk=job.pk)
    if not job.is_stalled:
        raise ValidationFailed(_("This import is not stalled: it is still moving, or it is over."), code="not_stalled")
    job.progressed_at = timezone.now()  # a second click within the wait does not queue it twice
    job.save(update_fields=["progressed_at"])
    audit.record(
        actor=actor.user,
        action="vendor.import_resume",
        obj=job,
        katalog=job.katalog,
        status=job.status,
        at=job.processed,
    )
    _run_later(job)
    return job


def _run_later(job: VendorImport) -> None:
    from .tasks import run_vendor_import

    transaction.on_commit(lambda: run_vendor_import.enqueue(job.pk))


@transaction.atomic
def vendor_import_step(*, job: VendorImport) -> VendorImport:
    """One batch of the worker's job in one transaction (the job row is locked, so two workers never
    take the same rows). While checking: the batch's rows join the preview; the last batch opens the
    preview to the clerk. While running: the batch is written (conflicts held back unless chosen);
    the last batch marks the job done and writes the audit entry with the totals."""
    job = VendorImport.objects.select_for_update().get(pk=job.pk)
    if not job.in_progress:
        return job
    rows = [(int(line), values) for line, values in job.rows[job.processed : job.processed + imports.BATCH]]
    duplicates = {int(k): v for k, v in job.duplicates.items()}
    if job.status == ImportStatus.CHECKING:
        plans = imports.plan_rows(katalog=job.katalog, rows=rows, duplicates=duplicates)
        job.preview = job.preview + [plan.as_json() for plan in plans]
        job.processed += len(rows)
        job.progressed_at = timezone.now()
        if job.processed >= job.total:
            job.status = ImportStatus.PREVIEW
        job.save(update_fields=["preview", "processed", "status", "progressed_at"])
        return job
    outcome = imports.import_rows(
        katalog=job.katalog,
        rows=rows,
        duplicates=duplicates,
        source_name=job.file_name,
        chosen=set(job.chosen),
    )
    job.processed += len(rows)
    job.imported += outcome.imported
    job.updated += outcome.updated
    job.unchanged += outcome.unchanged
    job.rejections = job.rejections + [list(r) for r in outcome.rejections]
    job.conflicts = job.conflicts + [list(r) for r in outcome.conflicts]
    job.progressed_at = timezone.now()
    if job.processed >= job.total:
        job.status = ImportStatus.DONE
        job.finished_at = timezone.now()
        if job.invite:
            new_nibs = [row["nib"] for row in job.preview if row["kind"] == imports.Kind.NEW]
            job.invited = import_invite_new(katalog=job.katalog, by=job.created_by, nibs=new_nibs)
        audit.record(
            actor=job.created_by,
            action="vendor.import",
            obj=job,
            katalog=job.katalog,
            file=job.file_name,
            imported=job.imported,
            updated=job.updated,
            unchanged=job.unchanged,
            rejected=job.rejected,
            conflicts=job.conflicted,
            **({"invited": job.invited} if job.invite else {}),
        )
    job.save()
    return job


def import_invite_new(*, katalog: Katalog, by: User | None = None, nibs=None, since_pk: int | None = None) -> int:
    """Invite the owners of the new records of a registry import (the page's "invite the owners"
    box, `katalog import_umkm --invite`): its records by `nibs`, or the registry records made after
    the vendor `since_pk`, that `invitations.invitable` allows (unclaimed, a phone or e-mail, not
    invited within the interval). Like `invitations.invite_many`: marked invited and audited now,
    the messages queued when the transaction commits, spread at `KATALOG_INVITES_PER_MINUTE`.
    Returns how many were invited."""
    from .invitations import invitable, invitation_link, invite_ids, per_minute

    qs = invitable(katalog)
    if nibs is not None:
        qs = qs.filter(nib__in=list(nibs))
    if since_pk is not None:
        qs = qs.filter(pk__gt=since_pk)
    with transaction.atomic():
        ids = list(qs.select_for_update().values_list("pk", flat=True))
        invite_ids(katalog=katalog, ids=ids, by=by, link=invitation_link(katalog), rate=per_minute(), source="import")
    return len(ids)


def vendor_import_fail(*, job: VendorImport, error: str) -> None:
    """Mark a job the worker could not finish (what was written in earlier batches stays)."""
    VendorImport.objects.filter(pk=job.pk).update(
        status=ImportStatus.FAILED, error=error[:2000], finished_at=timezone.now()
    )
