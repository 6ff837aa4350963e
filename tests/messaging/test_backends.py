"""The real backends against local servers that behave as the providers document, and the file
backend. Messages are queued by `send` and sent by the task worker after the commit."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import task_backends

from katalog.messaging.models import MessageStatus, OutgoingMessage
from katalog.messaging.services import send
from katalog.messaging.tasks import deliver

from .conftest import DUMMY, IMMEDIATE

PHONE = "+6281234567890"
LINK = "http://katalog.test/penyedia/usaha-saya/"
WA_OK = {
    "messaging_product": "whatsapp",
    "contacts": [{"input": "6281234567890", "wa_id": "6281234567890"}],
    "messages": [{"id": "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABEYEjQ"}],
}
WA_UNDELIVERABLE = {
    "error": {
        "message": "(#131026) Message Undeliverable.",
        "type": "OAuthException",
        "code": 131026,
        "error_data": {"messaging_product": "whatsapp", "details": "Message Undeliverable."},
        "fbtrace_id": "A1b2C3",
    }
}
WA_DOWN = {"error": {"message": "(#131000) Something went wrong", "type": "OAuthException", "code": 131000}}


@pytest.fixture
def whatsapp(settings, provider):
    settings.KATALOG_MESSAGE_BACKEND = "live"
    settings.KATALOG_WHATSAPP_URL = provider.url
    settings.KATALOG_WHATSAPP_API_VERSION = "v21.0"
    settings.KATALOG_WHATSAPP_TOKEN = "token-uji"
    settings.KATALOG_WHATSAPP_PHONE_NUMBER_ID = "106540352242922"
    settings.KATALOG_WHATSAPP_TEMPLATE = "katalog_pemberitahuan"
    settings.KATALOG_WHATSAPP_LANGUAGE = "id"
    return provider


@pytest.fixture
def sms(settings, provider):
    settings.KATALOG_MESSAGE_BACKEND = "live"
    settings.KATALOG_SMS_URL = provider.url + "/v1/sms"
    settings.KATALOG_SMS_API_KEY = "kunci-uji"
    return provider


def _send_and_run(medan, django_capture_on_commit_callbacks, **kwargs) -> OutgoingMessage:
    with django_capture_on_commit_callbacks(execute=True):
        [message] = send(katalog=medan, subject="Katalog Lokal", text="Usaha Anda terverifikasi.", link=LINK, **kwargs)
    message.refresh_from_db()
    return message


# --- WhatsApp Business Cloud API ------------------------------------------------------------------


def test_whatsapp_sends_a_template_message_as_the_cloud_api_documents(
    medan, settings, whatsapp, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    whatsapp.answer((200, WA_OK))
    # when
    message = _send_and_run(medan, django_capture_on_commit_callbacks, phone=PHONE, kind="vendor.verified")
    # then: one request, as documented
    [request] = whatsapp.requests
    assert request["path"] == "/v21.0/106540352242922/messages"
    assert request["headers"]["authorization"] == "Bearer token-uji"
    assert request["headers"]["content-type"] == "application/json"
    assert request["json"] == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "6281234567890",
        "type": "template",
        "template": {
            "name": "katalog_pemberitahuan",
            "language": {"code": "id"},
            "components": [
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": "Katalog Lokal: Usaha Anda terverifikasi."},
                        {"type": "text", "text": LINK},
                    ],
                }
            ],
        },
    }
    assert (message.channel, message.to, message.status) == ("whatsapp", PHONE, MessageStatus.SENT)
    assert message.provider_id == "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABEYEjQ"
    assert message.attempts == 1
    assert message.last_error == ""
    assert message.sent_at is not None


def test_whatsapp_message_undeliverable_fails_at_once_with_the_reason(
    medan, settings, whatsapp, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    whatsapp.answer((400, WA_UNDELIVERABLE))
    # when
    message = _send_and_run(medan, django_capture_on_commit_callbacks, phone=PHONE)
    # then: not tried again (the number is not on WhatsApp), the reason is kept
    assert len(whatsapp.requests) == 1
    assert message.status == MessageStatus.FAILED
    assert message.attempts == 1
    assert message.last_error == "WhatsApp 400 code 131026: (#131026) Message Undeliverable. Message Undeliverable."


def test_whatsapp_server_error_is_tried_again_and_then_succeeds(
    medan, settings, whatsapp, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE  # the immediate queue runs the retry at once
    whatsapp.answer((500, WA_DOWN), (200, WA_OK))
    # when
    message = _send_and_run(medan, django_capture_on_commit_callbacks, phone=PHONE)
    # then
    assert len(whatsapp.requests) == 2
    assert whatsapp.requests[0]["json"] == whatsapp.requests[1]["json"]
    assert message.status == MessageStatus.SENT
    assert message.attempts == 2
    assert message.provider_id == WA_OK["messages"][0]["id"]


def test_a_failed_attempt_waits_1_5_30_minutes_then_gives_up(
    medan, settings, whatsapp, django_capture_on_commit_callbacks
):
    settings.TASKS = DUMMY
    backend = task_backends["default"]
    backend.clear()
    whatsapp.answer((503, WA_DOWN))
    with django_capture_on_commit_callbacks(execute=True):
        [message] = send(katalog=medan, subject="S", text="T", phone=PHONE)
    assert [r.task.run_after for r in backend.results] == [None]  # the first attempt: at once
    waits = []
    for attempt in range(1, 5):
        # when: the worker runs the attempt
        before = timezone.now()
        deliver.call(message_id=message.pk)
        message.refresh_from_db()
        assert message.attempts == attempt
        if attempt < 4:
            assert message.status == MessageStatus.QUEUED
            waits.append(round((backend.results[-1].task.run_after - before).total_seconds() / 60))
    # then
    assert waits == [1, 5, 30]
    assert message.status == MessageStatus.FAILED
    assert message.last_error.startswith("WhatsApp 503 code 131000")
    assert len(whatsapp.requests) == 4
    assert len(backend.results) == 4  # the first attempt and three retries, no fifth


def test_an_unreachable_provider_is_a_temporary_failure(medan, settings, django_capture_on_commit_callbacks):
    settings.TASKS = DUMMY
    settings.KATALOG_MESSAGE_BACKEND = "live"
    settings.KATALOG_WHATSAPP_URL = "http://127.0.0.1:9"  # discard port: nobody listens
    with django_capture_on_commit_callbacks(execute=True):
        [message] = send(katalog=medan, subject="S", text="T", phone=PHONE)
    deliver.call(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert message.last_error.startswith("cannot reach http://127.0.0.1:9/")


# --- SMS gateway ------------------------------------------------------------------------------------


def test_sms_posts_to_the_gateway_with_the_api_key(medan, settings, sms, django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    sms.answer((201, {"id": "sms-7781"}))
    # when
    message = _send_and_run(medan, django_capture_on_commit_callbacks, phone=PHONE, channel="sms")
    # then
    [request] = sms.requests
    assert request["path"] == "/v1/sms"
    assert request["headers"]["x-api-key"] == "kunci-uji"
    assert request["json"] == {"to": PHONE, "text": f"Usaha Anda terverifikasi.\n\n{LINK}"}
    assert (message.channel, message.status, message.provider_id) == ("sms", MessageStatus.SENT, "sms-7781")


def test_sms_refused_number_fails_with_the_gateway_reason(medan, settings, sms, django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    sms.answer((422, {"error": "invalid number"}))
    message = _send_and_run(medan, django_capture_on_commit_callbacks, phone=PHONE, channel="sms")
    assert len(sms.requests) == 1
    assert (message.status, message.last_error) == (MessageStatus.FAILED, "SMS gateway 422: invalid number")


def test_sms_gateway_error_is_retried_then_sent(medan, settings, sms, django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    sms.answer((500, {"error": "busy"}), (500, {"error": "busy"}), (200, {"id": "sms-2"}))
    message = _send_and_run(medan, django_capture_on_commit_callbacks, phone=PHONE, channel="sms")
    assert len(sms.requests) == 3
    assert (message.status, message.attempts, message.provider_id) == (MessageStatus.SENT, 3, "sms-2")


# --- SMTP ---------------------------------------------------------------------------------------------


def test_email_goes_through_a_real_smtp_server(medan, settings, smtp_server, django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    settings.KATALOG_MESSAGE_BACKEND = "live"
    # when
    message = _send_and_run(medan, django_capture_on_commit_callbacks, email="butet@example.id")
    # then
    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == ["butet@example.id"]
    content = envelope.content.decode()
    assert "Subject: Katalog Lokal" in content
    assert "Usaha Anda terverifikasi." in content
    assert LINK in content
    assert message.status == MessageStatus.SENT
    assert message.provider_id and message.provider_id in content


def test_email_refused_by_the_smtp_server_fails_with_its_reason(
    medan, settings, smtp_server, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    settings.KATALOG_MESSAGE_BACKEND = "live"
    smtp_server.refuse.add("nobody@example.id")
    message = _send_and_run(medan, django_capture_on_commit_callbacks, email="nobody@example.id")
    assert smtp_server.envelopes == []
    assert message.status == MessageStatus.FAILED
    assert message.attempts == 1
    assert "550" in message.last_error and "No such user" in message.last_error


# --- file and console -----------------------------------------------------------------------------------


def test_the_file_backend_appends_one_json_line_per_message(
    medan, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    settings.KATALOG_MESSAGE_BACKEND = "file"
    settings.KATALOG_MESSAGE_FILE = tmp_path / "var" / "messages.jsonl"
    # when: a WhatsApp message and an e-mail
    with django_capture_on_commit_callbacks(execute=True):
        send(katalog=medan, subject="Kode masuk", text="Kode Anda: 123456", phone=PHONE)
        send(katalog=medan, subject="Undangan", text="Silakan masuk.", link=LINK, email="butet@example.id")
    # then
    lines = [json.loads(line) for line in settings.KATALOG_MESSAGE_FILE.read_text().splitlines()]
    assert [sorted(line) for line in lines] == [["at", "channel", "subject", "text", "to"]] * 2
    assert [(m["channel"], m["to"], m["subject"], m["text"]) for m in lines] == [
        ("whatsapp", PHONE, "Kode masuk", "Kode Anda: 123456"),
        ("email", "butet@example.id", "Undangan", f"Silakan masuk.\n\n{LINK}"),
    ]
    assert abs(timezone.datetime.fromisoformat(lines[0]["at"]) - timezone.now()) < timedelta(minutes=1)
    assert set(OutgoingMessage.objects.values_list("status", flat=True)) == {MessageStatus.SENT}


def test_the_console_backend_prints(medan, settings, capsys, django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    settings.KATALOG_MESSAGE_BACKEND = "console"
    _send_and_run(medan, django_capture_on_commit_callbacks, phone=PHONE)
    out = capsys.readouterr().out
    assert f"--- whatsapp to {PHONE}" in out and LINK in out


def test_a_backend_per_channel(medan, settings, tmp_path, capsys, django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    settings.KATALOG_MESSAGE_BACKEND = "whatsapp:file"  # e-mail and SMS: printed
    settings.KATALOG_MESSAGE_FILE = tmp_path / "m.jsonl"
    with django_capture_on_commit_callbacks(execute=True):
        send(katalog=medan, subject="S", text="lewat WhatsApp", phone=PHONE)
        send(katalog=medan, subject="S", text="lewat e-mail", email="a@example.id")
    assert "lewat WhatsApp" in settings.KATALOG_MESSAGE_FILE.read_text()
    assert "lewat e-mail" not in settings.KATALOG_MESSAGE_FILE.read_text()
    assert "lewat e-mail" in capsys.readouterr().out
