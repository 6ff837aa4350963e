from django.shortcuts import render
from django.views.decorators.http import require_GET

from katalog.core import health


@require_GET
def healthz(request):
    """The same answer as core/health.py's middleware gives first (kept for `reverse("healthz")`)."""
    return health.check()


def forbidden(request, exception=None):
    return render(request, "403.html", status=403)


def not_found(request, exception=None):
    return render(request, "404.html", status=404)
