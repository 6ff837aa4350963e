"""Typed domain errors. Every service raises these; views and the API turn them into a clear
sentence for the user (a message in the active language) and an HTTP status."""

from typing import Any

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """Base of every error a user may see. `code` is stable (tests and API clients use it)."""

    code = "error"
    status = 400
    default_message = _("The request could not be completed.")

    def __init__(self, message: Any = None, *, code: str | None = None, fields: dict | None = None):
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        self.fields = fields or {}
        super().__init__(str(self.message))

    def as_dict(self) -> dict:
        body: dict[str, Any] = {"code": self.code, "message": str(self.message)}
        if self.fields:
            body["fields"] = {k: [str(m) for m in v] for k, v in self.fields.items()}
        return body


class ValidationFailed(DomainError):
    code = "invalid"
    status = 422
    default_message = _("Some fields need fixing.")


class NotAllowed(DomainError):
    code = "forbidden"
    status = 403
    default_message = _("You do not have the right to do this.")


class NotFound(DomainError):
    code = "not_found"
    status = 404
    default_message = _("Not found.")


class Conflict(DomainError):
    code = "conflict"
    status = 409
    default_message = _("This conflicts with the current state.")


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"
    default_message = _("This action is not possible in the current state.")
