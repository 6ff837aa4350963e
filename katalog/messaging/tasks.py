"""The worker's side of messaging: `deliver` sends one queued message through the backend of its
channel and records what happened. A temporary failure is tried again after 1, 5 and 30 minutes
(the same waits as e-mail, `katalog.core.tasks.RETRY_DELAYS`); then, or at once on a permanent
refusal, the message is `failed` with the provider's reason."""

import logging

from django.db.models import F
from django.utils import timezone
from django_tasks import task

from katalog.core.tasks import RETRY_DELAYS

from .backends import DeliveryError, backend_for
from .models import MessageStatus, OutgoingMessage

logger = logging.getLogger(__name__)


@task()
def deliver(*, message_id: int) -> str:
    """Send message `message_id` once; returns its status. Never raises: the row keeps the outcome.

    No transaction is held while the provider answers (SQLite takes its write lock when a
    transaction begins): the attempt is claimed by a conditional UPDATE, so two workers never send
    the same attempt, and the outcome is written after."""
    message = OutgoingMessage.objects.filter(pk=message_id).first()
    if message is None or message.status != MessageStatus.QUEUED:
        return message.status if message else "missing"
    claimed = OutgoingMessage.objects.filter(
        pk=message_id, status=MessageStatus.QUEUED, attempts=message.attempts
    ).update(attempts=F("attempts") + 1, updated_at=timezone.now())
    if not claimed:
        return "taken"
    message.attempts += 1
    outcome = {"last_error": "", "updated_at": timezone.now()}
    try:
        outcome["provider_id"] = backend_for(message.channel).send(message)[:200]
    except DeliveryError as exc:
        retry = not exc.permanent and message.attempts <= len(RETRY_DELAYS)
        outcome["last_error"] = exc.reason[:500]
    except Exception as exc:  # a bug or an unexpected answer: keep it, try again like a temporary failure
        logger.exception("message %s: unexpected error", message_id)
        retry = message.attempts <= len(RETRY_DELAYS)
        outcome["last_error"] = f"{exc.__class__.__name__}: {exc}"[:500]
    else:
        retry = False
        outcome.update(status=MessageStatus.SENT, sent_at=timezone.now())
    if "status" not in outcome:
        outcome["status"] = MessageStatus.QUEUED if retry else MessageStatus.FAILED
    OutgoingMessage.objects.filter(pk=message_id).update(**outcome)
    if retry:
        logger.warning("message %s failed (attempt %s): %s", message_id, message.attempts, outcome["last_error"])
        schedule(message_id=message_id, attempt=message.attempts)
    elif outcome["status"] == MessageStatus.FAILED:
        logger.error("message %s given up after %s attempts: %s", message_id, message.attempts, outcome["last_error"])
    return outcome["status"]


def schedule(*, message_id: int, attempt: int = 0) -> None:
    """Queue `deliver`: at once for a first attempt, after the wait of `RETRY_DELAYS` for a next
    one. A backend that cannot defer (the immediate one, in development) runs it at once. Never
    raises: a message that cannot be queued stays `queued` and is logged."""
    try:
        later = deliver
        if attempt and deliver.get_backend().supports_defer:
            later = deliver.using(run_after=timezone.now() + RETRY_DELAYS[attempt - 1])
        later.enqueue(message_id=message_id)
    except Exception:
        logger.exception("could not queue message %s", message_id)
