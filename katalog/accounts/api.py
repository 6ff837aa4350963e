from axes.helpers import get_client_ip_address
from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import ValidationError as NinjaValidationError

from katalog.core.bounds import Length, ShortText
from katalog.core.errors import DomainError, ValidationFailed

from .api_auth import actor_of
from .otp import login_code_request, login_code_verify
from .phones import PhoneError, normalize_phone
from .services import api_token_create

router = Router(tags=["accounts"])

Username = ShortText(Length.USERNAME)
Password = ShortText(Length.PASSWORD)
Phone = ShortText(30)
Code = ShortText(10)


class TokenIn(Schema):
    """Either `username` (a user name, an e-mail or a phone number) and `password`, or `phone`
    and `otp` (the code sent by POST /auth/otp)."""

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
    if payload.phone is not None or payload.otp is not None:
        if payload.username is not None or payload.password is not None:
            raise ValidationFailed(_("Give a user name and a password, or a phone number and a code, not both."))
        _require(payload, "phone", "otp")
        katalog = request.katalog
        signed = login_code_verify(katalog=katalog, phone=_phone(payload.phone), code=payload.otp) if katalog else None
        if signed is None or not signed.user.is_active:
            raise BadCredentials(_("Wrong or expired code."))
        return {"token": api_token_create(user=signed.user)}
    _require(payload, "username", "password")
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
