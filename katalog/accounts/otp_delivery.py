"""How a sign-in code reaches the phone: through the outgoing-message service
(katalog.messaging.services.send) when it is installed, else written to the log (a development
fallback while messaging is built; see the report of issue 8)."""

import logging

from django.utils.translation import gettext as _

from katalog.core.models import Katalog

logger = logging.getLogger(__name__)


def deliver_login_code(*, katalog: Katalog, phone: str, code: str) -> None:
    text = _("%(code)s is your sign-in code for %(catalogue)s. It is valid for 10 minutes. Never share it.") % {
        "code": code,
        "catalogue": katalog.name,
    }
    try:
        from katalog.messaging.services import send  # built alongside; absent in older checkouts
    except ImportError:
        logger.warning("katalog.messaging is not installed: sign-in code for %s not sent (%s)", phone, text)
        return
    send(katalog=katalog, subject=_("Sign-in code"), text=text, phone=phone, kind="login_code")
