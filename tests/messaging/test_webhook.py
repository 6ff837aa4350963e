"""The WhatsApp status webhook: Meta's subscription check, signed reports of delivered and failed."""

import hashlib
import hmac
import json

import pytest
from django.urls import reverse

from katalog.accounts.models import Channel
from katalog.messaging.models import MessageStatus, OutgoingMessage

URL = reverse("messaging:whatsapp_webhook")
SECRET = "rahasia-aplikasi"


@pytest.fixture(autouse=True)
def _secrets(settings):
    settings.KATALOG_WHATSAPP_VERIFY_TOKEN = "token-verifikasi"
    settings.KATALOG_WHATSAPP_APP_SECRET = SECRET


@pytest.fixture
def sent(medan):
    return OutgoingMessage.objects.create(
        katalog=medan, channel=Channel.WHATSAPP, to="+6281234567890", text="T", status="sent", provider_id="wamid.A1"
    )


def _report(status, **extra):
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "6281100000000", "phone_number_id": "106540352242922"},
                            "statuses": [
                                {
                                    "id": "wamid.A1",
                                    "status": status,
                                    "timestamp": "1764500000",
                                    "recipient_id": "6281234567890",
                                    **extra,
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }


def _post(client, payload, secret=SECRET):
    body = json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return client.post(URL, body, content_type="application/json", headers={"X-Hub-Signature-256": signature})


def test_the_subscription_check_echoes_the_challenge_only_with_the_token(client):
    ok = client.get(
        URL, {"hub.mode": "subscribe", "hub.verify_token": "token-verifikasi", "hub.challenge": "1158201444"}
    )
    assert (ok.status_code, ok.content) == (200, b"1158201444")
    wrong = client.get(URL, {"hub.mode": "subscribe", "hub.verify_token": "salah", "hub.challenge": "1"})
    assert wrong.status_code == 403


def test_a_delivered_report_marks_the_message_delivered(client, sent):
    assert _post(client, _report("delivered")).status_code == 200
    sent.refresh_from_db()
    assert sent.status == MessageStatus.DELIVERED


def test_a_failed_report_keeps_the_reason(client, sent):
    errors = [{"code": 131026, "title": "Message undeliverable", "error_data": {"details": "Not on WhatsApp."}}]
    _post(client, _report("failed", errors=errors))
    sent.refresh_from_db()
    assert (sent.status, sent.last_error) == (
        MessageStatus.FAILED,
        "WhatsApp code 131026: Message undeliverable Not on WhatsApp.",
    )


def test_a_delivered_message_stays_delivered(client, sent):
    _post(client, _report("delivered"))
    _post(client, _report("failed", errors=[{"code": 131000, "title": "late"}]))
    sent.refresh_from_db()
    assert sent.status == MessageStatus.DELIVERED


def test_an_unsigned_or_badly_signed_report_changes_nothing(client, sent, settings):
    assert _post(client, _report("delivered"), secret="bukan-rahasia").status_code == 403
    settings.KATALOG_WHATSAPP_APP_SECRET = ""
    assert _post(client, _report("delivered"), secret="").status_code == 403
    sent.refresh_from_db()
    assert sent.status == MessageStatus.SENT
