"""How a sign-in code reaches the phone: through the outgoing-message service (the worker sends it
after commit; a code is never written to a log)."""

from django.utils.translation import gettext as _

from katalog.core.models import Katalog


def deliver_login_code(*, katalog: Katalog, phone: str, code: str) -> None:
    text = _("%(code)s is your sign-in code for %(catalogue)s. It is valid for 10 minutes. Never share it.") % {
        "code": code,
        "catalogue": katalog.name,
    }
    from katalog.messaging.services import send  # messaging reads accounts' models: imported when used

    send(katalog=katalog, subject=_("Sign-in code"), text=text, phone=phone, kind="login_code")
