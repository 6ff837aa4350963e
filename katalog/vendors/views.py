"""Vendor pages. Each view: parse, load through a scoped selector, check the right, call one
service, render. Errors from services are shown on the page in the user's language."""

import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from katalog.core.bounds import Length
from katalog.core.decorators import require
from katalog.core.errors import DomainError
from katalog.core.feedback import show_domain_error
from katalog.core.idempotency import idempotent_page
from katalog.core.models import Region, RegionLevel
from katalog.core.permissions import Permission, Role

from . import forms, imports, kbli, selectors, services, workflow
from .models import DocumentKind, Vendor, VendorImport, VendorSource, VendorStatus

STEPS = [
    ("legal", gettext_lazy("Legal identity"), forms.LegalForm),
    ("alamat", gettext_lazy("Address"), forms.AddressForm),
    ("usaha", gettext_lazy("Capital and sales"), forms.FinanceForm),
    ("dokumen", gettext_lazy("Documents"), forms.DocumentsForm),
]
STEP_FORMS = {slug: form for slug, _label, form in STEPS}


REGISTER_SESSION_KEY = "register_by_phone"


@idempotent_page
def register(request):
    """Step 1 of self-registration: the account and the business name. With an e-mail, a link is
    sent to it and the account is made when it is opened (accounts/registration.py); with a phone
    only, a code is sent to the phone and the account is made once it is typed (`register_code`)."""
    katalog = request.katalog
    if not katalog:
        raise Http404
    if request.user.is_authenticated and request.actor.has_role(Role.VENDOR):
        return redirect("vendors:mine")
    from axes.helpers import get_client_ip_address

    from katalog.accounts import registration

    form = forms.AccountForm(request.POST or None, katalog=katalog)
    if request.method == "POST" and registration.registration_limited(get_client_ip_address(request) or ""):
        # Per client address (accounts/registration.py); said before the form is read.
        form = forms.AccountForm(katalog=katalog, initial=request.POST.dict())
        messages.error(request, _("Too many registrations from here. Try again in an hour."))
        return render(request, "vendors/register.html", {"form": form, "steps": STEPS, "current": "akun"}, status=429)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if form.by_phone:
            try:
                # A number with an account gets a message instead of a code: the next page is the same.
                registration.send_phone_registration(
                    katalog=katalog, phone=d["phone_e164"], client_ip=get_client_ip_address(request) or ""
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
            else:
                request.session[REGISTER_SESSION_KEY] = {
                    "name": d["name"],
                    "owner_name": d["owner_name"],
                    "phone": d["phone"],
                    "phone_e164": d["phone_e164"],
                }
                return redirect("vendors:register_code")
        else:
            # The account is made from the link sent to the address; an address with an account gets a
            # warning instead. The same page either way: the form tells nobody which addresses exist.
            registration.send_email_registration(katalog=katalog, data=d, site_url=request.build_absolute_uri("/"))
            return redirect("accounts:register_sent")
    return render(request, "vendors/register.html", {"form": form, "steps": STEPS, "current": "akun"})


def register_code(request):
    """Registration by phone only: the 6-digit code sent to the phone confirms it and makes the
    account (no password: the owner signs in later with a code). "Send a new code" asks again."""
    from katalog.accounts.forms import CodeForm

    katalog = request.katalog
    pending = request.session.get(REGISTER_SESSION_KEY)
    if not katalog or not pending:
        return redirect("vendors:register")
    if request.method == "POST" and "resend" in request.POST:
        from axes.helpers import get_client_ip_address

        try:
            services.registration_code_send(
                katalog=katalog, phone=pending["phone_e164"], client_ip=get_client_ip_address(request) or ""
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.info(request, _("A new code is on its way."))
        return redirect("vendors:register_code")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            vendor = services.vendor_register_by_phone(
                katalog=katalog,
                phone_e164=pending["phone_e164"],
                phone=pending["phone"],
                code=form.cleaned_data["code"].strip(),
                name=pending["name"],
                owner_name=pending["owner_name"],
            )
        except DomainError as exc:
            request.session.pop(REGISTER_SESSION_KEY, None)
            messages.error(request, str(exc.message))
            return redirect("accounts:login_phone")
        if vendor is None:
            form.add_error("code", _("Wrong or expired code. Check the last message, or ask for a new code."))
        else:
            request.session.pop(REGISTER_SESSION_KEY, None)
            login(request, vendor.users.get(), backend="katalog.accounts.backends.PhoneOrEmailBackend")
            messages.success(
                request,
                _(
                    "Your account is ready: you sign in with your phone number and a code. Your data is saved after every step."
                ),
            )
            return redirect("vendors:step", step=STEPS[0][0])
    return render(
        request,
        "vendors/register_code.html",
        {"form": form, "phone": pending["phone"], "steps": STEPS, "current": "akun"},
    )


def _own_vendor_or_404(request) -> Vendor:
    vendor = selectors.own_vendor(request.actor, request.session)
    if vendor is None:
        raise Http404
    return vendor


@login_required
@require_POST
def switch_vendor(request):
    """An owner of several businesses chooses which one they act for: kept in the session, read by
    every vendor page (`selectors.own_vendor`). A business they do not belong to is not found."""
    from katalog.core.redirects import redirect_next

    pk = request.POST.get("vendor", "")
    vendor = get_object_or_404(selectors.own_vendors(request.actor), pk=int(pk) if pk.isdigit() else 0)
    request.session[selectors.CHOSEN_VENDOR_KEY] = vendor.pk
    messages.success(request, _("You now act for %(name)s.") % {"name": vendor.name})
    return redirect_next(request, "vendors:mine")


def _initial(vendor: Vendor) -> dict:
    region = vendor.region
    district = village = None
    if region is not None:
        if region.level == RegionLevel.VILLAGE:
            village, district = region, region.parent
        else:
            district = region
    return {
        "name": vendor.name,
        "owner_name": vendor.owner_name,
        "phone": vendor.phone,
        "email": vendor.email,
        "nib": vendor.nib,
        "npwp": vendor.npwp,
        "kbli": ", ".join(vendor.kbli),
        "sector": vendor.sector,
        "is_vat_registered": vendor.is_vat_registered,
        "address": vendor.address,
        "district": district,
        "village": village,
        "capital": vendor.capital,
        "annual_sales": vendor.annual_sales,
    }


@login_required
def register_step(request, step: str):
    """One step of the wizard. A valid step is saved at once; an invalid one shows what to fix
    and keeps what was typed."""
    if step not in STEP_FORMS:
        raise Http404
    vendor = _own_vendor_or_404(request)
    editable = vendor.status not in (VendorStatus.SUBMITTED, VendorStatus.VERIFIED)
    form_class = STEP_FORMS[step]
    extra = {"has_nib_document": vendor.documents.filter(kind=DocumentKind.NIB).exists()} if step == "dokumen" else {}
    form = form_class(
        request.POST or None, request.FILES or None, katalog=vendor.katalog, initial=_initial(vendor), **extra
    )
    if request.method == "POST" and editable and form.is_valid():
        try:
            _save_step(request, vendor, step, form.cleaned_data)
        except DomainError as exc:
            match = _registry_match(vendor.katalog, form.cleaned_data.get("nib", ""), vendor.pk)
            if exc.code == "nib_taken" and match is not None:
                # The business is already in the catalogue (the Dinas registry): lead to the claim.
                return _render_claim(request, vendor.katalog, match)
            show_domain_error(request, form, exc)
        else:
            slugs = [s for s, _l, _f in STEPS]
            nxt = slugs.index(step) + 1
            if "save_exit" in request.POST or nxt >= len(slugs):
                return redirect("vendors:mine")
            return redirect("vendors:step", step=slugs[nxt])
    return render(
        request,
        "vendors/step.html",
        {
            "form": form,
            "vendor": vendor,
            "steps": STEPS,
            "current": step,
            "editable": editable,
            "documents": {d.kind: d for d in vendor.documents.all()},
        },
    )


def _save_step(request, vendor: Vendor, step: str, data: dict) -> None:
    actor = request.actor
    if step == "dokumen":
        uploads = {DocumentKind.NIB: data.get("nib_document"), DocumentKind.DEED: data.get("deed_document")}
        services.vendor_upload_documents(actor=actor, vendor=vendor, uploads=uploads)
        return
    if step == "alamat":
        data = {"address": data["address"], "region": data["region"]}
    services.vendor_update(actor=actor, vendor=vendor, data=data)


PAYMENT_FIELDS = ("pp55_certificate", "bank_name", "bank_account_number", "bank_account_name")


def _payment_editable(vendor: Vendor) -> bool:
    # Mirrors `services.vendor_update`, which refuses any change while the data is being checked.
    return vendor.status != VendorStatus.SUBMITTED


@login_required
def payment(request):
    """The owner's tax and payment facts: the PP 55/2022 certificate and the bank account. Open
    to a verified business too (they are not what was verified); closed while it is checked."""
    vendor = _own_vendor_or_404(request)
    editable = _payment_editable(vendor)
    initial = {name: getattr(vendor, name) for name in PAYMENT_FIELDS}
    form = forms.PaymentForm(request.POST or None, katalog=vendor.katalog, initial=initial)
    if request.method == "POST" and editable and form.is_valid():
        try:
            services.vendor_update(
                actor=request.actor, vendor=vendor, data={k: form.cleaned_data[k] for k in PAYMENT_FIELDS}
            )
        except DomainError as exc:
            show_domain_error(request, form, exc)
        else:
            messages.success(request, _("Your tax and payment details are saved."))
            return redirect("vendors:mine")
    return render(request, "vendors/payment.html", {"form": form, "vendor": vendor, "editable": editable})


@login_required
def mine(request):
    """The owner's page: where the registration stands, what is missing, the class history."""
    vendor = _own_vendor_or_404(request)
    return render(
        request,
        "vendors/mine.html",
        {
            "vendor": vendor,
            "own_vendors": selectors.own_vendors(request.actor),
            "steps": STEPS,
            "missing": services.missing_for_submit(vendor),
            "can_submit": workflow.SUBMIT in workflow.actions_for(status=vendor.status, roles=request.actor.roles),
            "payment_editable": _payment_editable(vendor),
            "history": vendor.size_history.all(),
            "documents": vendor.documents.all(),
        },
    )


@login_required
@require_POST
def submit_mine(request):
    vendor = _own_vendor_or_404(request)
    try:
        services.vendor_submit(actor=request.actor, vendor=vendor)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Sent. The Dinas will check your data; you will see the result here."))
    return redirect("vendors:mine")


@require_GET
def villages(request):
    """<option>s of the villages of a district (htmx, for the address step)."""
    code = request.GET.get("district", "")
    katalog = request.katalog
    qs = Region.objects.none()
    if katalog and code.startswith(katalog.region_id + "."):
        qs = Region.objects.filter(parent_id=code, level=RegionLevel.VILLAGE).order_by("name")
    return render(request, "vendors/_village_options.html", {"villages": qs})


@login_required
@require_GET
def kbli_suggest(request):
    """The KBLI 2020 titles matching what is being typed in the KBLI field (htmx): radio buttons
    `kbli_choice`, the same the form shows when words were sent without JavaScript. Read-only;
    the list is the public classification, the same for every tenant."""
    typed = (request.GET.get("q") or request.GET.get("kbli") or "")[: Length.SEARCH]
    _codes, queries = kbli.split_input(typed)
    query = queries[-1] if queries else ""  # the part being typed (codes before it are done)
    matches = kbli.search(query, limit=forms.KBLI_CHOICES) if query else []
    return render(request, "vendors/_kbli_options.html", {"matches": matches, "query": query, "picked": ""})


@require(Permission.VENDOR_VIEW_ALL)
def vendor_list(request):
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if status not in VendorStatus.values:
        status = ""
    qs = selectors.search_vendors(request.actor, q=q, status=status).order_by("name", "pk")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request, "vendors/list.html", {"page": page, "q": q, "status": status, "statuses": VendorStatus.choices}
    )


@require(Permission.VENDOR_VERIFY)
def queue(request):
    vendors = selectors.verification_queue(request.actor)[:200]
    return render(request, "vendors/queue.html", {"vendors": vendors, "now": timezone.now()})


@require(Permission.VENDOR_VIEW_ALL)
def detail(request, pk: int):
    vendor = selectors.get_vendor(request.actor, pk)
    return render(request, "vendors/detail.html", _detail_context(request, vendor, forms.ReasonForm()))


def _detail_context(request, vendor, reason_form):
    actions = workflow.actions_for(status=vendor.status, roles=request.actor.roles)
    return {
        "vendor": vendor,
        "documents": vendor.documents.all(),
        "history": vendor.size_history.all(),
        "actions": [a for a in actions if a != workflow.SUBMIT],
        "reason_form": reason_form,
        # Invitations: the "Undang" button, with the phone typed at the desk when there was one.
        "can_invite": request.actor.can(Permission.VENDOR_REGISTER_ASSISTED),
        "claimed": vendor.claimed_at is not None or vendor.users.exists(),
        "invite_phone": request.session.get(f"invite_phone_{vendor.pk}") or vendor.phone,
    }


DECISIONS = {
    workflow.APPROVE: (services.vendor_approve, gettext_lazy("%(name)s is verified.")),
    workflow.REJECT: (services.vendor_reject, gettext_lazy("%(name)s was rejected; the owner sees your reason.")),
    workflow.REQUEST_REVISION: (services.vendor_request_revision, gettext_lazy("A revision was asked of %(name)s.")),
}


@require(Permission.VENDOR_VERIFY)
@require_POST
def decide(request, pk: int, action: str):
    if action not in DECISIONS:
        raise Http404
    vendor = selectors.get_vendor(request.actor, pk)
    service, done = DECISIONS[action]
    form = forms.ReasonForm(request.POST)
    kwargs = {}
    if action in workflow.NEEDS_REASON:
        if not form.is_valid():
            messages.error(request, _("Please write the reason."))
            return render(request, "vendors/detail.html", _detail_context(request, vendor, form), status=422)
        kwargs["reason"] = form.cleaned_data["reason"]
    try:
        service(actor=request.actor, vendor=vendor, **kwargs)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("vendors:detail", pk=pk)
    messages.success(request, done % {"name": vendor.name})
    return redirect("vendors:queue")


@login_required
def document(request, pk: int, kind: str):
    """A vendor's document, for its owner and for those who may see every vendor."""
    vendor = selectors.get_vendor(request.actor, pk)
    doc = get_object_or_404(vendor.documents, kind=kind)
    response = FileResponse(doc.file.open("rb"), content_type=doc.content_type)
    response["Content-Disposition"] = f'inline; filename="{vendor.pk}-{doc.kind}.{doc.extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require(Permission.VENDOR_REGISTER_ASSISTED)
@idempotent_page
def assisted(request):
    """The Dinas desk registers a UMKM for its owner."""
    form = forms.AssistedForm(request.POST or None, request.FILES or None, katalog=request.actor.katalog)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = {
            k: d[k]
            for k in (
                "name",
                "owner_name",
                "email",
                "phone",
                "nib",
                "npwp",
                "kbli",
                "sector",
                "is_vat_registered",
                "address",
                "region",
                "capital",
                "annual_sales",
            )
        }
        try:
            result = services.vendor_register_assisted(
                actor=request.actor,
                data=data,
                verify_now=d["verify_now"],
                site_url=request.build_absolute_uri("/"),
                documents={DocumentKind.NIB: d["nib_document"], DocumentKind.DEED: d.get("deed_document")},
            )
        except DomainError as exc:
            existing = _registry_match(request.actor.katalog, d["nib"]) if exc.code == "nib_taken" else None
            if existing is None:
                show_domain_error(request, form, exc)
            else:
                # Not a dead end: the desk opens the vendor's page or invites its owner at once
                # (with the phone typed here, which replaces the one on file).
                form.add_error("nib", _("This NIB is already in the catalogue: see above."))
                request.session[f"invite_phone_{existing.pk}"] = d["phone"]
                return render(
                    request, "vendors/assisted.html", {"form": form, "existing": existing, "typed_phone": d["phone"]}
                )
        else:
            messages.success(
                request,
                _("%(name)s is registered; an invitation was sent to %(email)s.")
                % {"name": result.vendor.name, "email": result.user.email},
            )
            return redirect("vendors:detail", pk=result.vendor.pk)
    return render(request, "vendors/assisted.html", {"form": form})


# --- Import from the page ------------------------------------------------------------------------


@require(Permission.VENDOR_IMPORT)
def import_upload(request):
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > settings.KATALOG_MAX_IMPORT_BYTES:
                raise imports.ImportFileError(_("The file is too large."))
            table = imports.read_table(upload.read(), upload.name)
        except imports.ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            job = services.vendor_import_start(actor=request.actor, file_name=upload.name, table=table)
            return redirect("vendors:import_status", pk=job.pk)
    recent = selectors.recent_imports(request.actor)
    return render(request, "vendors/import.html", {"form": form, "recent": recent, "columns": imports.COLUMNS})


def _job(request, pk: int) -> VendorImport:
    return selectors.get_import(request.actor, pk)


PREVIEW_SHOWN = 200  # rows of each kind listed on the preview page (the counts cover every row)


def _preview(job: VendorImport) -> dict:
    """The preview's rows by kind, with their counts (rows, not problems)."""
    kinds = {k: [] for k in ("new", "changed", "unchanged", "rejected", "conflict")}
    for row in job.preview:
        kinds[row["kind"]].append(row)
    return {
        "counts": {k: len(v) for k, v in kinds.items()},
        "rows": {k: v[:PREVIEW_SHOWN] for k, v in kinds.items()},
        "formula": sum(1 for row in job.preview if row.get("formula")),
        "shown": PREVIEW_SHOWN,
    }


@require(Permission.VENDOR_IMPORT)
def import_status(request, pk: int):
    """The job's page: the progress while the worker checks or writes, the preview to confirm, or
    the summary with the report."""
    job = _job(request, pk)
    context = {"job": job}
    if job.status == "preview":
        context["preview"] = _preview(job)
    return render(request, "vendors/import_status.html", context)


@require(Permission.VENDOR_IMPORT)
@require_GET
def import_progress(request, pk: int):
    """The progress bar (htmx polls it). When the phase the page shows is over, reload the page."""
    job = _job(request, pk)
    response = render(request, "vendors/_import_progress.html", {"job": job})
    if request.GET.get("phase") and request.GET["phase"] != job.status:
        response["HX-Refresh"] = "true"
    return response


@require(Permission.VENDOR_IMPORT)
@require_POST
def import_confirm(request, pk: int):
    """Apply a previewed import; the ticked conflicts (`apply`: their lines) are applied too; with
    `invite` ticked, the owners of the new records are invited once it is applied."""
    job = _job(request, pk)
    chosen = [int(v) for v in request.POST.getlist("apply") if v.isdigit()]
    try:
        services.vendor_import_confirm(
            actor=request.actor, job=job, chosen=chosen, invite=request.POST.get("invite") == "1"
        )
    except DomainError as exc:
        show_domain_error(request, None, exc)
    return redirect("vendors:import_status", pk=job.pk)


@require(Permission.VENDOR_IMPORT)
@require_POST
def import_cancel(request, pk: int):
    job = _job(request, pk)
    try:
        services.vendor_import_cancel(actor=request.actor, job=job)
    except DomainError as exc:
        show_domain_error(request, None, exc)
    return redirect("vendors:import")


@require(Permission.VENDOR_IMPORT)
@require_POST
def import_resume(request, pk: int):
    """The "Lanjutkan" button: queue again a job whose worker died; it goes on from where it stopped."""
    job = _job(request, pk)
    try:
        services.vendor_import_resume(actor=request.actor, job=job)
    except DomainError as exc:
        show_domain_error(request, None, exc)
    else:
        messages.success(request, _("The import goes on from where it stopped."))
    return redirect("vendors:import_status", pk=job.pk)


@require(Permission.VENDOR_IMPORT)
def import_report(request, pk: int):
    """The report: every rejected row and every conflict held back, with the row's own data."""
    job = _job(request, pk)
    data = {int(line): values for line, values in job.rows}
    rejections, conflicts = [tuple(r) for r in job.rejections], [tuple(r) for r in job.conflicts]
    if job.status in ("checking", "preview", "cancelled"):  # not applied: the preview's problems
        rejections = [(row["line"], col, why) for row in job.preview for col, why in row.get("errors", [])]
        conflicts = [(row["line"], col, why) for row in job.preview for col, why in row.get("held", [])]
    out = io.StringIO()
    imports.write_import_report(rejections, out, conflicts=conflicts, data=data)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="laporan-impor-{job.pk}.csv"'
    return response


# --- Invitations and the claim of a registry record ----------------------------------------------


def _registry_match(katalog, nib: str, exclude_pk: int | None = None) -> Vendor | None:
    """The tenant's vendor holding `nib` (another than `exclude_pk`), if any."""
    if not katalog or not nib:
        return None
    return Vendor.objects.filter(katalog=katalog, nib=nib).exclude(pk=exclude_pk).first()


def _claim_context(katalog, vendor: Vendor) -> dict:
    """What an owner may be told about a business already in the catalogue: only whether it is
    in the Dinas registry, whether it has an account, and its phone masked (never its name,
    owner, address or full number)."""
    from .invitations import is_claimed, mask_phone, sign_in_path

    return {
        "katalog": katalog,
        "nib": vendor.nib,  # what the visitor typed
        "in_registry": vendor.source == VendorSource.IMPORT,
        "claimed": is_claimed(vendor),
        "masked_phone": mask_phone(vendor.phone),
        "sign_in_url": sign_in_path(),
    }


def _render_claim(request, katalog, vendor: Vendor):
    return render(request, "vendors/claim.html", _claim_context(katalog, vendor))


def claim_check(request):
    """Self-registration of a business that may already be in the Dinas registry: the owner types
    the NIB and is led to sign in by phone with the number on file (shown masked), or to the desk."""
    katalog = request.katalog
    if not katalog:
        raise Http404
    form = forms.NibCheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        vendor = _registry_match(katalog, form.cleaned_data["nib"])
        if vendor is not None:
            return _render_claim(request, katalog, vendor)
        messages.info(request, _("This NIB is not in the catalogue yet: register your business here."))
        return redirect("vendors:register")
    return render(request, "vendors/claim_check.html", {"form": form})


@require(Permission.VENDOR_REGISTER_ASSISTED)
@require_POST
def invite(request, pk: int):
    """The "Undang" button of a vendor's page; with a phone typed beside it (a vendor without one
    on file), the phone is saved first."""
    from katalog.accounts.phones import phone_or_none

    from .invitations import vendor_invite

    vendor = selectors.get_vendor(request.actor, pk)
    form = forms.InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(str(m) for msgs in form.errors.values() for m in msgs))
        return redirect("vendors:detail", pk=pk)
    try:
        with transaction.atomic():  # a refused invitation keeps the phone on file as it was
            phone = form.cleaned_data["phone"]
            # The number on file as the registry wrote it ("0812-9876-5432") is the same number.
            same = phone_or_none(phone) is not None and phone_or_none(phone) == phone_or_none(vendor.phone)
            if phone and phone != vendor.phone and not same:
                vendor = services.vendor_update(actor=request.actor, vendor=vendor, data={"phone": phone})
            vendor = vendor_invite(actor=request.actor, vendor=vendor, site_url=request.build_absolute_uri("/"))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        to = vendor.phone or vendor.email
        messages.success(
            request, _("An invitation to %(name)s is on its way to %(to)s.") % {"name": vendor.name, "to": to}
        )
    return redirect("vendors:detail", pk=pk)


@require(Permission.VENDOR_REGISTER_ASSISTED)
def invite_bulk(request):
    """Invite many registry vendors at once, by kecamatan, sector and size class. "Preview"
    counts; "Invite" marks them invited and queues the messages for the worker."""
    from .invitations import per_minute, vendor_invite_many

    form = forms.BulkInviteForm(request.POST or None, katalog=request.actor.katalog)
    preview = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        kwargs = {
            "kecamatan": d["kecamatan"].code if d["kecamatan"] else None,
            "sector": d["sector"] or None,
            "size_class": d["size_class"] or None,
            "limit": d["limit"],
        }
        send = "send" in request.POST
        try:
            result = vendor_invite_many(
                actor=request.actor, dry_run=not send, site_url=request.build_absolute_uri("/"), **kwargs
            )
        except DomainError as exc:
            show_domain_error(request, form, exc)
        else:
            if send:
                messages.success(
                    request,
                    ngettext(
                        "%(n)s vendors are invited; the messages go out in about %(m)s minute.",
                        "%(n)s vendors are invited; the messages go out in about %(m)s minutes.",
                        result.minutes,
                    )
                    % {"n": result.count, "m": result.minutes},
                )
                return redirect("vendors:invite_bulk")
            preview = result
    return render(request, "vendors/invite_bulk.html", {"form": form, "preview": preview, "rate": per_minute()})


# --- Claiming a registry record (vendors/claim.py) ------------------------------------------------


@login_required
def claimed_pick(request):
    """Several registry businesses with one phone were claimed at once: the owner picks which to
    check first (each has its own data check)."""
    from .claim import claim_check_pending

    mine = [v for v in request.user.vendors.filter(katalog=request.katalog).order_by("name") if claim_check_pending(v)]
    if not mine:
        return redirect("vendors:mine")
    return render(request, "vendors/claimed_pick.html", {"vendors": mine})


@login_required
def claimed_data_check(request, pk: int):
    """The "check your data" page: the registry's record of the business, pre-filled, which its owner
    corrects once after claiming it; then the vendor's page."""
    from .claim import ClaimCheckForm, claim_check_initial, claim_check_pending, claim_check_save

    vendor = get_object_or_404(request.user.vendors.filter(katalog=request.katalog), pk=pk)
    if not claim_check_pending(vendor):
        return redirect("vendors:mine")
    form = ClaimCheckForm(request.POST or None, katalog=vendor.katalog, initial=claim_check_initial(vendor))
    if request.method == "POST" and form.is_valid():
        try:
            claim_check_save(user=request.user, vendor=vendor, data=form.cleaned_vendor_data())
        except DomainError as exc:
            show_domain_error(request, form, exc)
        else:
            messages.success(request, _("Thank you. Your data is saved."))
            return redirect("vendors:mine")
    return render(request, "vendors/claimed_data_check.html", {"form": form, "vendor": vendor})
