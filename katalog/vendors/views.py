"""Vendor pages. Each view: parse, load through a scoped selector, check the right, call one
service, render. Errors from services are shown on the page in the user's language."""

import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from katalog.core.decorators import require
from katalog.core.errors import DomainError
from katalog.core.feedback import show_domain_error
from katalog.core.models import Region, RegionLevel
from katalog.core.permissions import Permission, Role

from . import forms, imports, selectors, services, workflow
from .models import DocumentKind, Vendor, VendorImport, VendorStatus

STEPS = [
    ("legal", gettext_lazy("Legal identity"), forms.LegalForm),
    ("alamat", gettext_lazy("Address"), forms.AddressForm),
    ("usaha", gettext_lazy("Capital and sales"), forms.FinanceForm),
    ("dokumen", gettext_lazy("Documents"), forms.DocumentsForm),
]
STEP_FORMS = {slug: form for slug, _label, form in STEPS}


def register(request):
    """Step 1 of self-registration: the account and the business name."""
    katalog = request.katalog
    if not katalog:
        raise Http404
    if request.user.is_authenticated and request.actor.has_role(Role.VENDOR):
        return redirect("vendors:mine")
    form = forms.AccountForm(request.POST or None, katalog=katalog)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        vendor = services.vendor_register_self(
            katalog=katalog,
            username=d["email"],
            password=d["password1"],
            name=d["name"],
            owner_name=d["owner_name"],
            email=d["email"],
            phone=d["phone"],
        )
        login(request, vendor.users.get(), backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Your account is ready. Your data is saved after every step."))
        return redirect("vendors:step", step=STEPS[0][0])
    return render(request, "vendors/register.html", {"form": form, "steps": STEPS, "current": "akun"})


def _own_vendor_or_404(request) -> Vendor:
    vendor = selectors.own_vendor(request.actor)
    if vendor is None:
        raise Http404
    return vendor


def _initial(vendor: Vendor) -> dict:
    region = vendor.region
    district = village = None
    if region is not None:
        if region.level == RegionLevel.VILLAGE:
            village, district = region, region.parent
        else:
            district = region
    return {
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
        qs = Region.objects.filter(parent_id=code, level=RegionLevel.VILLAGE)
    return render(request, "vendors/_village_options.html", {"villages": qs})


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
            show_domain_error(request, form, exc)
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


@require(Permission.VENDOR_IMPORT)
def import_status(request, pk: int):
    job = _job(request, pk)
    return render(request, "vendors/import_status.html", {"job": job})


@require(Permission.VENDOR_IMPORT)
@require_POST
def import_step(request, pk: int):
    """Process the next batch of rows and answer with the progress bar (htmx polls this)."""
    job = services.vendor_import_step(actor=request.actor, job=_job(request, pk))
    return render(request, "vendors/_import_progress.html", {"job": job})


@require(Permission.VENDOR_IMPORT)
def import_report(request, pk: int):
    job = _job(request, pk)
    out = io.StringIO()
    imports.write_report([tuple(r) for r in job.rejections], out)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="laporan-impor-{job.pk}.csv"'
    return response
