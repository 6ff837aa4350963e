"""The page "Security" of the account area: the user's API tokens and signed-in browsers, each with
a button to end it, and the password change (which ends every other session and token)."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .models import ApiToken, SignedInSession
from .sessions import end_session, live_sessions


@login_required
@require_http_methods(["GET"])
def security(request):
    tokens = ApiToken.objects.filter(user=request.user, expires_at__gt=timezone.now()).order_by("-created_at")
    return render(
        request,
        "accounts/security.html",
        {
            "tokens": tokens,
            "sessions": live_sessions(request.user),
            "current_key": request.session.session_key,
        },
    )


def _id(request) -> int | None:
    try:
        return int(request.POST.get("id", ""))
    except ValueError:
        return None


@login_required
@require_POST
def token_revoke(request):
    deleted, _rows = ApiToken.objects.filter(user=request.user, pk=_id(request)).delete()
    if deleted:
        messages.success(request, _("The token is revoked: it no longer opens the API."))
    return redirect("accounts:security")


@login_required
@require_POST
def session_end(request):
    row = SignedInSession.objects.filter(user=request.user, pk=_id(request)).first()
    if row is not None:
        is_current = row.session_key == request.session.session_key
        end_session(row)
        if is_current:
            return redirect("accounts:login")
        messages.success(request, _("That browser is signed out."))
    return redirect("accounts:security")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change; saving the new password ends the user's other sessions and revokes
    their API tokens (accounts/sessions.py), this browser stays signed in."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:security")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request, _("Your password is changed. Other browsers are signed out and your API tokens revoked.")
        )
        return response
