"""Sign-in with a phone number or an e-mail address besides the user name.

Listed in AUTHENTICATION_BACKENDS after axes (which throttles every attempt by the name as typed
and the client address) and after Django's ModelBackend (which tries the name as a user name)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .phones import looks_like_phone, phone_or_none


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
