"""Sign-in with a phone number or an e-mail address besides the user name.

Listed in AUTHENTICATION_BACKENDS after axes (which throttles every attempt by the name as typed
and the client address) and after Django's ModelBackend (which tries the name as a user name)."""

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .phones import looks_like_phone, phone_or_none


class ThrottledAxesBackend(AxesStandaloneBackend):
    """First in AUTHENTICATION_BACKENDS: refuses a try before any password is checked when its
    address is blocked or its account is slowed down (accounts/throttle.py), then asks axes."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is not None and settings.AXES_ENABLED:
            from .throttle import refusal

            why = refusal(request, username)
            if why:
                request.axes_locked_out = True
                request.katalog_throttled = why
                raise AxesBackendPermissionDenied(f"refused: {why}")
        return super().authenticate(request, username=username, password=password, **kwargs)


class PhoneOrEmailBackend(ModelBackend):
    """A password sign-in where the name is a phone number (any Indonesian format, matched with
    the normalised Profile.phone) or an e-mail address held by exactly one active user."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        user = self._user_for(str(username).strip())
        if user is None:
            if "@" in str(username) or looks_like_phone(username):
                # The same work as a wrong password, so the answer time does not tell which exist.
                get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def _user_for(self, name: str):
        users = get_user_model()._default_manager
        if "@" in name:
            found = list(users.filter(email__iexact=name, is_active=True)[:2])
            # An address shared by two accounts signs in neither (the user name still works).
            return found[0] if len(found) == 1 else None
        if looks_like_phone(name):
            phone = phone_or_none(name)
            if phone:
                return users.filter(profile__phone=phone).first()
        return None
