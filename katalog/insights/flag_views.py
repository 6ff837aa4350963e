"""The red-flag page of the auditor: /dasbor/tanda-bahaya/ (issue 9; docs/decisions.md "Red flags").

Those who read every order of the tenant (the auditor, the Pengelola, the admin) read the flags;
only the auditor marks one reviewed, with a note. A review changes the flag's review fields and
writes an audit entry, nothing else. Reading never finds flags (the worker and `find_flags` do)."""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from katalog.core.audit import record
from katalog.core.decorators import require
from katalog.core.permissions import Permission, Role

from .models import RedFlag, RedFlagKind

PAGE_SIZE = 50

# How each number of the evidence is labelled on the page.
NUMBER_LABELS = {
    "event": _("Event"),
    "approved_at": _("Approved at"),
    "submitted_at": _("Order submitted at"),
    "days": _("Days"),
    "window_days": _("Window (days)"),
    "version": _("Version"),
    "price": _("Listed price"),
    "previous_price": _("Previous price"),
    "orders": _("Orders"),
    "sum": _("Sum"),
    "limit": _("PP limit"),
    "largest": _("Largest order"),
    "first_day": _("First day"),
    "last_day": _("Last day"),
    "office_id": _("Office"),
    "year": _("Year"),
    "vendor_total": _("Vendor's total"),
    "office_total": _("Office's total"),
    "share": _("Share"),
    "threshold": _("Threshold"),
    "min_total": _("Minimum total"),
    "unit_price": _("Unit price paid"),
    "quantity": _("Quantity"),
    "size_class": _("Size class"),
    "umk_price": _("UMK offer's price"),
    "umk_version": _("UMK offer's version"),
    "category_id": _("Category"),
    "listed_price": _("Listed price"),
    "since": _("Counted from"),
    "start": _("Start"),
    "paid_on": _("Paid on"),
    "limit_days": _("Limit (days)"),
    "amount": _("Amount"),
}
MONEY = {"price", "previous_price", "sum", "limit", "largest", "vendor_total", "office_total", "min_total",
         "unit_price", "umk_price", "listed_price", "amount"}  # fmt: skip
RECORD_LABELS = {"order": _("Order"), "product": _("Product"), "vendor": _("Vendor")}
RECORD_URLS = {"order": "buying:order", "product": "catalogue:product", "vendor": "vendors:detail"}


class ReviewForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write what you checked: a note is required.")},
    )


def may_review(actor) -> bool:
    """The auditor reviews; the Pengelola and the admin only read."""
    return actor.has_role(Role.AUDITOR) and actor.can(Permission.AUDIT_VIEW)


def _evidence(flag: RedFlag) -> dict:
    numbers = []
    for key, value in (flag.evidence.get("numbers") or {}).items():
        numbers.append({"label": NUMBER_LABELS.get(key, key), "value": value, "money": key in MONEY})
    records = []
    for rec in flag.evidence.get("records") or []:
        name = RECORD_URLS.get(rec.get("type"))
        if name is None:
            continue
        records.append(
            {
                "label": RECORD_LABELS[rec["type"]],
                "id": rec["id"],
                "name": rec.get("name") or "",
                "url": reverse(name, kwargs={"pk": rec["id"]}),
            }
        )
    return {"numbers": numbers, "records": records}


def _page(request, *, failed: RedFlag | None = None, failed_form=None, status: int = 200):
    katalog = request.actor.katalog
    kind = request.GET.get("kind", "")
    state = request.GET.get("state", "open")
    flags = RedFlag.objects.filter(katalog=katalog).select_related("reviewed_by")
    if kind in RedFlagKind.values:
        flags = flags.filter(kind=kind)
    else:
        kind = ""
    if state == "open":
        flags = flags.filter(reviewed_at__isnull=True)
    elif state == "reviewed":
        flags = flags.filter(reviewed_at__isnull=False)
    else:
        state = "all"
    page = Paginator(flags, PAGE_SIZE).get_page(request.GET.get("halaman"))
    reviewer = may_review(request.actor)
    rows = []
    for flag in page.object_list:
        form = None
        if reviewer and flag.reviewed_at is None:
            form = failed_form if failed is not None and failed.pk == flag.pk else ReviewForm(prefix=f"f{flag.pk}")
        rows.append({"flag": flag, "evidence": _evidence(flag), "form": form})
    if failed is not None and not any(r["flag"].pk == failed.pk for r in rows):
        rows.insert(0, {"flag": failed, "evidence": _evidence(failed), "form": failed_form})
    return render(
        request,
        "insights/flags.html",
        {
            "rows": rows,
            "page": page,
            "kinds": RedFlagKind.choices,
            "kind": kind,
            "state": state,
            "states": [("open", _("Not reviewed")), ("reviewed", _("Reviewed")), ("all", _("All"))],
            "may_review": reviewer,
            "query": urlencode({k: v for k, v in (("kind", kind), ("state", state)) if v}),
        },
        status=status,
    )


@require(Permission.ORDER_VIEW_ALL)
def flags(request):
    """The red flags of the tenant, filtered by kind and by reviewed or not, with their evidence."""
    return _page(request)


@require_POST
@require(Permission.ORDER_VIEW_ALL, Permission.AUDIT_VIEW)
def review(request, pk: int):
    """The auditor marks a flag reviewed with a note; nothing else changes."""
    actor = request.actor
    if not may_review(actor):
        raise PermissionDenied
    flag = get_object_or_404(RedFlag, pk=pk, katalog=actor.katalog)
    form = ReviewForm(request.POST, prefix=f"f{flag.pk}")
    if not form.is_valid():
        return _page(request, failed=flag, failed_form=form, status=400)
    with transaction.atomic():
        flag = RedFlag.objects.select_for_update().get(pk=flag.pk)
        if flag.reviewed_at is not None:
            messages.error(request, _("This flag was already reviewed."))
        else:
            flag.reviewed_at = timezone.now()
            flag.reviewed_by = actor.db_user
            flag.note = form.cleaned_data["note"]
            flag.save(update_fields=["reviewed_at", "reviewed_by", "note"])
            record(
                actor=actor.db_user, action="redflag.review", obj=flag, katalog=actor.katalog,
                kind=flag.kind, key=flag.key, note=flag.note,
            )  # fmt: skip
            messages.success(request, _("The flag is marked reviewed."))
    keep = {k: request.GET[k][:30] for k in ("kind", "state") if request.GET.get(k)}
    return redirect(reverse("insights:flags") + (f"?{urlencode(keep)}" if keep else ""))
