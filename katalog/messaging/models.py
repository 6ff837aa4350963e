"""One row per message to one recipient on one channel: what was sent, to whom, and what became
of it. Rows are written in the caller's transaction; the task worker sends them after the commit
(`katalog.messaging.tasks.deliver`)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from katalog.accounts.models import Channel
from katalog.core.models import Katalog


class MessageStatus(models.TextChoices):
    """Where a message is. A provider that reports delivery (WhatsApp) moves `sent` to `delivered`."""

    QUEUED = "queued", _("Queued")  # written, waiting for the worker (or for its next attempt)
    SENT = "sent", _("Sent")  # the provider accepted it
    DELIVERED = "delivered", _("Delivered")  # it reached the person (an in-app message at once)
    FAILED = "failed", _("Failed")  # given up: `last_error` says why
    # past the recipient's daily cap (KATALOG_MESSAGES_PER_RECIPIENT_PER_DAY): kept, never sent
    HELD = "held", _("Held: daily limit")


class OutgoingMessage(models.Model):
    katalog = models.ForeignKey(Katalog, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages_received"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # An e-mail address or an E.164 phone number; empty for an in-app message.
    to = models.CharField(_("recipient"), max_length=254, blank=True, default="")
    subject = models.CharField(_("subject"), max_length=200, blank=True, default="")
    text = models.TextField(_("text"))
    link = models.URLField(_("link"), max_length=500, blank=True, default="")
    kind = models.CharField(_("event"), max_length=50, blank=True, default="")  # e.g. "vendor.verified"
    status = models.CharField(_("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(_("reason"), max_length=500, blank=True, default="")
    provider_id = models.CharField(max_length=200, blank=True, default="", db_index=True)  # the provider's id
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["katalog", "-created_at"], name="message_katalog_recent"),
            models.Index(fields=["user", "channel", "-created_at"], name="message_user_channel"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.to or self.user_id}: {self.subject or self.text[:40]}"
