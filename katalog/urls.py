from django.conf import settings
from django.contrib import admin
from django.urls import include, path, register_converter
from django.views.static import serve

from katalog.api import api
from katalog.catalogue import views as catalogue_views
from katalog.core import metrics
from katalog.core import views as core_views
from katalog.insights import views as insights_views


class IdConverter:
    """A database id: at most 18 digits, so an absurd number in a URL is a 404, not an overflow."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "id")

handler403 = "katalog.core.views.forbidden"
handler404 = "katalog.core.views.not_found"

urlpatterns = [
    path("", catalogue_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("metrics", metrics.metrics, name="metrics"),  # Prometheus, with a token (katalog/core/metrics.py)
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("akun/", include("katalog.accounts.urls")),
    path("penyedia/", include("katalog.vendors.urls")),
    path("dasbor/", include("katalog.insights.urls")),
    path("transparansi/", insights_views.transparency, name="transparency"),  # public, no sign-in
    path("belanja/", include("katalog.buying.urls")),
    path("pesan/", include("katalog.messaging.urls")),
    path("", include("katalog.catalogue.urls")),
    path("django-admin/", admin.site.urls),
]

# Product photos are public. Everything else under MEDIA_ROOT (vendor documents, SP and BAST PDFs,
# delivery photos) is served only through views that check who asks. A front web server may serve
# /media/products/ itself for speed (docs/deployment.md).
urlpatterns += [
    path("media/products/<path:path>", serve, {"document_root": settings.MEDIA_ROOT / "products"}),
]
