"""Self-registration that never tells whether an e-mail address or a phone number has an account.

With an e-mail, the registration is not made at once: a link is sent to the address and the
account is made when it is opened (and confirmed with a click). If the address already has an
account, its owner gets a message instead ("someone tried to register with your address; if it was
you, sign in or reset your password"). The page after the form is the same in both cases. With a
phone only, the same: a number that has an account gets a message instead of a code, and the code
page looks the same. Registrations are limited per client address (accounts/throttle.py)."""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from katalog.core.mail import send_later
from katalog.core.models import Katalog

from .throttle import over_limit

SALT = "katalog.accounts.registration"
LINK_DAYS = 2


def registration_limited(client_ip: str) -> bool:
    """Count one registration from `client_ip`; True past KATALOG_REGISTER_LIMIT_PER_ADDRESS an hour."""
    return over_limit(f"register:addr:{client_ip}", settings.KATALOG_REGISTER_LIMIT_PER_ADDRESS, 3600)


def email_taken(email: str) -> bool:
    return User.objects.filter(username__iexact=email).exists() or User.objects.filter(email__iexact=email).exists()


def _base(katalog: Katalog, site_url: str) -> str:
    from .services import site_base

    return site_base(katalog, site_url)


def send_email_registration(*, katalog: Katalog, data: dict, site_url: str = "") -> None:
    """Queue the confirmation link for a new address, or the warning for an address with an account."""
    email = data["email"].lower()
    base = _base(katalog, site_url)
    if email_taken(email):
        body = _(
            "Someone tried to register a business at %(catalogue)s with this e-mail address, which already has an"
            " account.\n\nIf it was you, sign in: %(login)s\nForgot your password? Set a new one: %(reset)s\n\n"
            "If it was not you, you need not do anything: nothing was changed."
        ) % {
            "catalogue": katalog.name,
            "login": base + reverse("accounts:login"),
            "reset": base + reverse("accounts:password_reset"),
        }
        send_later(
            to=[email], subject=_("Registration attempt at %(catalogue)s") % {"catalogue": katalog.name}, body=body
        )
        return
    token = signing.dumps(
        {
            "k": katalog.pk,
            "name": data["name"],
            "owner_name": data["owner_name"],
            "email": email,
            "phone": data.get("phone", ""),
            "password": make_password(data["password1"]),
        },
        salt=SALT,
        compress=True,
    )
    link = base + reverse("accounts:register_confirm", kwargs={"token": token})
    body = _(
        "To finish registering %(business)s at %(catalogue)s, open this link within %(days)s days:\n\n%(link)s\n\n"
        "If you did not register, ignore this e-mail."
    ) % {"business": data["name"], "catalogue": katalog.name, "days": LINK_DAYS, "link": link}
    send_later(
        to=[email], subject=_("Confirm your registration at %(catalogue)s") % {"catalogue": katalog.name}, body=body
    )


def registration_data(token: str) -> dict | None:
    try:
        return signing.loads(token, salt=SALT, max_age=LINK_DAYS * 24 * 3600)
    except signing.BadSignature:
        return None


def warn_phone_owner(*, katalog: Katalog, phone: str) -> None:
    """A registration by phone for a number that has an account: a message to it, not a code."""
    from katalog.messaging.services import send

    text = _(
        "Someone tried to register at %(catalogue)s with this number, which already has an account. If it was you,"
        " sign in with your number and a code instead."
    ) % {"catalogue": katalog.name}
    send(katalog=katalog, subject=_("Registration attempt"), text=text, phone=phone, kind="login_code")


def send_phone_registration(*, katalog: Katalog, phone: str, client_ip: str) -> None:
    """Registration by phone only: a code to a new number, a warning to a number with an account,
    under the same sending limits (raises `TooManyCodes` past them) so the answer is the same."""
    from katalog.vendors.services import registration_code_send

    from . import otp
    from .models import Profile

    if Profile.objects.filter(phone=phone).exists():
        otp.check_limits(katalog=katalog, phone=phone, client_ip=client_ip or "unknown")
        warn_phone_owner(katalog=katalog, phone=phone)
        return
    registration_code_send(katalog=katalog, phone=phone, client_ip=client_ip)
