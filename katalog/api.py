"""The API root, mounted at /api/v1/. Each app adds its router; errors are always JSON:
`{"code": "...", "message": "..."}` (with `fields` for validation errors)."""

from django.contrib.auth.models import AnonymousUser
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from katalog.accounts.api import router as accounts_router
from katalog.accounts.selectors import actor_for
from katalog.accounts.services import api_token_user
from katalog.buying.api import budget_router
from katalog.buying.api import router as orders_router
from katalog.catalogue.api import router as products_router
from katalog.core.errors import DomainError
from katalog.vendors.api import router as vendors_router


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = api_token_user(token)
        if user is None:
            return None
        request.user = user
        request.actor = actor_for(user)
        return user


class SessionCookie(APIKeyCookie):
    """The browser's own session, so pages may call the API too (CSRF is checked)."""

    param_name = "sessionid"

    def authenticate(self, request, key):
        if request.user.is_authenticated:
            return request.user
        return None


api = NinjaAPI(
    title="Katalog Lokal API",
    version="1",
    urls_namespace="api",
    auth=[BearerToken(), SessionCookie()],
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error(request, status: int, code: str, message: str, **extra):
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload")]
        fields.setdefault(".".join(loc) or "request", []).append(err.get("msg", ""))
    return error(request, 422, "invalid", _("Some fields need fixing."), fields=fields)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return error(request, 401, "unauthenticated", _("Sign in first: send a valid token."))


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error(request, 404, "not_found", _("Not found."))


@api.exception_handler(DataError)
def on_data_error(request, exc):
    # A value the database cannot hold (e.g. a NUL character inside a JSON string): the request is wrong.
    return error(request, 422, "invalid", _("A value in the request cannot be stored."))


@api.exception_handler(OverflowError)
def on_overflow(request, exc):
    # A number beyond what the database stores (e.g. an id of 30 digits): the request is wrong.
    return error(request, 422, "invalid", _("A number in the request is too large."))


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return error(request, exc.status_code, "error", str(exc))


def actor_of(request):
    """The acting user of an API request (token or session)."""
    actor = getattr(request, "actor", None)
    if actor is None or isinstance(request.user, AnonymousUser):
        return actor_for(request.user)
    return actor


api.add_router("", accounts_router)
api.add_router("/vendors", vendors_router)
api.add_router("/products", products_router)
api.add_router("/orders", orders_router)
api.add_router("/budget-lines", budget_router)
