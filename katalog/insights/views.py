from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from katalog.core.decorators import require
from katalog.core.permissions import Permission

from . import onboarding, selectors


@require(Permission.DASHBOARD_UMKM)
def umkm(request):
    """UMKM of the tenant by size class and district, and class changes over time."""
    katalog = request.actor.katalog
    counts = selectors.umkm_counts(katalog)
    changes = selectors.class_changes(katalog)
    chart = {
        "districts": [d["name"] or "?" for d in counts["by_district"]],
        "series": [
            {"label": str(c["label"]), "data": [d["counts"][c["size_class"]] for d in counts["by_district"]]}
            for c in counts["by_class"]
        ],
        "months": [c["month"].strftime("%Y-%m") for c in changes],
        "up": [c["up"] for c in changes],
        "down": [c["down"] for c in changes],
    }
    # The onboarding funnel in brief, for those who read it (the Pengelola, the auditor, the admin).
    can_onboarding = all(request.actor.can(p) for p in onboarding.PERMISSIONS)
    funnel = onboarding.shares(onboarding.funnel(katalog)["totals"]) if can_onboarding else None
    return render(
        request,
        "insights/umkm.html",
        {"counts": counts, "changes": changes, "chart": chart, "onboarding": funnel},
    )


@require(Permission.ORDER_VIEW)
def payments(request):
    """How long vendors wait for their money (BAST to payment, median and worst) per office, and
    the invoices unpaid past the payment term; for a year and an office (insights/payment_stats.py)."""
    from . import payment_stats

    year, office, choices, forced = _payments_scope(request)
    data = payment_stats.timeliness(request.actor, year=year, office=office)
    return _dashboard(
        request,
        "insights/payments.html",
        data,
        payment_stats.tables(data),
        year=year,
        office=office,
        choices=choices,
        forced=forced,
        download="insights:payments_download",
    )


@require(Permission.AUDIT_VIEW)
def audit(request):
    """Who did what, when: every write of the tenant; and the price-jump red flags."""
    katalog = request.actor.katalog
    action = request.GET.get("action", "").strip()[:80]
    return render(
        request,
        "insights/audit.html",
        {
            "entries": selectors.audit_entries(katalog, action=action),
            "flags": selectors.price_jump_flags(katalog),
            "action": action,
        },
    )


def _percent(share: float | None) -> str:
    """0.1234 → "12,3 %" in Indonesian ("12.3 %" in English); nothing to divide by → "–"."""
    if share is None:
        return "–"
    return f"{formats.number_format(share * 100, 1)} %"


@require(*onboarding.PERMISSIONS)
def onboarding_funnel(request):
    """From the Dinas registry to a first sale: the funnel, its lines and its weekly trend."""
    katalog = request.actor.katalog
    data = onboarding.funnel(katalog)
    weeks = onboarding.trend(katalog)
    steps = onboarding.shares(data["totals"])
    for step in steps:
        step["of_registry_text"] = _percent(step["of_registry"])
        step["of_previous_text"] = _percent(step["of_previous"])
        # The bar's width in CSS (a dot, whatever the language); a step that is not empty stays visible.
        width = (step["of_registry"] or 0) * 100
        step["bar"] = f"{max(width, 0.5) if step['count'] else 0:.1f}"
    chart = {
        "steps": [str(s["label"]) for s in steps],
        "counts": [s["count"] for s in steps],
        "weeks": [w["week"] for w in weeks],
        "series": [
            {"label": str(onboarding.TREND_LABELS[k]), "data": [w[k] for w in weeks]} for k in onboarding.TREND_KEYS
        ],
    }

    def table(lines):
        return [
            {
                "value": line.value,
                "label": line.label,
                "counts": [line.counts[s] for s in onboarding.STEPS],
                "claimed_share": _percent(line.counts["claimed"] / line.counts["registry"])
                if line.counts["registry"]
                else "–",
            }
            for line in lines
        ]

    totals = data["totals"]
    return render(
        request,
        "insights/onboarding.html",
        {
            "data": data,
            "steps": steps,
            "totals_row": [totals[s] for s in onboarding.STEPS],
            "totals_claimed_share": _percent(totals["claimed"] / totals["registry"]) if totals["registry"] else "–",
            "step_labels": [onboarding.STEP_LABELS[s] for s in onboarding.STEPS],
            "weeks": weeks,
            "chart": chart,
            "dimensions": [
                ("kecamatan", _("By kecamatan"), _("Kecamatan"), table(data["by_kecamatan"])),
                ("sector", _("By sector"), _("Sector"), table(data["by_sector"])),
                ("size_class", _("By size class"), _("Size class"), table(data["by_size_class"])),
            ],
        },
    )


@require(*onboarding.PERMISSIONS)
def onboarding_download(request, kind: str):
    """The funnel as XLSX (every table), or as CSV (`funnel`: the lines; `weekly`: the trend)."""
    from . import exports

    katalog = request.actor.katalog
    stamp = timezone.localdate().isoformat()
    if kind == "xlsx":
        body = exports.to_xlsx(onboarding.funnel(katalog), onboarding.trend(katalog))
        name = f"onboarding-{katalog.region_id}-{stamp}.xlsx"
    elif kind == "funnel.csv":
        body = exports.to_csv(exports.funnel_rows(onboarding.funnel(katalog)))
        name = f"onboarding-{katalog.region_id}-{stamp}.csv"
    elif kind == "weekly.csv":
        body = exports.to_csv(exports.trend_rows(onboarding.trend(katalog)))
        name = f"onboarding-weekly-{katalog.region_id}-{stamp}.csv"
    else:
        raise Http404
    return _attachment(body, name)


def _attachment(body, name: str) -> HttpResponse:
    """A spreadsheet (.xlsx) or table (.csv) to download."""
    kind = XLSX_TYPE if name.endswith(".xlsx") else "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _spending_scope(request):
    """(year, office or None, the offices the filter offers) for the spending page and its files;
    the office is forced for a PA/KPA (spending.scope_for)."""
    from django.core.exceptions import PermissionDenied

    from katalog.accounts.models import Office
    from katalog.core.bounds import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR
    from katalog.core.errors import NotAllowed, NotFound

    from . import spending

    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", "") or this_year)
    except ValueError:
        year = this_year
    if not MIN_FISCAL_YEAR <= year <= MAX_FISCAL_YEAR:
        year = this_year
    actor = request.actor
    try:
        office = spending.scope_for(actor, request.GET.get("office", "")[:30])
    except NotFound as exc:
        raise Http404 from exc
    except NotAllowed as exc:
        raise PermissionDenied from exc
    if actor.roles & spending.TENANT_ROLES:
        choices = list(Office.objects.filter(katalog=actor.katalog).order_by("code"))
        forced = False
    else:
        choices = actor.offices_with(spending.Role.BUDGET_OWNER)
        forced = True
    return year, office, choices, forced


MONTHS = [
    _("January"), _("February"), _("March"), _("April"), _("May"), _("June"),
    _("July"), _("August"), _("September"), _("October"), _("November"), _("December"),
]  # fmt: skip


def _months(request) -> tuple[int, int]:
    """The months of the year the spending page shows (`month_from`..`month_to`, 1–12); an unreadable
    value is the whole year's end, and a reversed range is read the right way round."""

    def month(name: str, default: int) -> int:
        try:
            value = int(request.GET.get(name, "") or default)
        except ValueError:
            return default
        return value if 1 <= value <= 12 else default

    first, last = month("month_from", 1), month("month_to", 12)
    return (first, last) if first <= last else (last, first)


@require(Permission.DASHBOARD_SPENDING)
def spending_dashboard(request):
    """Spending through the catalogue and the 40% UMK target, for a year, by office, month,
    category, size class and kecamatan; a PA/KPA sees their own office only."""
    from . import spending

    year, office, choices, forced = _spending_scope(request)
    months = _months(request)
    data = spending.spending(request.actor.katalog, year=year, office=office, months=months)
    target = data["target"]
    for line in data["by_office"]:
        line["share_text"] = _percent(line["umk_share"] if line["total"] else None)
        line["bar"] = f"{min(line['umk_share'], 1) * 100:.1f}"
    for line in data["by_month"]:
        line["share_text"] = _percent(line["umk_share"] if line["total"] else None)
        line["cumulative_text"] = _percent(line["cumulative_umk_share"] if line["total"] or line["count"] else None)
    chart = {
        "months": [m["month"] for m in data["by_month"]],
        "totals": [m["total"] for m in data["by_month"]],
        "umk": [m["umk_total"] for m in data["by_month"]],
        "shares": [round(m["cumulative_umk_share"] * 100, 1) for m in data["by_month"]],
        "target": round(target * 100, 1),
        "labels": {
            "umk": str(_("Micro and small (UMK)")),
            "other": str(_("Other vendors")),
            "share": str(_("UMK share since January (%)")),
            "target": str(_("Target 40%")),
        },
        "other": [m["total"] - m["umk_total"] for m in data["by_month"]],
    }
    this_year = timezone.localdate().year
    query = {"year": year, **({"office": office.code} if office is not None and not forced else {})}
    if months != (1, 12):
        query.update(month_from=months[0], month_to=months[1])
    return render(
        request,
        "insights/spending.html",
        {
            "data": data,
            "year": year,
            "month_choices": list(enumerate(MONTHS, start=1)),
            "month_from": months[0],
            "month_to": months[1],
            "years": list(range(this_year, this_year - 6, -1)),
            "office": office,
            "offices": choices,
            "forced": forced,
            "chart": chart,
            "share_text": _percent(data["umk_share"] if data["total"] else None),
            "target_text": _percent(target),
            "target_bar": f"{target * 100:.1f}",
            "total_bar": f"{min(data['umk_share'], 1) * 100:.1f}",
            "domestic": [
                (_("Domestic products (PDN)"), data["domestic"]["pdn_total"], _percent(data["domestic"]["pdn_share"])),
                (_("TKDN at least 25%"), data["domestic"]["tkdn25_total"], _percent(data["domestic"]["tkdn25_share"])),
                (_("TKDN at least 40%"), data["domestic"]["tkdn40_total"], _percent(data["domestic"]["tkdn40_share"])),
            ],
            "tables": [(key, title) for key, title, _rows in spending.tables(data)],
            "qs": urlencode(query),
        },
    )


@require(Permission.DASHBOARD_SPENDING)
def spending_download(request, kind: str):
    """The spending tables: every table as one XLSX workbook (`xlsx`), or one table as CSV (`<table>.csv`)."""
    from . import exports, spending

    year, office, _choices, _forced = _spending_scope(request)
    months = _months(request)
    data = spending.spending(request.actor.katalog, year=year, office=office, months=months)
    suffix = f"{request.actor.katalog.region_id}-{year}" + (f"-{office.code}" if office is not None else "")
    if months != (1, 12):
        suffix += f"-{months[0]:02d}-{months[1]:02d}"
    if kind == "xlsx":
        body = spending.to_xlsx(data)
        name = f"spending-{suffix}.xlsx"
    elif kind.endswith(".csv") and kind.removesuffix(".csv") in spending.TABLE_KEYS:
        key = kind.removesuffix(".csv")
        rows = next(rows for k, _title, rows in spending.tables(data) if k == key)
        body = exports.to_csv(rows)
        name = f"spending-{key}-{suffix}.csv"
    else:
        raise Http404
    return _attachment(body, name)


def transparency(request):
    """The public page of the tenant's spending through the catalogue (no sign-in): by office, category
    and size class, the share to micro and small enterprises against the 40% target, the number of
    UMKM selling, and the completed purchases, 25 a page. Nothing personal is shown."""
    from django.core.paginator import Paginator

    from . import transparency as figures_of

    katalog = request.katalog
    if not katalog:
        raise Http404
    paginator = Paginator(figures_of.completed_purchases(katalog), figures_of.PAGE_SIZE)
    page = paginator.get_page(request.GET.get("halaman"))
    return render(
        request,
        "insights/transparency.html",
        {
            "figures": figures_of.figures(katalog),
            "page": page,
            "purchases": [figures_of.purchase_row(o) for o in page.object_list],
            "katalog": katalog,
        },
    )


# --- Task DB (issue 9): budget lines, payment timeliness, the vendor's own dashboard ----------------


def _year_of(request) -> int:
    """The year asked for (`?year=`), this year when missing or out of bounds."""
    from katalog.core.bounds import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR

    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", "") or this_year)
    except ValueError:
        return this_year
    return year if MIN_FISCAL_YEAR <= year <= MAX_FISCAL_YEAR else this_year


def _payments_scope(request):
    """(year, office or None, the offices the filter offers, forced) for the payments page."""
    from django.core.exceptions import PermissionDenied

    from katalog.core.errors import NotAllowed, NotFound

    from . import payment_stats

    try:
        office = payment_stats.scope_for(request.actor, request.GET.get("office", "")[:30])
    except NotFound as exc:
        raise Http404 from exc
    except NotAllowed as exc:
        raise PermissionDenied from exc
    choices, forced = payment_stats.office_choices(request.actor)
    return _year_of(request), office, choices, forced


def _cell(value) -> str:
    """A table cell as the page shows it: whole numbers grouped, other numbers with one decimal."""
    if value is None or value == "":
        return "–" if value is None else ""
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, int):
        return formats.number_format(value, 0, force_grouping=True)
    if isinstance(value, float):
        return formats.number_format(value, 1, force_grouping=True)
    return str(value)


def _dashboard(request, template, data, tables, *, year, office, choices, forced, download, extra=None):
    """Render a dashboard whose tables are the downloads' tables (the same numbers on the page)."""
    this_year = timezone.localdate().year
    query = {"year": year, **({"office": office.code} if office is not None and not forced else {})}
    shown = [
        {
            "key": key,
            "title": title,
            "head": [str(h) for h in rows[0]],
            "rows": [
                [(_cell(v), isinstance(v, (int, float)) and not isinstance(v, bool)) for v in row] for row in rows[1:]
            ],
        }
        for key, title, rows in tables
    ]
    return render(
        request,
        template,
        {
            "data": data,
            "year": year,
            "years": list(range(this_year, this_year - 6, -1)),
            "office": office,
            "offices": choices,
            "forced": forced,
            "tables": shown,
            "download": download,
            "qs": urlencode(query),
            **(extra or {}),
        },
    )


def _tables_download(tables, keys, kind: str, stem: str):
    from . import sheets

    if kind == "xlsx":
        return _attachment(sheets.to_xlsx(tables), f"{stem}.xlsx")
    key = kind.removesuffix(".csv")
    if kind.endswith(".csv") and key in keys:
        return _attachment(sheets.to_csv(sheets.pick(tables, key)), f"{stem}-{key}.csv")
    raise Http404


@require(Permission.DASHBOARD_SPENDING)
def budget_dashboard(request):
    """Each budget line's ceiling, committed, realised and remaining, by office, and the lines with
    no purchase yet; a PA/KPA sees their own office only."""
    from . import budget

    year, office, choices, forced = _spending_scope(request)
    data = budget.budget_lines(request.actor.katalog, year=year, office=office)
    for o in data["by_office"]:
        o["bar"] = f"{min(o['committed'] / o['ceiling'], 1) * 100:.1f}" if o["ceiling"] else "0"
        o["realised_bar"] = f"{min(o['realised'] / o['ceiling'], 1) * 100:.1f}" if o["ceiling"] else "0"
    return _dashboard(
        request,
        "insights/budget.html",
        data,
        budget.tables(data),
        year=year,
        office=office,
        choices=choices,
        forced=forced,
        download="insights:budget_download",
    )


@require(Permission.DASHBOARD_SPENDING)
def budget_download(request, kind: str):
    """The budget-line tables: every table as XLSX (`xlsx`), or one as CSV (`<table>.csv`)."""
    from . import budget

    year, office, _choices, _forced = _spending_scope(request)
    data = budget.budget_lines(request.actor.katalog, year=year, office=office)
    stem = f"budget-lines-{request.actor.katalog.region_id}-{year}" + (f"-{office.code}" if office else "")
    return _tables_download(budget.tables(data), budget.TABLE_KEYS, kind, stem)


@require(Permission.ORDER_VIEW)
def payments_download(request, kind: str):
    """The payment tables: every table as XLSX (`xlsx`), or one as CSV (`<table>.csv`)."""
    from . import payment_stats

    year, office, _choices, _forced = _payments_scope(request)
    data = payment_stats.timeliness(request.actor, year=year, office=office)
    stem = f"payments-{request.actor.katalog.region_id}-{year}" + (f"-{office.code}" if office else "")
    return _tables_download(payment_stats.tables(data), payment_stats.TABLE_KEYS, kind, stem)


def _own_vendor(request):
    from katalog.vendors.selectors import own_vendor

    vendor = own_vendor(request.actor, request.session)
    if vendor is None:
        raise Http404
    return vendor


@require(Permission.VENDOR_EDIT_OWN)
def vendor_dashboard(request):
    """The signed-in Penyedia's own figures (the business they act for): sales by month, orders by
    state, ratings, days to payment and the size-class history."""
    from . import vendor_stats

    vendor = _own_vendor(request)
    year = _year_of(request)
    data = vendor_stats.vendor_figures(vendor, year=year)
    chart = {
        "months": [m["month"] for m in data["by_month"]],
        "totals": [m["total"] for m in data["by_month"]],
        "realised": [m["realised"] for m in data["by_month"]],
        "labels": {"total": str(_("Sales (committed)")), "realised": str(_("Realised (paid)"))},
    }
    return _dashboard(
        request,
        "insights/vendor.html",
        data,
        vendor_stats.tables(data),
        year=year,
        office=None,
        choices=[],
        forced=False,
        download="vendors:dashboard_download",
        extra={"vendor": vendor, "chart": chart},
    )


@require(Permission.VENDOR_EDIT_OWN)
def vendor_download(request, kind: str):
    """The vendor's own tables: every table as XLSX (`xlsx`), or one as CSV (`<table>.csv`)."""
    from . import vendor_stats

    vendor = _own_vendor(request)
    year = _year_of(request)
    data = vendor_stats.vendor_figures(vendor, year=year)
    return _tables_download(vendor_stats.tables(data), vendor_stats.TABLE_KEYS, kind, f"sales-{vendor.pk}-{year}")
