"""Where a message goes out: one small class per way of sending, chosen per channel by the setting
KATALOG_MESSAGE_BACKEND (docs/messages.md):

- `console` (default): printed on standard output; `file`: one JSON line per message appended to
  KATALOG_MESSAGE_FILE; both take every channel.
- `live`: e-mail by SMTP, WhatsApp by the WhatsApp Business Cloud API, SMS by the HTTP gateway.
- a list such as `email:smtp,whatsapp:whatsapp,sms:file` names a backend per channel; a channel
  not named there is printed (console).

A backend's `send` returns the provider's message id (or "") and raises `DeliveryError` when the
provider refuses; `permanent` says that trying again will not help."""

import json
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.message import make_msgid
from django.utils import timezone

from katalog.accounts.models import Channel

from .models import OutgoingMessage


class DeliveryError(Exception):
    def __init__(self, reason: str, *, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


def body_of(message: OutgoingMessage) -> str:
    """The text as a person reads it, with the page to act on at the end."""
    return f"{message.text}\n\n{message.link}" if message.link else message.text


class ConsoleBackend:
    def send(self, message: OutgoingMessage) -> str:
        sys.stdout.write(f"--- {message.channel} to {message.to}\n{message.subject}\n{body_of(message)}\n---\n")
        sys.stdout.flush()
        return ""


_file_lock = threading.Lock()


class FileBackend:
    """Appends `{"channel", "to", "subject", "text", "at"}` as one line; the text ends with the link.
    Browser tests read the invitations and sign-in codes from this file."""

    def send(self, message: OutgoingMessage) -> str:
        path = Path(settings.KATALOG_MESSAGE_FILE)
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {
                "channel": message.channel,
                "to": message.to,
                "subject": message.subject,
                "text": body_of(message),
                "at": timezone.now().isoformat(),
            },
            ensure_ascii=False,
        )
        with _file_lock, path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")
        return ""


class SmtpBackend:
    """E-mail through Django's SMTP backend (EMAIL_HOST, EMAIL_PORT, ... from KATALOG_EMAIL_*)."""

    def send(self, message: OutgoingMessage) -> str:
        connection = get_connection("django.core.mail.backends.smtp.EmailBackend", timeout=_timeout())
        message_id = make_msgid(domain="katalog.local")
        email = EmailMessage(
            subject=" ".join(message.subject.split()),
            body=body_of(message),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.to],
            connection=connection,
            headers={"Message-ID": message_id},
        )
        try:
            email.send()
        except Exception as exc:  # smtplib and socket errors: the server may be back later
            permanent = getattr(exc, "smtp_code", 0) >= 500 or exc.__class__.__name__ == "SMTPRecipientsRefused"
            raise DeliveryError(f"SMTP: {exc}"[:500], permanent=permanent) from exc
        return message_id


def _timeout() -> float:
    return float(settings.KATALOG_MESSAGE_TIMEOUT)


def _post_json(url: str, body: dict, headers: dict[str, str]) -> tuple[int, dict]:
    """POST `body` as JSON; return the status and the JSON answer (an empty dict when it is not
    JSON). Raises `DeliveryError` (temporary) when the server cannot be reached."""
    if not url.startswith(("http://", "https://")):
        raise DeliveryError(f"not an http(s) address: {url!r} (check the settings)", permanent=True)
    request = urllib.request.Request(  # noqa: S310 (http or https only, checked above)
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **headers},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=_timeout()) as response:  # noqa: S310
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    except (urllib.error.URLError, OSError) as exc:
        raise DeliveryError(f"cannot reach {url.split('?')[0]}: {exc}"[:500]) from exc
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        answer = {}
    return status, answer if isinstance(answer, dict) else {}


# WhatsApp Cloud API error codes worth another attempt: throughput and pair rate limits, "something
# went wrong", "service unavailable" (developers.facebook.com, WhatsApp error codes). Everything
# else in a 4xx answer (e.g. 131026 "message undeliverable", 132001 "template does not exist") is
# final; a 5xx answer or no answer at all is tried again.
WHATSAPP_RETRY_CODES = frozenset({1, 2, 4, 80007, 130429, 131000, 131016, 131048, 131056})


def _one_line(text: str) -> str:
    # A template parameter may hold no newline, tab or more than four spaces in a row.
    return " ".join(text.split())


class WhatsAppBackend:
    """A template message through the WhatsApp Business Cloud API:
    POST {KATALOG_WHATSAPP_URL}/{KATALOG_WHATSAPP_API_VERSION}/{KATALOG_WHATSAPP_PHONE_NUMBER_ID}/messages
    with a Bearer token. The template (KATALOG_WHATSAPP_TEMPLATE, language KATALOG_WHATSAPP_LANGUAGE)
    has two body parameters: {{1}} the text on one line, {{2}} the link."""

    def send(self, message: OutgoingMessage) -> str:
        base = settings.KATALOG_WHATSAPP_URL.rstrip("/")
        url = f"{base}/{settings.KATALOG_WHATSAPP_API_VERSION}/{settings.KATALOG_WHATSAPP_PHONE_NUMBER_ID}/messages"
        text = _one_line(f"{message.subject}: {message.text}" if message.subject else message.text)[:1000]
        body = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": message.to.lstrip("+"),
            "type": "template",
            "template": {
                "name": settings.KATALOG_WHATSAPP_TEMPLATE,
                "language": {"code": settings.KATALOG_WHATSAPP_LANGUAGE},
                "components": [
                    {
                        "type": "body",
                        "parameters": [
                            {"type": "text", "text": text},
                            {"type": "text", "text": message.link or "-"},
                        ],
                    }
                ],
            },
        }
        status, answer = _post_json(url, body, {"Authorization": f"Bearer {settings.KATALOG_WHATSAPP_TOKEN}"})
        if 200 <= status < 300:
            messages = answer.get("messages") or [{}]
            return str(messages[0].get("id", ""))
        error = answer.get("error") or {}
        code = error.get("code")
        details = (error.get("error_data") or {}).get("details", "")
        reason = f"WhatsApp {status} code {code}: {error.get('message', '')} {details}".strip()
        permanent = 400 <= status < 500 and code not in WHATSAPP_RETRY_CODES and status != 429
        raise DeliveryError(reason[:500], permanent=permanent)


class SmsBackend:
    """The SMS gateway (docs/messages.md): POST KATALOG_SMS_URL with the header
    `X-Api-Key: KATALOG_SMS_API_KEY` and `{"to": "+62...", "text": "..."}`; it answers 2xx with
    `{"id": "..."}`, or 4xx (final) / 5xx (try again) with `{"error": "..."}`."""

    def send(self, message: OutgoingMessage) -> str:
        status, answer = _post_json(
            settings.KATALOG_SMS_URL,
            {"to": message.to, "text": body_of(message)},
            {"X-Api-Key": settings.KATALOG_SMS_API_KEY},
        )
        if 200 <= status < 300:
            return str(answer.get("id", ""))
        reason = f"SMS gateway {status}: {answer.get('error', '')}".strip()
        raise DeliveryError(reason[:500], permanent=400 <= status < 500 and status != 429)


BACKENDS = {
    "console": ConsoleBackend,
    "file": FileBackend,
    "smtp": SmtpBackend,
    "whatsapp": WhatsAppBackend,
    "sms": SmsBackend,
}
LIVE = {Channel.EMAIL: "smtp", Channel.WHATSAPP: "whatsapp", Channel.SMS: "sms"}


def backend_names(setting: str) -> dict[str, str]:
    """Channel → backend name, from the value of KATALOG_MESSAGE_BACKEND."""
    setting = (setting or "console").strip()
    if setting == "live":
        return {str(k): v for k, v in LIVE.items()}
    if ":" not in setting:
        return {str(channel): setting for channel in LIVE}
    names = {str(channel): "console" for channel in LIVE}
    for part in setting.split(","):
        channel, _sep, name = part.partition(":")
        names[channel.strip()] = name.strip()
    return names


def backend_for(channel: str):
    name = backend_names(settings.KATALOG_MESSAGE_BACKEND).get(channel, "console")
    try:
        return BACKENDS[name]()
    except KeyError:
        raise DeliveryError(f"unknown message backend {name!r} (KATALOG_MESSAGE_BACKEND)", permanent=True) from None
