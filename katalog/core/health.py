"""`/healthz`: 200 when the database answers, 503 otherwise, for load balancers and monitors.

Answered by the first middleware, before the others (sessions, CSRF, the tenant, metrics): a
monitor asking every few seconds carries no cookie and needs none of them, and each one cost more
than the check itself (docs/performance.md, "Pages and the cost of a request"). Not counted in the
request metrics: a monitor's beat is not traffic. The URL stays in the URLconf (`reverse("healthz")`)
for a deployment that leaves this middleware out."""

from django.db import connection
from django.http import HttpResponseNotAllowed, JsonResponse

PATH = "/healthz"


def check() -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means "not healthy"
        response = JsonResponse({"status": "unavailable", "database": type(exc).__name__}, status=503)
    else:
        response = JsonResponse({"status": "ok", "database": "ok"})
    response["Cache-Control"] = "max-age=0, no-cache, no-store, must-revalidate, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class HealthMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info != PATH:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return check()
