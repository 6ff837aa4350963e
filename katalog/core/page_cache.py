"""The public pages a visitor reads, kept rendered between requests (docs/performance.md, "Pages and
the cost of a request").

A visitor (no session cookie, no pending message, no Authorization header) who asks for the home
page, a search, a product page or the public search API gets the same bytes as the last visitor who
asked for the same address in the same language on the same day, as long as nothing those bytes
were built from has changed. A view opts in with `keep_for_visitors(request, *scopes)`, naming the
*stamps* of core/tenant_cache.py its page is built from (the tenant, its categories, its catalogue,
its vendors); the rendered page is kept with the value of each stamp, and served again only while
every stamp still has that value (a `stat` each) and for at most KATALOG_VISITOR_PAGE_SECONDS (60;
0 keeps nothing): the bound for what no signal sees (a bulk update, another app server that does not
share the stamps' folder). A saved product, version, photo,
vendor, claim, rating, synonym or category, a change to the search index and a stock change each
move their tenant's stamp (now and after the commit), so a change shows at once in every worker.

What is never kept: a signed-in user's page (they carry a session cookie), a page that sets a cookie
(a message), a non-200 answer, a search that found nothing (each one is counted), anything a view did
not opt in. The CSRF token of the page is not part of what is kept: pages for visitors are rendered
with a placeholder, and each answer gets the token of its own request.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone

from katalog.core import tenant_cache

MAX_SECONDS = 60  # the default of KATALOG_VISITOR_PAGE_SECONDS
MAX_BYTES = 16 * 1024 * 1024  # per process; the whole store is dropped when it would grow past this
PLACEHOLDER = "katalog-csrf-token-of-this-request"  # letters and hyphens: unchanged by escaping
_PLACEHOLDER_BYTES = PLACEHOLDER.encode()
_KEPT_HEADERS_SKIPPED = {"set-cookie", "content-length"}


@dataclass(frozen=True, slots=True)
class _Kept:
    token: str  # also in Django's cache under the page's key: cache.clear() drops the page
    stamps: tuple  # (scope, stamp) read before the page was built
    until: float  # time.monotonic() after which it is built again
    status: int
    headers: list
    content: bytes  # with PLACEHOLDER for the CSRF token


_store: dict[str, _Kept] = {}
_bytes = 0


def clear() -> None:
    """Drop every page this process keeps (they are rebuilt at their next request)."""
    global _bytes
    _store.clear()
    _bytes = 0


def keep_for_visitors(request, *scopes: int | str) -> None:
    """Let the middleware keep this page for other visitors while the stamps of `scopes` stay
    (tenant_cache.forget moves them). Call it before reading what the page shows: the stamps are
    read now, and a page built across a change is not kept. Does nothing for a signed-in user."""
    if getattr(request, "visitor_page", False):
        request.visitor_page_stamps = tuple((scope, tenant_cache.stamp(scope)) for scope in scopes)


def not_for_visitors(request) -> None:
    """This answer must not be kept after all (e.g. a search that found nothing: each is counted)."""
    request.visitor_page_stamps = None


def public_scopes(tenant_id: int) -> tuple[int | str, ...]:
    """What a public catalogue page (search, product) is built from: the tenant of the host, the
    tenant itself with its categories and districts, its products and its vendors."""
    return (
        tenant_cache.ALL_TENANTS,
        tenant_id,
        tenant_cache.catalogue_scope(tenant_id),
        tenant_cache.vendors_scope(tenant_id),
    )


def csrf_placeholder(request) -> dict:
    """Context processor: a visitor's page is rendered with a placeholder for the CSRF token, which
    the middleware replaces with the token of each request it answers."""
    if getattr(request, "visitor_page", False):
        return {"csrf_token": PLACEHOLDER}
    return {}


def _seconds() -> int:
    return getattr(settings, "KATALOG_VISITOR_PAGE_SECONDS", MAX_SECONDS)


def _is_visitor(request) -> bool:
    return (
        _seconds() > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
    )


def _key(request) -> str:
    day = timezone.localdate().isoformat()  # the ranking's tie order turns daily (WIB)
    raw = "|".join(
        (
            request.get_host(),
            request.get_full_path(),
            request.LANGUAGE_CODE,
            request.headers.get("HX-Request", ""),
            request.headers.get("HX-Target", ""),
            day,
        )
    )
    return "katalog:page:" + hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


def _unchanged(stamps) -> bool:
    return all(tenant_cache.stamp(scope) == value for scope, value in stamps)


def _with_token(request, content: bytes) -> bytes:
    if _PLACEHOLDER_BYTES in content:
        return content.replace(_PLACEHOLDER_BYTES, get_token(request).encode())
    return content


def _keep(key: str, request, response, stamps) -> None:
    global _bytes
    if (
        response.status_code != 200
        or response.streaming
        or response.cookies
        or "no-store" in response.get("Cache-Control", "")
        or "private" in response.get("Cache-Control", "")
    ):
        return
    if getattr(getattr(request, "_messages", None), "added_new", False):
        return  # a message of this request (shown on this page): it is this visitor's
    if not _unchanged(stamps):
        return  # something the page shows changed while it was built
    content = response.content
    if _bytes + len(content) > MAX_BYTES:
        _store.clear()
        _bytes = 0
    token = uuid.uuid4().hex
    headers = [(k, v) for k, v in response.headers.items() if k.lower() not in _KEPT_HEADERS_SKIPPED]
    previous = _store.pop(key, None)
    if previous is not None:
        _bytes -= len(previous.content)
    _store[key] = _Kept(
        token,
        stamps,
        time.monotonic() + _seconds(),
        response.status_code,
        headers,
        content,
    )
    _bytes += len(content)
    cache.set(key, token, _seconds())  # cache.clear() (each test, an operator) drops the page too


class VisitorPageCacheMiddleware:
    """Serves a visitor's page kept by `keep_for_visitors`, or keeps the one just built. Sits after
    the CSRF middleware (the token of each answer) and the language middleware (part of the key),
    before authentication: a kept page costs none of what follows."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _is_visitor(request):
            return self.get_response(request)
        key = _key(request)
        kept = _store.get(key)
        if kept is not None:
            if kept.until > time.monotonic() and _unchanged(kept.stamps) and cache.get(key) == kept.token:
                response = HttpResponse(_with_token(request, kept.content), status=kept.status)
                for name, value in kept.headers:
                    response.headers[name] = value
                return response
        request.visitor_page = True
        response = self.get_response(request)
        stamps = getattr(request, "visitor_page_stamps", None)
        if stamps:
            _keep(key, request, response, stamps)
        if not response.streaming:
            response.content = _with_token(request, response.content)
        return response
