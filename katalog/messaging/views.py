"""The Pengelola's list of outgoing messages: who was told what, on which channel, and whether it
arrived. Guarded by `vendor:view_all`: the recipients are vendors' phone numbers and addresses,
which the same right shows on the vendor pages (Pengelola, auditor, administrator).

And the WhatsApp status webhook: the provider reports `delivered` or `failed` after sending."""

import hashlib
import hmac
import json

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from katalog.accounts.models import Channel
from katalog.core.decorators import require
from katalog.core.permissions import Permission

from . import selectors, services
from .models import MessageStatus


@require(Permission.VENDOR_VIEW_ALL)
def message_list(request):
    status = request.GET.get("status", "")
    if status not in MessageStatus.values:
        status = ""
    rows = selectors.messages_of_tenant(request.actor, status=status).exclude(channel=Channel.IN_APP)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "messaging/list.html", {"page": page, "status": status, "statuses": MessageStatus.choices})


def _signed_by_meta(request) -> bool:
    """Meta signs each webhook body with the app secret (header X-Hub-Signature-256)."""
    secret = settings.KATALOG_WHATSAPP_APP_SECRET
    if not secret:
        return False
    expected = "sha256=" + hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, request.headers.get("X-Hub-Signature-256", ""))


@csrf_exempt
@require_http_methods(["GET", "POST"])
def whatsapp_webhook(request):
    """The WhatsApp Cloud API's status reports. GET: Meta's subscription check (echo the challenge
    when the verify token matches). POST: signed reports `entry[].changes[].value.statuses[]`."""
    if request.method == "GET":
        token = settings.KATALOG_WHATSAPP_VERIFY_TOKEN
        if (
            token
            and request.GET.get("hub.mode") == "subscribe"
            and hmac.compare_digest(request.GET.get("hub.verify_token", ""), token)
        ):
            return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
        return HttpResponseForbidden()
    if not _signed_by_meta(request):
        return HttpResponseForbidden()
    try:
        payload = json.loads(request.body)
    except ValueError:
        return HttpResponseBadRequest()
    for report in _statuses(payload):
        errors = report.get("errors") or [{}]
        error = errors[0] if isinstance(errors[0], dict) else {}
        details = (error.get("error_data") or {}).get("details", "")
        reason = f"WhatsApp code {error.get('code')}: {error.get('title', '')} {details}".strip() if error else ""
        services.record_provider_status(
            channel=Channel.WHATSAPP,
            provider_id=str(report.get("id", "")),
            status=str(report.get("status", "")),
            reason=reason,
        )
    return HttpResponse("ok", content_type="text/plain")


def _statuses(payload) -> list[dict]:
    found = []
    for entry in payload.get("entry", []) if isinstance(payload, dict) else []:
        for change in entry.get("changes", []) if isinstance(entry, dict) else []:
            value = change.get("value", {}) if isinstance(change, dict) else {}
            found += [s for s in (value.get("statuses") or []) if isinstance(s, dict)]
    return found
