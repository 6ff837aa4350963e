"""Who is calling the API: a bearer token or the browser's own session, and the acting user.

No app routers are imported here, so every app's api.py imports `actor_of` at the top."""

from django.contrib.auth.models import AnonymousUser
from ninja.security import APIKeyCookie, HttpBearer

from .selectors import actor_for
from .services import api_token_with_memberships


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        # The token and its user's memberships in one statement (a user without any: two).
        found, memberships = api_token_with_memberships(token)
        if found is None:
            return None
        user = found.user
        request.api_token = found  # DELETE /auth/token without an id revokes this one
        request.user = user
        request.actor = actor_for(user, memberships=memberships)
        return user


class SessionCookie(APIKeyCookie):
    """The browser's own session, so pages may call the API too (CSRF is checked)."""

    param_name = "sessionid"

    def authenticate(self, request, key):
        if request.user.is_authenticated:
            return request.user
        return None


def actor_of(request):
    """The acting user of an API request (token or session)."""
    actor = getattr(request, "actor", None)
    if actor is None or isinstance(request.user, AnonymousUser):
        return actor_for(request.user)
    return actor
