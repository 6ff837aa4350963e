from datetime import datetime

from axes.helpers import get_client_ip_address
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import ValidationError as NinjaValidationError

from katalog.core.bounds import Length, ShortText
from katalog.core.errors import DomainError, ValidationFailed

from .api_auth import actor_of
from .lockout import lockout_message
from .models import ApiToken
from .otp import login_code_request, login_code_verify
from .phones import PhoneError, normalize_phone
from .services import api_token_create, api_token_revoke
from .two_factor import confirmed_device, needs_two_factor, totp_ok

router = Router(tags=["accounts"])

Username = ShortText(Length.USERNAME)
Password = ShortText(Length.PASSWORD)
Phone = ShortText(30)
Code = ShortText(10)


class TokenIn(Schema):
    """Either `username` (a user name, an e-mail or a phone number) and `password`, or `phone`
    and `otp` (the code sent by POST /auth/otp). Where two-factor sign-in is required for the
    user's role, `otp` with a username and password is the current code of their authenticator app."""

    username: Username | None = None
    password: Password | None = None
    phone: Phone | None = None
    otp: Code | None = None


class OtpIn(Schema):
    phone: Phone


class OtpOut(Schema):
    detail: str


class TokenOut(Schema):
    token: str


class TokenInfo(Schema):
    """One of the caller's tokens; the token itself is never shown again."""

    id: int
    label: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime
    current: bool


class TokenRevokeIn(Schema):
    id: int | None = None


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


class OtpRequired(DomainError):
    code = "otp_required"
    status = 401


class TwoFactorSetupRequired(DomainError):
    code = "two_factor_setup_required"
    status = 403


class TokenNotFound(DomainError):
    code = "not_found"
    status = 404


class InvalidPhone(DomainError):
    code = "invalid_phone"
    status = 422


def _phone(raw: str) -> str:
    try:
        return normalize_phone(raw)
    except PhoneError as exc:
        raise InvalidPhone(exc.messages[0], fields={"phone": exc.messages}) from None


def _require(payload: TokenIn, *names: str) -> None:
    """The fields of the chosen pair must be there (refused as pydantic refuses a missing field)."""
    missing = [n for n in names if getattr(payload, n) is None]
    if missing:
        raise NinjaValidationError(
            [{"type": "missing", "loc": ("body", "payload", n), "msg": "Field required"} for n in missing]
        )


@router.post("/auth/otp", auth=None, response={202: OtpOut})
def otp(request, payload: OtpIn):
    """Ask for a sign-in code. Always 202 with the same body, whether the number is known or not;
    a code is sent when it is a vendor's of this tenant (or an unclaimed registry vendor's).
    422 `invalid_phone` for what is not an Indonesian number; 429 `too_many_codes` past a limit."""
    katalog = request.katalog
    phone = _phone(payload.phone)
    if katalog:
        login_code_request(katalog=katalog, phone=phone, client_ip=get_client_ip_address(request) or "")
    return 202, {"detail": _("If this number belongs to a vendor here, a code was sent to it.")}


@router.post("/auth/token", auth=None, response=TokenOut)
def token(request, payload: TokenIn):
    """Exchange a username (or e-mail or phone) and password, or a phone and the code sent to it,
    for a bearer token (password sign-in is throttled like the login page)."""
    label = request.META.get("HTTP_USER_AGENT", "")
    by_code = payload.phone is not None or (payload.otp is not None and payload.username is None)
    if by_code and payload.password is None:
        if payload.username is not None or payload.password is not None:
            raise ValidationFailed(_("Give a user name and a password, or a phone number and a code, not both."))
        _require(payload, "phone", "otp")
        katalog = request.katalog
        signed = login_code_verify(katalog=katalog, phone=_phone(payload.phone), code=payload.otp) if katalog else None
        if signed is None or not signed.user.is_active:
            raise BadCredentials(_("Wrong or expired code."))
        if needs_two_factor(signed.user):
            raise TwoFactorSetupRequired(_("Your role signs in with a password and an authenticator app code."))
        return {"token": api_token_create(user=signed.user, label=label)}
    if payload.phone is not None:
        raise ValidationFailed(_("Give a user name and a password, or a phone number and a code, not both."))
    _require(payload, "username", "password")
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        raise LockedOut(lockout_message(request))
    if user is None or not user.is_active:
        raise BadCredentials(_("Wrong username or password."))
    if needs_two_factor(user):
        if confirmed_device(user) is None:
            raise TwoFactorSetupRequired(
                _("Set up two-factor sign-in on the website first (sign in there), then ask for a token.")
            )
        if not payload.otp:
            raise OtpRequired(_("Your role needs the code of your authenticator app: send it as `otp`."))
        if not totp_ok(user, payload.otp):
            user_login_failed.send(sender=__name__, credentials={"username": payload.username}, request=request)
            raise BadCredentials(_("Wrong authenticator code."))
    return {"token": api_token_create(user=user, label=label)}


@router.get("/auth/token", response=list[TokenInfo])
def token_list(request):
    """The caller's live API tokens: when made, last used, what made them, when they expire."""
    user = actor_of(request).user
    current = getattr(getattr(request, "api_token", None), "pk", None)
    tokens = ApiToken.objects.filter(user=user, expires_at__gt=timezone.now()).order_by("-created_at", "-pk")
    return [
        {
            "id": t.pk,
            "label": t.label,
            "created_at": t.created_at,
            "last_used_at": t.last_used_at,
            "expires_at": t.expires_at,
            "current": t.pk == current,
        }
        for t in tokens
    ]


@router.delete("/auth/token", response={204: None})
def token_revoke(request, id: int | None = None, payload: TokenRevokeIn | None = None):
    """Revoke the token used for this call, or with `id` (in the body or the query) one of the
    caller's own tokens. 204; 404 `not_found` for an id that is not one of the caller's tokens."""
    user = actor_of(request).user
    token_id = payload.id if payload is not None and payload.id is not None else id
    if token_id is None:
        current = getattr(request, "api_token", None)
        if current is None:
            raise ValidationFailed(_("Say which token to revoke: its id."), fields={"id": [_("Field required")]})
        token_id = current.pk
    if not api_token_revoke(user=user, token_id=token_id):
        raise TokenNotFound(_("No such token."))
    return 204, None


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
