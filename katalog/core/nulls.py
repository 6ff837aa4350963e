"""A NUL character in a query string or form field is never meant (PostgreSQL cannot store one):
such a request is refused with 400, JSON for the API, before any view runs."""

from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _


class RefuseNulCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            message = _("The request contains a NUL character.")
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"code": "invalid", "message": message, "fields": {"request": [message]}}, status=400
                )
            return HttpResponseBadRequest(message)
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if any("\x00" in value for _key, values in request.GET.lists() for value in values):
            return True
        if request.method not in ("POST", "PUT", "PATCH"):
            return False
        if request.content_type == "application/json":
            return b"\\u0000" in request.body or b"\x00" in request.body
        if request.content_type == "application/x-www-form-urlencoded":
            return any("\x00" in value for _key, values in request.POST.lists() for value in values)
        return False  # multipart uploads: files may hold NUL bytes; their text fields go through forms
