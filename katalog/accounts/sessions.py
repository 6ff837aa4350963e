"""Browser sessions and API tokens a user can see and end (the page "Security" and the API).

A password change or reset ends every other session of the user and revokes all their API tokens
(`revoke_on_password_change`, hooked on the user's save): whoever learnt the old password keeps
nothing of it. The session that changed the password stays signed in."""

import time
from contextvars import ContextVar
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from .models import ApiToken, SignedInSession

# The session key of the request being served (set by middleware.SlidingSessionMiddleware).
current_session_key: ContextVar[str | None] = ContextVar("current_session_key", default=None)


def _store(session_key: str):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)


def live_sessions(user):
    """The user's sessions that still let someone in, newest use first."""
    rows = list(SignedInSession.objects.filter(user=user).order_by("-last_seen_at", "-pk"))
    return [row for row in rows if _store(row.session_key).exists(row.session_key) and _alive(row.session_key)]


def _alive(session_key: str) -> bool:
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        return True
    from django.contrib.sessions.models import Session

    return Session.objects.filter(session_key=session_key, expire_date__gt=timezone.now()).exists()


def end_session(row: SignedInSession) -> None:
    _store(row.session_key).delete(row.session_key)
    row.delete()


def end_other_sessions(user, keep: str | None = None) -> int:
    rows = SignedInSession.objects.filter(user=user).exclude(session_key=keep or "")
    count = 0
    for row in rows:
        end_session(row)
        count += 1
    return count


def revoke_tokens(user) -> int:
    return ApiToken.objects.filter(user=user).delete()[0]


User = get_user_model()


@receiver(pre_save, sender=User, dispatch_uid="katalog-password-changed-pre")
def _note_password_change(sender, instance, update_fields=None, raw=False, **kwargs):
    instance._katalog_password_changed = False
    if raw or instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    old = sender._default_manager.filter(pk=instance.pk).values_list("password", flat=True).first()
    instance._katalog_password_changed = old is not None and old != instance.password


@receiver(post_save, sender=User, dispatch_uid="katalog-password-changed-post")
def revoke_on_password_change(sender, instance, created=False, **kwargs):
    if created or not getattr(instance, "_katalog_password_changed", False):
        return
    instance._katalog_password_changed = False
    revoke_tokens(instance)
    end_other_sessions(instance, keep=current_session_key.get())


@receiver(user_logged_in, dispatch_uid="katalog-session-signed-in")
def _signed_in(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    if request.session.session_key is None:
        request.session.save()
    SignedInSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={"user": user, "user_agent": request.META.get("HTTP_USER_AGENT", "")[:200]},
    )
    request._katalog_known_user = user.pk  # the middleware remembers this browser for the account
    request.session["_katalog_seen"] = int(time.time())  # middleware.SEEN_KEY: just saved, no refresh due


@receiver(user_logged_out, dispatch_uid="katalog-session-signed-out")
def _signed_out(sender, request, user, **kwargs):
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        SignedInSession.objects.filter(session_key=key).delete()


@receiver(user_login_failed, dispatch_uid="katalog-signin-failed")
def _failed(sender, credentials, request=None, **kwargs):
    if request is None or not settings.AXES_ENABLED or getattr(request, "katalog_throttled", ""):
        return
    from .throttle import record_failure

    record_failure(request, credentials.get("username"))
