"""The pages of the self-registration by e-mail that follow the form (accounts/registration.py)."""

from django.contrib import messages
from django.contrib.auth import login
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .registration import email_taken, registration_data


def register_sent(request):
    """ "Check your e-mail": the same whether the address was new or had an account."""
    return render(request, "accounts/register_sent.html", {})


@require_http_methods(["GET", "POST"])
def register_confirm(request, token: str):
    """The link of the e-mail: a button (GET never writes) that makes the account, signs it in
    and goes on to the first step of the business data."""
    from katalog.vendors import services
    from katalog.vendors.views import STEPS

    katalog = request.katalog
    data = registration_data(token)
    if katalog is None or data is None or data.get("k") != katalog.pk:
        if katalog is None:
            raise Http404
        messages.error(request, _("This link has expired or is not valid. Register again."))
        return redirect("vendors:register")
    if email_taken(data["email"]):
        messages.info(request, _("This registration is confirmed already: sign in."))
        return redirect("accounts:login")
    if request.method == "POST":
        with transaction.atomic():
            vendor = services.vendor_register_self(
                katalog=katalog,
                username=data["email"],
                password=None,
                name=data["name"],
                owner_name=data["owner_name"],
                email=data["email"],
                phone=data["phone"],
            )
            user = vendor.users.get()
            user.password = data["password"]
            user.save(update_fields=["password"])
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Your account is ready. Your data is saved after every step."))
        return redirect("vendors:step", step=STEPS[0][0])
    return render(request, "accounts/register_confirm.html", {"data": data})
