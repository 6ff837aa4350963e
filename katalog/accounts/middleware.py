"""Sessions that end after a working day idle, and two-factor sign-in where it is required."""

import time
from urllib.parse import quote

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import SignedInSession
from .sessions import current_session_key
from .throttle import KNOWN_COOKIE, KNOWN_MAX_AGE, known_cookie_value
from .two_factor import two_factor_pending

# How often a signed-in visit pushes the session's end back (a write at most this often, not on every GET).
REFRESH_SECONDS = 5 * 60
SEEN_KEY = "_katalog_seen"


class SlidingSessionMiddleware:
    """A signed-in session lives SESSION_COOKIE_AGE (8 hours by default) after the last visit:
    at most every five minutes a visit saves the session again, which sets its new end."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        start_key = session.session_key if session is not None else None
        marker = current_session_key.set(start_key)
        try:
            if session is not None and request.user.is_authenticated:
                now = int(time.time())
                if now - int(session.get(SEEN_KEY, 0) or 0) >= REFRESH_SECONDS:
                    session[SEEN_KEY] = now
                    SignedInSession.objects.filter(session_key=start_key).update(last_seen_at=timezone.now())
            response = self.get_response(request)
        finally:
            current_session_key.reset(marker)
        if session is not None:
            end_key = session.session_key
            if start_key and end_key and end_key != start_key:  # the key was cycled (password change)
                SignedInSession.objects.filter(session_key=start_key).update(session_key=end_key)
        known = getattr(request, "_katalog_known_user", None)
        if known:
            response.set_cookie(
                KNOWN_COOKIE,
                known_cookie_value(request, known),
                max_age=KNOWN_MAX_AGE,
                httponly=True,
                secure=settings.SESSION_COOKIE_SECURE,
                samesite="Lax",
            )
        return response


OPEN_PREFIXES = ("/akun/2fa/", "/akun/keluar/", "/static/", "/media/products/", "/i18n/", "/healthz")


class TwoFactorRequiredMiddleware:
    """With KATALOG_REQUIRE_2FA, a user of a role that approves, pays, curates or administers who
    signed in with a password (or a phone code) goes nowhere but the two-factor page until a TOTP
    code is right (accounts/two_factor.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.KATALOG_REQUIRE_2FA
            and not request.path.startswith(OPEN_PREFIXES)
            and "HTTP_AUTHORIZATION" not in request.META
            and two_factor_pending(request)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"code": "two_factor_required", "message": _("Finish the two-factor sign-in first.")}, status=403
                )
            target = request.get_full_path() if request.method == "GET" else reverse("accounts:home")
            return redirect(f"{reverse('accounts:two_factor')}?next={quote(target)}")
        return self.get_response(request)
