"""Writes about people: invitations, API tokens."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.db.models import F, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from katalog.core import prepared
from katalog.core.mail import send_later
from katalog.core.models import Katalog

from .models import ApiToken


def invitation_path(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})


def site_base(katalog: Katalog, site_url: str = "") -> str:
    """The address people reach this tenant at: the tenant's domain, else the setting
    KATALOG_SITE_URL, else the address of the request that caused the e-mail."""
    if katalog.domain:
        return f"https://{katalog.domain}"
    return (settings.KATALOG_SITE_URL or site_url or "http://127.0.0.1:8000").rstrip("/")


def send_invitation(*, user: User, katalog: Katalog, vendor_name: str, site_url: str = "") -> None:
    """E-mail the owner of an assisted registration a link to set their password. Call it inside
    the transaction that creates the account: the message is queued when it commits and sent by
    the task worker (`katalog.core.mail`). The link is the same one-time token as a password reset."""
    base = site_base(katalog, site_url)
    body = render_to_string(
        "accounts/email/invitation.txt",
        {"user": user, "katalog": katalog, "vendor_name": vendor_name, "link": base + invitation_path(user)},
    )
    send_later(
        to=[user.email],
        subject=_("Invitation to %(catalogue)s: set your password") % {"catalogue": katalog.name},
        body=body,
    )


@transaction.atomic
def api_token_create(*, user: User, label: str = "") -> str:
    """A new bearer token for `user`; the raw token is returned once and never stored. `label`
    (the client's User-Agent) lets its owner tell tokens apart in the list."""
    raw = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        digest=ApiToken.digest_of(raw),
        expires_at=timezone.now() + timedelta(days=settings.KATALOG_API_TOKEN_DAYS),
        label=label[:200],
    )
    return raw


def api_token_lookup(raw: str) -> ApiToken | None:
    """The live token behind `raw` (not expired, not revoked, its user active), or None."""
    # The digest is unique: no ordering to compile (this runs on every API request).
    found = ApiToken.objects.select_related("user").filter(
        digest=ApiToken.digest_of(raw), expires_at__gt=timezone.now(), user__is_active=True
    )[:1]
    token = next(iter(found), None)
    if token is not None:
        _note_use(token, timezone.now())
    return token


def _note_use(token: ApiToken, now) -> None:
    """Record when the token was last used, at most once every 5 minutes (a write per request would
    cost more than the lookup)."""
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)


def _token_memberships(digest: str, now) -> QuerySet:
    """The memberships of the live token's user, with the token's columns; one filter() call: the
    digest, the expiry and the token columns read come from one join."""
    from .models import Membership

    return (
        Membership.objects.filter(
            user__api_tokens__digest=digest, user__api_tokens__expires_at__gt=now, user__is_active=True
        )
        .select_related("user", "katalog", "office")
        .annotate(token_pk=F("user__api_tokens__pk"), token_last_used_at=F("user__api_tokens__last_used_at"))
    )


def api_token_with_memberships(raw: str) -> tuple[ApiToken | None, list]:
    """The live token behind `raw` (as `api_token_lookup`) with its user's memberships, their tenant
    and office joined, in one statement: what every API request reads to know its caller. A token
    whose user holds no membership is found by `api_token_lookup` (two statements, as before)."""
    from .models import Membership

    now = timezone.now()
    rows = prepared.fetch(Membership, _token_memberships, ApiToken.digest_of(raw), now)
    if not rows:
        return api_token_lookup(raw), []
    user = rows[0].user
    for m in rows[1:]:
        m.user = user  # one user object for all rows
    first = rows[0]
    token = ApiToken(
        pk=first.token_pk, user=user, digest=ApiToken.digest_of(raw), last_used_at=first.token_last_used_at
    )
    _note_use(token, now)
    return token, rows


def api_token_user(raw: str) -> User | None:
    token = api_token_lookup(raw)
    return token.user if token is not None else None


def api_token_revoke(*, user: User, token_id: int) -> bool:
    """Revoke one of `user`'s own tokens; False when `user` has no token by that id."""
    return ApiToken.objects.filter(user=user, pk=token_id).delete()[0] > 0
