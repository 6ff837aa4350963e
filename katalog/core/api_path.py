"""A request to the API with a bearer token and no session cookie goes through a shorter middleware
chain (settings.API_BEARER_MIDDLEWARE) than a page.

Such a request is a program's (an office's system, the bench's client): it carries no session, so
sessions, CSRF, the sign-in and its two-factor step, flash messages, htmx, the login throttle
(axes), the visitors' page cache and the static files have nothing to do for it; the token is its
only credential and is checked by the API itself (accounts/api_auth.py). What every answer needs
stays in its chain: the metrics, the security and cache headers, the client's address for the
audit, the language, the request bounds, the tenant and the replica marking. Measured in
docs/performance.md ("Sixth pass"). A request that also carries a session cookie (a page's script
calling the API) takes the whole chain, as before.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.handlers.base import BaseHandler


def is_bearer_api(request) -> bool:
    meta = request.META
    return (
        request.path_info.startswith("/api/")
        and meta.get("HTTP_AUTHORIZATION", "")[:7].lower() == "bearer "
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


class _BearerApiHandler(BaseHandler):
    """Django's own handler (view, template-response and exception middleware hooks, atomic
    requests) with the API's chain."""

    def load_middleware(self, is_async=False):
        chain = settings.API_BEARER_MIDDLEWARE
        saved = settings.MIDDLEWARE
        # BaseHandler builds its chain from settings.MIDDLEWARE; this runs once, when the
        # outer chain is built (at start-up), before any request is served.
        settings.MIDDLEWARE = chain
        try:
            super().load_middleware(is_async=is_async)
        finally:
            settings.MIDDLEWARE = saved


class BearerApiMiddleware:
    """Sends a bearer-token API request (`is_bearer_api`) down the API's chain; any other request
    goes on down the whole one."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.api = _BearerApiHandler()
        self.api.load_middleware()

    def __call__(self, request):
        if is_bearer_api(request):
            request.user = AnonymousUser()  # until the token is checked (the API's authentication)
            return self.api._middleware_chain(request)
        return self.get_response(request)
