"""Idempotent writes: a retry of a write returns its first result and creates nothing.

Every write that creates something (an order, a checkout, a delivery, a payment, a product, a
registration) accepts a key: the API's `Idempotency-Key` header, or the hidden `idempotency_key`
field that `{% idempotency_field %}` (katalog/core/templatetags/idempotency.py) puts in each form,
one new key per form shown. The first successful result is kept under (user, scope, key), where the
scope is the method and path, in the same transaction as what it created: a rollback leaves no key,
so a write that failed may be sent again with the same key.

- API (`@idempotent` under the router's decorator): the same key with the same body answers the
  first response again, with its status (the header `Idempotent-Replayed: true` says so); the same
  key with another body is a 422 (`idempotency_key_reused`); the same key while the first request
  is still running is a 409 (`idempotency_key_in_use`). An error answer is not kept.
- Pages (`@idempotent_page` under the view's permission decorators): a form sent again (a double
  click, the back button and send, two tabs) is redirected to where the first one went, with a
  note, whatever it holds; a second request arriving while the first runs waits for it. A form that
  did not validate is shown again with the same key, so the corrected form still creates once.
- Without a key, a request behaves as it always did.

A key is kept `KATALOG_IDEMPOTENCY_HOURS` (24 by default): an older one is ignored and deleted when
read, and the worker's sweep deletes the rest (`purge_expired`).
"""

import hashlib
import inspect
import json
import re
from datetime import timedelta
from functools import wraps
from typing import Annotated

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, connection, transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Header
from ninja.responses import NinjaJSONEncoder

from .errors import Conflict, ValidationFailed
from .models import IdempotencyKey

HEADER = "Idempotency-Key"
FIELD = "idempotency_key"
REPLAYED_HEADER = "Idempotent-Replayed"
# Visible ASCII, as Stripe and the IETF draft allow: a UUID fits; a NUL or a space does not.
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")


def ttl() -> timedelta:
    return timedelta(hours=getattr(settings, "KATALOG_IDEMPOTENCY_HOURS", 24))


def valid_key(value: str | None) -> bool:
    return bool(value) and KEY_PATTERN.fullmatch(value) is not None


def purge_expired(*, now=None) -> int:
    """Delete the keys older than their lifetime (the worker's sweep). Returns how many."""
    now = now or timezone.now()
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lt=now - ttl()).delete()
    return deleted


# --- Shared -------------------------------------------------------------------------------------------


def _user_id(request) -> int | None:
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


def _lock(user_id: int | None, scope: str, key: str, *, wait: bool) -> bool:
    """PostgreSQL: a transaction-scoped advisory lock on the key, so a second request with the same
    key waits for (pages) or is refused during (API) the first. SQLite runs one write transaction at
    a time (`BEGIN IMMEDIATE`) and needs none."""
    if connection.vendor != "postgresql":
        return True
    digest = hashlib.sha256(f"{user_id}\x00{scope}\x00{key}".encode()).digest()
    number = int.from_bytes(digest[:8], "big", signed=True)
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [number])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [number])
        return bool(cursor.fetchone()[0])


def _find(user_id: int | None, scope: str, key: str) -> IdempotencyKey | None:
    row = IdempotencyKey.objects.filter(user_id=user_id, scope=scope, key=key).first()
    if row is not None and row.created_at < timezone.now() - ttl():
        row.delete()  # expired: the key is free again
        return None
    return row


# --- API --------------------------------------------------------------------------------------------


def _body_fingerprint(request) -> str:
    """SHA-256 of the request body; a JSON body is compared by its content, not its spacing."""
    raw = request.body or b""
    try:
        canonical = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = raw
    return hashlib.sha256(canonical).hexdigest()


def _replay_api(row: IdempotencyKey, fingerprint: str, response: HttpResponse | None):
    if row.fingerprint != fingerprint:
        raise ValidationFailed(
            _("This Idempotency-Key was already used for a different request. Use a new key for a new request."),
            code="idempotency_key_reused",
        )
    if response is not None:
        response[REPLAYED_HEADER] = "true"
    return row.body if row.status is None else (row.status, row.body)


RESPONSE_ARG = "_idempotency_response"
KEY_ARG = "idempotency_key_header"
KeyHeader = Annotated[
    str | None,
    Header(
        alias=HEADER,
        min_length=1,
        max_length=255,
        pattern=f"^{KEY_PATTERN.pattern}$",
        description="Any new value (a UUID) per write: a retry with the same key returns the first result.",
    ),
]


def idempotent(operation):
    """A django-ninja operation that creates something, made safe to retry with `Idempotency-Key`.
    Put it under `@router.post(...)`. The kept data is the operation's result as JSON: a replay
    goes through the same response schema and so reads byte for byte as the first answer."""

    @wraps(operation)
    def wrapped(request, *args, **kwargs):
        response = kwargs.pop(RESPONSE_ARG, None)  # django-ninja's response, for the replay header
        kwargs.pop(KEY_ARG, None)  # read below from the headers as sent
        key = request.headers.get(HEADER)
        if key is None:
            return operation(request, *args, **kwargs)
        if not valid_key(key):
            message = _("An Idempotency-Key is 1 to 255 visible ASCII characters (a UUID, for example).")
            raise ValidationFailed(message, code="invalid", fields={HEADER: [message]})
        user_id, scope, fingerprint = _user_id(request), f"{request.method} {request.path}", _body_fingerprint(request)
        try:
            with transaction.atomic():
                if not _lock(user_id, scope, key, wait=False):
                    raise Conflict(
                        _("A request with this Idempotency-Key is still being processed. Try again in a moment."),
                        code="idempotency_key_in_use",
                    )
                row = _find(user_id, scope, key)
                if row is not None:
                    return _replay_api(row, fingerprint, response)
                result = operation(request, *args, **kwargs)
                status, data = result if isinstance(result, tuple) and len(result) == 2 else (None, result)
                if status is None or status < 400:
                    body = json.loads(json.dumps(data, cls=NinjaJSONEncoder))
                    IdempotencyKey.objects.create(
                        user_id=user_id, scope=scope, key=key, fingerprint=fingerprint, status=status, body=body
                    )
                return result
        except IntegrityError:
            # Another request with the same key committed first (SQLite, or PostgreSQL's lock
            # released between its commit and our insert): answer as its retry.
            row = _find(user_id, scope, key)
            if row is None:
                raise
            return _replay_api(row, fingerprint, response)

    # django-ninja hands the response it will send to a parameter annotated `HttpResponse`; the key's
    # header is declared as a parameter too, so that the OpenAPI schema documents it.
    signature = inspect.signature(operation)
    extra = [
        inspect.Parameter(RESPONSE_ARG, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=HttpResponse),
        inspect.Parameter(KEY_ARG, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=KeyHeader),
    ]
    wrapped.__signature__ = signature.replace(parameters=[*signature.parameters.values(), *extra])
    return wrapped


# --- Pages ------------------------------------------------------------------------------------------


def _form_fingerprint(request) -> str:
    """SHA-256 of what the form held (its fields but the CSRF token and the key; files by name and
    size). Kept for the record: a page replays whatever the form held, see the module's note."""
    fields = sorted(
        (name, request.POST.getlist(name)) for name in request.POST if name not in {"csrfmiddlewaretoken", FIELD}
    )
    files = sorted((name, [(f.name, f.size) for f in request.FILES.getlist(name)]) for name in request.FILES)
    return hashlib.sha256(json.dumps([fields, files], default=str).encode()).hexdigest()


def _replay_page(request, row: IdempotencyKey):
    messages.info(request, _("This form was already sent: here is its result. Nothing was created twice."))
    return HttpResponseRedirect(row.location)


def idempotent_page(view):
    """A page's POST that creates something, made safe to send twice: put it under the view's
    permission decorators, and `{% idempotency_field %}` in its form. Only a redirect (the page's
    success) is kept."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        key = request.POST.get(FIELD) if request.method == "POST" else None
        if not valid_key(key):
            return view(request, *args, **kwargs)
        user_id, scope = _user_id(request), f"POST {request.path}"
        try:
            with transaction.atomic():
                _lock(user_id, scope, key, wait=True)
                row = _find(user_id, scope, key)
                if row is not None:
                    return _replay_page(request, row)
                response = view(request, *args, **kwargs)
                if 300 <= response.status_code < 400 and response.has_header("Location"):
                    IdempotencyKey.objects.create(
                        user_id=user_id,
                        scope=scope,
                        key=key,
                        fingerprint=_form_fingerprint(request),
                        status=response.status_code,
                        location=response["Location"][:2000],
                    )
                return response
        except IntegrityError:
            row = _find(user_id, scope, key)
            if row is None:
                raise
            return _replay_page(request, row)

    return wrapped
