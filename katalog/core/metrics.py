"""`/metrics`: the Prometheus text of django-prometheus (requests by view, method and status,
latencies, responses, exceptions), for the monitoring on the internal network.

It answers only a request that carries `Authorization: Bearer <KATALOG_METRICS_TOKEN>`; without
a configured token, or with a wrong one, it is a bare 404, so the endpoint is invisible from the
outside even when a proxy forwards it (compose.yaml's proxy refuses /metrics anyway). Under gunicorn
with several workers, scripts/gunicorn.conf.py sets PROMETHEUS_MULTIPROC_DIR so the figures add up
over all workers.
"""

import hmac

from django.conf import settings
from django.http import HttpResponseNotFound
from django.views.decorators.cache import never_cache
from django_prometheus.exports import ExportToDjangoView


@never_cache
def metrics(request):
    token = settings.KATALOG_METRICS_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not token or not hmac.compare_digest(given.encode(), token.encode()):
        return HttpResponseNotFound()  # bare: no page, no database
    return ExportToDjangoView(request)
