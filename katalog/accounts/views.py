from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from katalog.core.permissions import Permission, Role
from katalog.demo.accounts import DEFAULT_DEMO_PASSWORD, DEMO_USERS


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


@login_required
def home(request):
    """Where a signed-in user starts: the page for their main task."""
    actor = request.actor
    if actor.can(Permission.VENDOR_VERIFY):
        return redirect("vendors:queue")
    if actor.has_role(Role.VENDOR):
        return redirect("vendors:mine")
    if actor.can(Permission.DASHBOARD_UMKM):
        return redirect("insights:umkm")
    return render(request, "accounts/home.html", {"role_labels": sorted(Role(r).label for r in actor.roles)})
