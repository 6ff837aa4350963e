"""Background tasks of core (django-tasks; the worker is `katalog worker`).

`send_email` is the one task that sends mail. Requests never send: they call
`katalog.core.mail.send_later`, which queues this task after their transaction commits."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

# The waits before the 2nd, 3rd and 4th attempt. A mail server that is down for a while is the
# usual failure; after the 4th attempt the mail is given up and logged as an error.
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))


@task()
def send_email(
    *, to: list[str], subject: str, body: str, from_email: str = "", html: str = "", attempt: int = 1
) -> int:
    """Send one message with Django's `send_mail`. On failure, queue the next attempt (see
    `RETRY_DELAYS`) and raise, so the worker records this attempt as failed."""
    try:
        return send_mail(
            subject=subject,
            message=body,
            from_email=from_email or settings.DEFAULT_FROM_EMAIL,
            recipient_list=to,
            html_message=html or None,
        )
    except Exception:
        if attempt > len(RETRY_DELAYS):
            logger.exception("e-mail %r to %s given up after %s attempts", subject, ", ".join(to), attempt)
        else:
            delay = RETRY_DELAYS[attempt - 1]
            logger.warning("e-mail %r failed (attempt %s); trying again in %s", subject, attempt, delay, exc_info=True)
            retry_email(
                delay=delay, to=to, subject=subject, body=body, from_email=from_email, html=html, attempt=attempt + 1
            )
        raise


def retry_email(*, delay: timedelta, **kwargs) -> None:
    """Queue `send_email` again after `delay`. A backend that cannot defer (the immediate one, in
    development) runs it at once. Never raises: the failure of this attempt is raised already."""
    try:
        later = send_email
        if send_email.get_backend().supports_defer:
            later = send_email.using(run_after=timezone.now() + delay)
        later.enqueue(**kwargs)
    except Exception:
        logger.exception("could not queue the next attempt of e-mail %r to %s", kwargs.get("subject"), kwargs.get("to"))
