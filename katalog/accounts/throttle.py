"""Limits on guessing passwords, beyond django-axes (docs/security.md, "Sign-in").

- axes locks one user name from one address after AXES_FAILURE_LIMIT failures (15 minutes): a
  stranger who guesses locks out only himself, never the real user at another address.
- One address that fails KATALOG_SIGNIN_ADDRESS_LIMIT times in 15 minutes, over any number of
  accounts, is refused for the rest of those 15 minutes (password spraying).
- One account that failed KATALOG_SIGNIN_ACCOUNT_SLOWDOWN_AFTER times in 15 minutes, from any
  addresses, takes one try every KATALOG_SIGNIN_ACCOUNT_DELAY seconds (no captcha, no lockout);
  a browser the account signed in on before (a signed cookie) is exempt, so the real user is not
  held back by strangers.
- Registration and code requests are limited per address (`over_limit`).

Counters live in the cache (settings.CACHES), keyed by the address of accounts/client_ip.py."""

from django.conf import settings
from django.core import signing
from django.core.cache import cache

WINDOW = 15 * 60
KNOWN_COOKIE = "katalog_known"
KNOWN_SALT = "katalog.accounts.known-browser"
KNOWN_MAX_AGE = 180 * 24 * 3600


def over_limit(key: str, limit: int, seconds: int) -> bool:
    """Count one more under `key` and tell whether the count is past `limit`."""
    cache.add(key, 0, seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, seconds)
        count = 1
    return count > limit


def _account(username) -> str:
    return str(username or "").strip().lower()[:150]


def _address_key(ip: str) -> str:
    return f"signin:addr:{ip}"


def _account_key(username) -> str:
    return f"signin:acct:{_account(username)}"


def known_user_ids(request) -> set[int]:
    raw = request.COOKIES.get(KNOWN_COOKIE, "")
    if not raw:
        return set()
    try:
        return {int(pk) for pk in signing.loads(raw, salt=KNOWN_SALT, max_age=KNOWN_MAX_AGE)}
    except (signing.BadSignature, TypeError, ValueError):
        return set()


def known_cookie_value(request, user_id: int) -> str:
    ids = sorted(known_user_ids(request) | {user_id})[-10:]
    return signing.dumps(ids, salt=KNOWN_SALT)


def _known_browser_of(request, username) -> bool:
    """Whether this browser signed in before as the account typed (a name, e-mail or phone)."""
    ids = known_user_ids(request)
    if not ids:
        return False
    from django.contrib.auth import get_user_model

    from .backends import PhoneOrEmailBackend

    name = str(username or "").strip()
    user = get_user_model()._default_manager.filter(username=name).first() or PhoneOrEmailBackend()._user_for(name)
    return user is not None and user.pk in ids


def refusal(request, username) -> str:
    """ "address" or "account" when this try is refused before the password is checked, else ""."""
    from axes.helpers import get_client_ip_address

    ip = get_client_ip_address(request) or "unknown"
    if (cache.get(_address_key(ip)) or 0) >= settings.KATALOG_SIGNIN_ADDRESS_LIMIT:
        return "address"
    if (cache.get(_account_key(username)) or 0) >= settings.KATALOG_SIGNIN_ACCOUNT_SLOWDOWN_AFTER:
        if _known_browser_of(request, username):
            return ""
        # One try per delay for this account: the first to take the slot goes on.
        if not cache.add(f"signin:slot:{_account(username)}", 1, settings.KATALOG_SIGNIN_ACCOUNT_DELAY):
            return "account"
    return ""


def record_failure(request, username) -> None:
    from axes.helpers import get_client_ip_address

    ip = get_client_ip_address(request) or "unknown"
    over_limit(_address_key(ip), 10**9, WINDOW)
    over_limit(_account_key(username), 10**9, WINDOW)
