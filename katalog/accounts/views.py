from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone

from katalog.buying.worklist import worklist_for
from katalog.core.mail import send_later
from katalog.core.permissions import Role
from katalog.demo.accounts import DEFAULT_DEMO_PASSWORD, DEMO_USERS
from katalog.vendors.selectors import own_vendor


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        # Only a demo tenant (made by `katalog demo`) lists its accounts on the sign-in page.
        katalog = self.request.katalog
        if katalog and katalog.is_demo:
            ctx["demo_users"] = DEMO_USERS
            ctx["demo_password_is_default"] = settings.KATALOG_DEMO_PASSWORD == DEFAULT_DEMO_PASSWORD
            ctx["demo_password"] = DEFAULT_DEMO_PASSWORD
        return ctx


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
def home(request):
    """Where a signed-in user starts: what waits for them in each role they hold, with counts and
    links (buying/worklist.py). A vendor whose business is not verified yet has one thing to do,
    finish its registration, and goes straight to it."""
    actor = request.actor
    if actor.roles == {Role.VENDOR}:
        vendor = own_vendor(actor)
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
