"""The one way the code sends e-mail: `send_later`, after commit, by the task worker.

A request never talks to the mail server: a slow or failing server must not turn a committed
registration or order into an error page, and a rolled-back one must send nothing. The task
(`katalog.core.tasks.send_email`) retries with a growing wait. Bodies are rendered by the caller,
in the request's language, before they are queued."""

import logging
from collections.abc import Iterable
from functools import partial

from django.db import transaction

from .tasks import send_email

logger = logging.getLogger(__name__)


def send_later(*, to: str | Iterable[str], subject: str, body: str, from_email: str = "", html: str = "") -> None:
    """Queue one message to `to` once the current transaction commits (at once outside one).
    Never raises into the caller: a message that cannot be queued is logged."""
    recipients = [str(a) for a in ([to] if isinstance(to, str) else to) if a]
    if not recipients:
        return
    message = {
        "to": recipients,
        # A header is one line (Django refuses a newline in a subject).
        "subject": " ".join(str(subject).split()),
        "body": str(body),
        "from_email": str(from_email or ""),
        "html": str(html or ""),
        "attempt": 1,
    }
    transaction.on_commit(partial(_enqueue, message))


def _enqueue(message: dict) -> None:
    try:
        send_email.enqueue(**message)
    except Exception:
        logger.exception("could not queue e-mail %r to %s", message["subject"], ", ".join(message["to"]))
