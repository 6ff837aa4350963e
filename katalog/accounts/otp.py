"""Sign-in by a one-time code sent to a phone (the page "Masuk dengan nomor HP" and the API).

Asking for a code never tells whether the number is known: the answer is the same, and a code is
sent only to a vendor's person of the tenant or to an unclaimed registry vendor's phone on file.
Codes have 6 digits, live 10 minutes, sign in once, and are void after five wrong tries; a newer
code replaces the older ones. Sending is limited per number and per client address (the cache,
settings.CACHES), counted before the number is looked up, so a limit tells nothing either."""

import hmac
import logging
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from katalog.core.errors import DomainError
from katalog.core.models import Katalog
from katalog.core.permissions import Role
from katalog.vendors.claim import registry_vendors_for_phone, vendors_claim
from katalog.vendors.models import Vendor

from .models import LoginCode, Membership, Profile
from .otp_delivery import deliver_login_code
from .phones import as_typed_q, phone_or_none

logger = logging.getLogger(__name__)

CODE_LIFETIME = timedelta(minutes=10)
MAX_WRONG = 5


def _limit(name: str, default: tuple[int, int]) -> tuple[int, int]:
    """(how many, per how many seconds), overridable by a setting."""
    return tuple(getattr(settings, name, default))  # type: ignore[return-value]


class TooManyCodes(DomainError):
    code = "too_many_codes"
    status = 429


@dataclass
class CodeSignIn:
    """Who a good code signs in, and the registry vendors it claimed just now (maybe none)."""

    user: User
    claimed: list[Vendor] = field(default_factory=list)


def code_digest(phone: str, code: str) -> str:
    return salted_hmac("katalog.accounts.otp", f"{phone}:{code}").hexdigest()


def _over_limit(key: str, limit: int, seconds: int) -> bool:
    cache.add(key, 0, seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, seconds)
        count = 1
    return count > limit


def check_limits(*, katalog: Katalog, phone: str, client_ip: str) -> None:
    n, seconds = _limit("KATALOG_OTP_LIMIT_PER_ADDRESS", (10, 15 * 60))
    if _over_limit(f"otp:addr:{client_ip}", n, seconds):
        raise TooManyCodes(_("Too many codes were asked for from here. Try again in 15 minutes."))
    n, seconds = _limit("KATALOG_OTP_LIMIT_PER_PHONE", (3, 15 * 60))
    if _over_limit(f"otp:phone:{katalog.pk}:{phone}", n, seconds):
        raise TooManyCodes(_("Too many codes were sent to this number. Try again in 15 minutes."))


def _tenant_user(katalog: Katalog, phone: str) -> User | None:
    """A vendor's person of `katalog` with this phone: on their profile, else (accounts made before
    profiles had phones) the phone of the one vendor they work for."""
    user = (
        User.objects.filter(
            profile__phone=phone, is_active=True, memberships__katalog=katalog, memberships__role=Role.VENDOR
        )
        .distinct()
        .first()
    )
    if user is not None:
        return user
    vendors = Vendor.objects.filter(as_typed_q("phone", phone), katalog=katalog).prefetch_related("users")
    for vendor in vendors:
        people = [u for u in vendor.users.all() if u.is_active]
        if phone_or_none(vendor.phone) == phone and len(people) == 1:
            person = people[0]
            profile_phone = Profile.objects.filter(user=person).values_list("phone", flat=True).first()
            if not profile_phone and not Profile.objects.filter(phone=phone).exists():
                return person
    return None


def _known(katalog: Katalog, phone: str) -> bool:
    return _tenant_user(katalog, phone) is not None or bool(registry_vendors_for_phone(katalog=katalog, phone=phone))


def login_code_request(*, katalog: Katalog, phone: str, client_ip: str) -> None:
    """Send a sign-in code to `phone` (E.164) when it is known in `katalog`; else do nothing,
    quietly. Raises TooManyCodes past a limit, known number or not."""
    check_limits(katalog=katalog, phone=phone, client_ip=client_ip or "unknown")
    if not _known(katalog, phone):
        logger.info("sign-in code asked for an unknown number in %s", katalog.region_id)
        return
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        LoginCode.objects.filter(katalog=katalog, phone=phone, used=False).update(used=True)
        LoginCode.objects.create(
            katalog=katalog, phone=phone, code_hash=code_digest(phone, code), expires_at=timezone.now() + CODE_LIFETIME
        )
        deliver_login_code(katalog=katalog, phone=phone, code=code)


@transaction.atomic
def login_code_verify(*, katalog: Katalog, phone: str, code: str) -> CodeSignIn | None:
    """The person a good code signs in (claiming the registry vendors of the phone, see
    vendors/claim.py), or None. A wrong code counts against the code; the fifth voids it."""
    current = (
        LoginCode.objects.select_for_update()
        .filter(katalog=katalog, phone=phone, used=False, expires_at__gt=timezone.now(), attempts__lt=MAX_WRONG)
        .order_by("-created_at")
        .first()
    )
    if current is None:
        return None
    if not hmac.compare_digest(current.code_hash, code_digest(phone, str(code).strip())):
        LoginCode.objects.filter(pk=current.pk).update(attempts=F("attempts") + 1)
        return None
    if not LoginCode.objects.filter(pk=current.pk, used=False).update(used=True):
        return None  # the same code used twice at once: only one wins
    user = _tenant_user(katalog, phone)
    if user is not None:
        Profile.objects.update_or_create(user=user, defaults={"phone": phone})
    else:
        # A person of another tenant with this phone claims here with the same account.
        user = User.objects.filter(profile__phone=phone, is_active=True).first()
    user, claimed = vendors_claim(katalog=katalog, phone=phone, user=user)
    if user is None or not Membership.objects.filter(user=user, katalog=katalog, role=Role.VENDOR).exists():
        return None
    return CodeSignIn(user=user, claimed=claimed)
