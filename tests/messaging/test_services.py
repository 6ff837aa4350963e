"""`send`: who is reached on which channel, rows written in the caller's transaction, nothing sent
when it rolls back."""

import pytest
from django.db import transaction
from django_tasks import task_backends

from katalog.accounts.models import Channel, Profile
from katalog.messaging.models import MessageStatus, OutgoingMessage
from katalog.messaging.services import channel_of, send, send_to_vendor
from tests import factories as f

from .conftest import DUMMY


def _with_phone(user, phone="+6281234567890", preferred=""):
    Profile.objects.update_or_create(user=user, defaults={"phone": phone, "preferred_channel": preferred})
    return user


def _external(rows):
    return [(m.channel, m.to) for m in rows if m.channel != Channel.IN_APP]


# --- the channel rule -------------------------------------------------------------------------------


def test_a_vendors_person_with_a_phone_gets_whatsapp(medan, users):
    owner = _with_phone(users["penyedia"])
    f.make_vendor(medan, users=[owner])
    assert channel_of(owner) == (Channel.WHATSAPP, "+6281234567890")


def test_a_vendors_person_without_a_phone_gets_email(medan, users):
    owner = users["penyedia"]
    f.make_vendor(medan, users=[owner])
    assert not Profile.objects.filter(user=owner).exists()
    assert channel_of(owner) == (Channel.EMAIL, owner.email)
    assert Profile.objects.filter(user=owner).exists()  # made on demand


def test_a_buyer_with_a_phone_and_an_email_gets_email(users):
    ppk = _with_phone(users["ppk"])
    assert channel_of(ppk) == (Channel.EMAIL, ppk.email)


def test_someone_with_neither_is_reached_in_the_app_only(medan, users):
    pp = users["pp"]
    pp.email = ""
    pp.save()
    assert channel_of(pp) == (Channel.IN_APP, "")
    rows = send(katalog=medan, subject="S", text="T", user=pp)
    assert [(m.channel, m.status) for m in rows] == [(Channel.IN_APP, MessageStatus.DELIVERED)]


def test_the_preferred_channel_wins_when_it_can_be_used(medan, users):
    owner = _with_phone(users["penyedia"], preferred=Channel.SMS)
    f.make_vendor(medan, users=[owner])
    assert channel_of(owner) == (Channel.SMS, "+6281234567890")
    _with_phone(owner, preferred=Channel.EMAIL)
    assert channel_of(owner) == (Channel.EMAIL, owner.email)
    _with_phone(owner, preferred=Channel.IN_APP)
    assert channel_of(owner) == (Channel.IN_APP, "")
    # a preference that cannot be used falls back to the rule
    _with_phone(owner, phone="", preferred=Channel.WHATSAPP)
    assert channel_of(owner) == (Channel.EMAIL, owner.email)


def test_a_user_gets_an_in_app_row_and_one_on_their_channel(medan, users):
    owner = _with_phone(users["penyedia"])
    f.make_vendor(medan, users=[owner])
    rows = send(katalog=medan, subject="S", text="T", link="http://x.test/a", user=owner, kind="vendor.verified")
    assert [(m.channel, m.to, m.status, m.user_id, m.kind) for m in rows] == [
        (Channel.IN_APP, "", MessageStatus.DELIVERED, owner.pk, "vendor.verified"),
        (Channel.WHATSAPP, "+6281234567890", MessageStatus.QUEUED, owner.pk, "vendor.verified"),
    ]


def test_a_bare_phone_gets_whatsapp_or_sms_and_a_bare_email_gets_email(medan):
    assert _external(send(katalog=medan, subject="S", text="T", phone="+6281200000001")) == [
        (Channel.WHATSAPP, "+6281200000001")
    ]
    assert _external(send(katalog=medan, subject="S", text="T", phone="+6281200000001", channel="sms")) == [
        (Channel.SMS, "+6281200000001")
    ]
    assert _external(send(katalog=medan, subject="S", text="T", email="a@example.id")) == [
        (Channel.EMAIL, "a@example.id")
    ]
    assert send(katalog=medan, subject="S", text="T") == []


def test_a_vendor_without_an_account_is_reached_on_its_registered_phone(medan):
    vendor = f.make_vendor(medan, phone="+6281277777777")
    rows = send_to_vendor(vendor=vendor, subject="S", text="T", kind="vendor.invited")
    assert _external(rows) == [(Channel.WHATSAPP, "+6281277777777")]


# --- after commit only ----------------------------------------------------------------------------------


def test_rows_are_queued_for_the_worker_only_after_commit(medan, settings, django_capture_on_commit_callbacks):
    settings.TASKS = DUMMY
    backend = task_backends["default"]
    backend.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        [message] = send(katalog=medan, subject="S", text="T", phone="+6281200000001")
    assert backend.results == []  # nothing yet: the transaction has not committed
    for callback in callbacks:
        callback()
    [result] = backend.results
    assert result.kwargs == {"message_id": message.pk}


def test_a_rolled_back_transaction_sends_nothing(medan, users, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.KATALOG_MESSAGE_BACKEND = "file"
    settings.KATALOG_MESSAGE_FILE = tmp_path / "messages.jsonl"
    # when: the change that sends fails after `send`
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            send(katalog=medan, subject="S", text="T", phone="+6281200000001")
            send(katalog=medan, subject="S", text="T", user=users["ppk"])
            raise RuntimeError("the service failed")
    # then
    assert callbacks == []
    assert OutgoingMessage.objects.count() == 0
    assert not settings.KATALOG_MESSAGE_FILE.exists()
