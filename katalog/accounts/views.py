from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from katalog.buying.worklist import worklist_for
from katalog.core.errors import DomainError
from katalog.core.mail import send_later
from katalog.core.permissions import Role
from katalog.core.redirects import safe_next
from katalog.demo.accounts import DEFAULT_DEMO_PASSWORD, DEMO_USERS
from katalog.vendors.claim import claim_check_pending
from katalog.vendors.selectors import own_vendor

from .forms import ChannelForm, CodeForm, PhoneForm
from .otp import login_code_request, login_code_verify
from .phones import display_phone

PHONE_SESSION_KEY = "otp_phone"
NEXT_SESSION_KEY = "otp_next"


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_redirect_url(self):
        """Only a path on this site (katalog/core/redirects.py), as every other `next`."""
        name = self.redirect_field_name
        return safe_next(self.request, self.request.POST.get(name, self.request.GET.get(name, "")))

    def get_default_redirect_url(self):
        """Without a `next`: where the user starts (`landing_url`)."""
        return landing_url(self.request)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        # Only a demo tenant (made by `katalog demo`) lists its accounts on the sign-in page.
        katalog = self.request.katalog
        if katalog and katalog.is_demo:
            ctx["demo_users"] = DEMO_USERS
            ctx["demo_password_is_default"] = settings.KATALOG_DEMO_PASSWORD == DEFAULT_DEMO_PASSWORD
            ctx["demo_password"] = DEFAULT_DEMO_PASSWORD
        return ctx


def landing_url(request) -> str:
    """Where a user lands after signing in: a PA/KPA (and nothing else) on their office's spending
    (issue 9); everybody else on the home page with their work."""
    from .selectors import actor_for

    actor = actor_for(request.user, getattr(request, "katalog", None))
    if actor.roles == {Role.BUDGET_OWNER}:
        return reverse("insights:spending")
    return reverse("accounts:home")


def _safe_next(request, url: str) -> str:
    return safe_next(request, url)  # one helper for every `next` (katalog/core/redirects.py)


@require_http_methods(["GET", "POST"])
def phone_sign_in(request):
    """Sign-in by phone ("Masuk dengan nomor HP"), step 1: the number. The next page says the same whether the
    number is known or not (accounts/otp.py)."""
    if request.user.is_authenticated:
        return redirect("accounts:home")
    form = PhoneForm(request.POST or None, initial={"phone": request.GET.get("hp", "")})
    if request.method == "POST" and form.is_valid() and request.katalog:
        phone = form.cleaned_data["phone"]
        try:
            login_code_request(katalog=request.katalog, phone=phone, client_ip=get_client_ip_address(request) or "")
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            request.session[PHONE_SESSION_KEY] = phone
            request.session[NEXT_SESSION_KEY] = _safe_next(request, request.POST.get("next", ""))
            return redirect("accounts:login_phone_code")
    return render(request, "accounts/phone_sign_in.html", {"form": form, "next": request.GET.get("next", "")})


def _after_code(request, signed) -> str:
    """Where a code sign-in lands: the data check of a business claimed now (or not checked yet),
    the choice among several, else where the visitor was going, else home."""
    pending = [v for v in signed.user.vendors.order_by("pk") if claim_check_pending(v)]
    if len(pending) == 1:
        return reverse("vendors:claimed_data_check", kwargs={"pk": pending[0].pk})
    if pending:
        return reverse("vendors:claimed_pick")
    return request.session.pop(NEXT_SESSION_KEY, "") or landing_url(request)


@require_http_methods(["GET", "POST"])
def phone_code(request):
    """Step 2: the 6-digit code sent to the number."""
    phone = request.session.get(PHONE_SESSION_KEY)
    if not phone:
        return redirect("accounts:login_phone")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        signed = login_code_verify(katalog=request.katalog, phone=phone, code=form.cleaned_data["code"].strip())
        if signed is None or not signed.user.is_active:
            form.add_error("code", _("Wrong or expired code. Check the last message, or ask for a new code."))
        else:
            request.session.pop(PHONE_SESSION_KEY, None)
            next_url = request.session.get(NEXT_SESSION_KEY, "")
            login(request, signed.user, backend="katalog.accounts.backends.PhoneOrEmailBackend")
            request.session[NEXT_SESSION_KEY] = next_url
            if signed.claimed:
                messages.success(request, _("Welcome! Your business from the Dinas registry is now linked to you."))
            return redirect(_after_code(request, signed))
    return render(request, "accounts/phone_code.html", {"form": form, "phone": display_phone(phone)})


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's password reset form, but the message is sent by the task worker after commit,
    never inside the request (a slow mail server must not hold up or break the page)."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        html = render_to_string(html_email_template_name, context) if html_email_template_name else ""
        send_later(to=[to_email], subject=subject, body=body, from_email=from_email or "", html=html)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = QueuedPasswordResetForm


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    """The "My account" page: who the user is and the channel on which messages reach them (in-app only,
    e-mail, WhatsApp or SMS; only the channels they have an address for, with that address)."""
    from katalog.messaging.services import channel_of, channels_for, set_preferred_channel

    choices = [
        (channel, f"{label} ({display_phone(to) if channel in ('whatsapp', 'sms') else to})" if to else label)
        for channel, label, to in channels_for(request.user)
    ]
    current, _to = channel_of(request.user)
    form = ChannelForm(request.POST or None, choices=choices, initial={"channel": current})
    if request.method == "POST" and form.is_valid():
        try:
            set_preferred_channel(user=request.user, katalog=request.katalog, channel=form.cleaned_data["channel"])
        except DomainError as exc:
            form.add_error("channel", str(exc.message))
        else:
            messages.success(request, _("Saved. Messages now reach you this way."))
            return redirect("accounts:profile")
    profile_row = request.user.profile
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "phone": display_phone(profile_row.phone) if profile_row.phone else "", "current": current},
    )


@login_required
def home(request):
    """Where a signed-in user starts: what waits for them in each role they hold, with counts and
    links (buying/worklist.py). A vendor whose business is not verified yet has one thing to do,
    finish its registration, and goes straight to it."""
    actor = request.actor
    if actor.roles == {Role.VENDOR}:
        vendor = own_vendor(actor, request.session)
        if vendor is not None and not vendor.is_verified:
            return redirect("vendors:mine")
    works = worklist_for(actor)
    return render(
        request,
        "accounts/home.html",
        {
            "works": works,
            "waiting": sum(w.total for w in works),
            "today": timezone.localdate(),
            "now": timezone.now(),
            "unpaid_limit": settings.KATALOG_UNPAID_FLAG_DAYS,
        },
    )
