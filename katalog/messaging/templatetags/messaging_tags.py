"""`{% reached_by user %}`: how messages reach a user, in words ("WhatsApp (0812-3456-7890)"), for
the pages that promise a message (the "sent for curation" screen)."""

from django import template

from katalog.accounts.models import Channel
from katalog.accounts.phones import display_phone

register = template.Library()


@register.simple_tag
def reached_by(user) -> str:
    from katalog.messaging.services import channel_of

    if user is None or not user.is_authenticated:
        return ""
    channel, to = channel_of(user)
    if channel == Channel.IN_APP:
        return str(Channel.IN_APP.label)
    shown = display_phone(to) if channel in (Channel.WHATSAPP, Channel.SMS) else to
    return f"{Channel(channel).label} ({shown})"


@register.simple_tag
def curation_days() -> int:
    """How long curation usually takes, in working days, as the Dinas promises it (a setting)."""
    from django.conf import settings

    return int(getattr(settings, "KATALOG_CURATION_WORKING_DAYS", 2))
