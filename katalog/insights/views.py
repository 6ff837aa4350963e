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
    """How long vendors wait for their money, per office, and the invoices unpaid too long."""
    from django.conf import settings

    from katalog.buying.selectors import payment_report

    return render(
        request,
        "insights/payments.html",
        {"report": payment_report(request.actor), "limit": settings.KATALOG_UNPAID_FLAG_DAYS},
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
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        name = f"onboarding-{katalog.region_id}-{stamp}.xlsx"
    elif kind == "funnel.csv":
        body = exports.to_csv(exports.funnel_rows(onboarding.funnel(katalog)))
        content_type = "text/csv; charset=utf-8"
        name = f"onboarding-{katalog.region_id}-{stamp}.csv"
    elif kind == "weekly.csv":
        body = exports.to_csv(exports.trend_rows(onboarding.trend(katalog)))
        content_type = "text/csv; charset=utf-8"
        name = f"onboarding-weekly-{katalog.region_id}-{stamp}.csv"
    else:
        raise Http404
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
