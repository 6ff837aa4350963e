"""A per-recipient daily cap on WhatsApp, SMS and e-mail messages: past it, messages are kept as
"held: daily limit" (shown on the Pengelola's /pesan/ page) instead of sent; in-app messages and
sign-in codes are never held."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from katalog.accounts.models import Channel, Profile
from katalog.accounts.otp_delivery import deliver_login_code
from katalog.messaging.models import MessageStatus, OutgoingMessage
from katalog.messaging.services import send, send_to_vendor
from tests import factories as f
from tests.accounts.otp_helpers import outbox_at


def test_messages_past_the_daily_cap_are_held_and_shown_to_the_pengelola(
    medan, users, manager, settings, tmp_path, client_as, django_capture_on_commit_callbacks
):
    outbox = outbox_at(settings, tmp_path / "messages.jsonl")
    settings.KATALOG_MESSAGES_PER_RECIPIENT_PER_DAY = 2
    owner = users["penyedia"]
    Profile.objects.create(user=owner, phone="+6281234567890")
    vendor = f.make_vendor(medan, users=[owner])
    # yesterday's messages do not count towards today
    old = OutgoingMessage.objects.create(katalog=medan, channel=Channel.WHATSAPP, to="+6281234567890", text="x")
    OutgoingMessage.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=1), status="sent")

    with django_capture_on_commit_callbacks(execute=True):
        for n in range(1, 4):
            send_to_vendor(vendor=vendor, subject=f"Pesanan {n}", text=f"Pesanan baru {n}")
        deliver_login_code(katalog=medan, phone="+6281234567890", code="123456")  # codes: never held

    whatsapp = OutgoingMessage.objects.filter(channel=Channel.WHATSAPP, kind="").order_by("pk")
    assert [(m.subject, m.status) for m in whatsapp] == [
        ("", "sent"),
        ("Pesanan 1", MessageStatus.SENT),
        ("Pesanan 2", MessageStatus.SENT),
        ("Pesanan 3", MessageStatus.HELD),
    ]
    sent = [line["subject"] for line in outbox.lines()]
    assert sent == ["Pesanan 1", "Pesanan 2", "Sign-in code"] or sent == ["Pesanan 1", "Pesanan 2", "Kode masuk"]
    # the notifications page still gets every one
    assert OutgoingMessage.objects.filter(user=owner, channel=Channel.IN_APP).count() == 3

    page = client_as(manager).get(reverse("messaging:list"), {"status": "held"}).content.decode()
    assert "Pesanan 3" in page and "Pesanan 2" not in page
    assert "Ditahan: batas harian" in page


def test_the_cap_is_per_recipient_and_in_app_messages_are_never_capped(medan, users, settings):
    settings.KATALOG_MESSAGES_PER_RECIPIENT_PER_DAY = 1
    pp = users["pp"]
    first = send(katalog=medan, subject="A", text="T", user=pp)
    second = send(katalog=medan, subject="B", text="T", user=pp)
    other = send(katalog=medan, subject="C", text="T", email="someone@example.id")
    assert [(m.channel, m.status) for m in first] == [
        (Channel.IN_APP, MessageStatus.DELIVERED),
        (Channel.EMAIL, MessageStatus.QUEUED),
    ]
    assert [(m.channel, m.status) for m in second] == [
        (Channel.IN_APP, MessageStatus.DELIVERED),
        (Channel.EMAIL, MessageStatus.HELD),
    ]
    assert [m.status for m in other] == [MessageStatus.QUEUED]


def test_the_default_cap_is_twenty(medan, settings):
    del settings.KATALOG_MESSAGES_PER_RECIPIENT_PER_DAY
    rows = [send(katalog=medan, subject="S", text="T", phone="+6281200000009")[0] for _ in range(21)]
    assert [m.status for m in rows].count(MessageStatus.HELD) == 1 and rows[-1].status == MessageStatus.HELD
