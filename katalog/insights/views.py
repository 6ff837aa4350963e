from django.shortcuts import render

from katalog.core.decorators import require
from katalog.core.permissions import Permission

from . import selectors


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
    return render(
        request,
        "insights/umkm.html",
        {"counts": counts, "changes": changes, "chart": chart},
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
