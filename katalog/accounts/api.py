from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from ninja import Router, Schema

from katalog.core.bounds import Length, ShortText
from katalog.core.errors import DomainError

from .api_auth import actor_of
from .services import api_token_create

router = Router(tags=["accounts"])

Username = ShortText(Length.USERNAME)
Password = ShortText(Length.PASSWORD)


class TokenIn(Schema):
    username: Username
    password: Password


class TokenOut(Schema):
    token: str


class OfficeOut(Schema):
    code: str
    name: str


class TenantOut(Schema):
    code: str
    name: str


class MeOut(Schema):
    username: str
    name: str
    roles: list[str]
    tenant: TenantOut | None
    office: OfficeOut | None


class BadCredentials(DomainError):
    code = "invalid_credentials"
    status = 401


class LockedOut(DomainError):
    code = "locked_out"
    status = 429


@router.post("/auth/token", auth=None, response=TokenOut)
def token(request, payload: TokenIn):
    """Exchange a username and password for a bearer token (throttled like the login page)."""
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        raise LockedOut(_("Too many failed attempts. Try again in 15 minutes."))
    if user is None or not user.is_active:
        raise BadCredentials(_("Wrong username or password."))
    return {"token": api_token_create(user=user)}


@router.get("/me", response=MeOut)
def me(request):
    actor = actor_of(request)
    user = actor.user
    return {
        "username": user.username,
        "name": user.get_full_name() or user.username,
        "roles": sorted(actor.roles),
        "tenant": {"code": actor.katalog.code, "name": actor.katalog.name} if actor.katalog else None,
        "office": {"code": actor.office.code, "name": actor.office.name} if actor.office else None,
    }
