"""Every `next` parameter of the site goes through here: where to go after an action is a path on this
site, never another host, never a `javascript:` or `data:` address (issue 10: `next=https://…`
redirected off-site, `next=javascript:…` on the compare page answered 500).

    from katalog.core.redirects import redirect_next, safe_next

    return redirect_next(request, "catalogue:compare")       # `next` if safe, else the named page
    request.session["after"] = safe_next(request, request.POST.get("next"))   # "" if not safe
"""

from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

MAX_LENGTH = 2000


def safe_next(request, url: object, default: str = "") -> str:
    """`url` when it is a relative path on this site (`/…`, not `//host` or `/\\host`), else `default`.

    Checked with Django's `url_has_allowed_host_and_scheme` against this request's host only, and
    further limited to a path: no scheme, no host, no control character, at most 2,000 characters."""
    if not isinstance(url, str):
        return default
    url = url.strip()
    if not url or len(url) > MAX_LENGTH or any(ord(c) < 32 or ord(c) == 127 for c in url):
        return default
    if not url.startswith("/") or url.startswith(("//", "/\\")):
        return default
    if not url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return default
    return url


def next_from(request, default: str = "") -> str:
    """The safe `next` of this request (the form's field first, then the query string), or `default`."""
    return safe_next(request, request.POST.get("next") or request.GET.get("next"), default)


def redirect_next(request, to, *args, **kwargs):
    """Redirect to the request's safe `next`, else to `to` (a URL name, a model or a path, as in
    Django's `redirect`)."""
    url = next_from(request)
    return redirect(url) if url else redirect(to, *args, **kwargs)
