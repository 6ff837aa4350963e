"""Two-factor sign-in with a TOTP app (django-otp), for the roles that approve, pay, curate or
administer, when KATALOG_REQUIRE_2FA is on (settings_production.py; off in the demo).

After the password (or a phone code) such a user is signed in but "unverified": the middleware
sends every page to /akun/2fa/. Without a device, that page shows a QR code (inline SVG) and the
secret as text to add to an authenticator app, and a code confirms it; with one, it asks for the
current code. API tokens for such users need the code too (`otp` in POST /api/v1/auth/token)."""

from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from katalog.core.permissions import Role
from katalog.core.redirects import next_from

from .forms import CodeForm
from .models import Membership

# The roles that approve (PPK, PA/KPA), pay (treasurer), curate (catalogue manager) or administer.
TWO_FACTOR_ROLES = frozenset({Role.PPK, Role.BUDGET_OWNER, Role.TREASURER, Role.CATALOGUE_MANAGER, Role.ADMIN})


def needs_two_factor(user) -> bool:
    if not settings.KATALOG_REQUIRE_2FA or not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff:
        return True
    return Membership.objects.filter(user=user, role__in=TWO_FACTOR_ROLES).exists()


def two_factor_pending(request) -> bool:
    """Signed in, of a role that needs a second factor, and not confirmed with a code yet."""
    user = request.user
    if not user.is_authenticated:
        return False
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():
        return False
    return needs_two_factor(user)


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def totp_ok(user, code: str) -> bool:
    """Whether `code` is the current code of one of the user's confirmed devices (each code once)."""
    code = (code or "").strip()
    return any(device.verify_token(code) for device in TOTPDevice.objects.filter(user=user, confirmed=True))


def _setup_device(user) -> TOTPDevice:
    """The device being set up: the same one until it is confirmed, so a reload keeps the QR code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def qr_svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    svg = image.to_string(encoding="unicode")
    return svg[svg.find("<svg") :]  # inline: without the XML declaration


def _next(request) -> str:
    return next_from(request)  # one helper for every `next` (katalog/core/redirects.py)


class TotpForm(CodeForm):
    pass


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request):
    """Set up the authenticator app (first time) or type its current code (every sign-in)."""
    user = request.user
    if not two_factor_pending(request):
        return redirect(_next(request) or "accounts:home")
    device = confirmed_device(user)
    setting_up = device is None
    if setting_up:
        device = _setup_device(user)
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].strip()
        if setting_up and device.verify_token(code):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(_next(request) or "accounts:home")
        if not setting_up:
            for candidate in TOTPDevice.objects.filter(user=user, confirmed=True):
                if candidate.verify_token(code):
                    otp_login(request, candidate)
                    return redirect(_next(request) or "accounts:home")
        allowed, _why = device.verify_is_allowed()
        if not allowed:
            form.add_error("code", _("Too many wrong codes: wait a few seconds, then type the newest code."))
        else:
            form.add_error("code", _("Wrong code. Type the code your authenticator app shows now."))
    context = {"form": form, "setting_up": setting_up, "next": _next(request)}
    if setting_up:
        context["qr_svg"] = qr_svg(device.config_url)
        context["secret"] = b32encode(device.bin_key).decode().rstrip("=")
    return render(request, "accounts/two_factor.html", context)
