"""What a locked-out sign-in sees: JSON for the API, a page for people (accounts/throttle.py says
which limit refused it)."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_message(request) -> str:
    why = getattr(request, "katalog_throttled", "")
    if why == "address":
        return _("Too many failed sign-ins from this address. Try again in 15 minutes.")
    if why == "account":
        return _("This account had many failed sign-ins. Wait a few seconds and try again.")
    return _("Too many failed attempts. Try again in 15 minutes.")


def lockout_response(request, response=None, credentials=None, *args, **kwargs):
    message = lockout_message(request)
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "locked_out", "message": message}, status=429)
    return render(request, "accounts/locked_out.html", {"message": message}, status=429)
