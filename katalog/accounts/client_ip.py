"""The client's address, as every limit (sign-in lockout, code and registration throttles) sees it.

With no trusted proxy (KATALOG_TRUSTED_PROXY_COUNT = 0, the default) it is REMOTE_ADDR and any
X-Forwarded-For header is ignored: a client could write anything there. Behind N reverse proxies,
each appends the address it saw to X-Forwarded-For, so the Nth entry from the right was written by
the outermost trusted proxy and is the client's; whatever a client put further left is ignored."""

import ipaddress

from django.conf import settings


def _valid(address: str) -> str:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return ""


def client_ip(request) -> str:
    remote = _valid(request.META.get("REMOTE_ADDR", "") or "") or "unknown"
    count = int(getattr(settings, "KATALOG_TRUSTED_PROXY_COUNT", 0) or 0)
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if not forwarded:
        return remote  # not through the proxy (a health check inside the network)
    # Fewer entries than proxies: the request skipped a proxy; the leftmost is the best there is.
    chosen = forwarded[-count] if len(forwarded) >= count else forwarded[0]
    return _valid(chosen) or remote
