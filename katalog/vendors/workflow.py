"""The vendor onboarding workflow as a table: (status, action) → (next status, roles allowed).

Every status change goes through `next_status`; anything not in the table is refused."""

from django.utils.translation import gettext_lazy as _

from katalog.core.errors import NotAllowed, TransitionNotAllowed
from katalog.core.permissions import Role

from .models import VendorStatus as S

SUBMIT = "submit"
APPROVE = "approve"
REJECT = "reject"
REQUEST_REVISION = "request-revision"

TRANSITIONS: dict[tuple[str, str], tuple[str, frozenset[str]]] = {
    # The owner (or the Pengelola, for an assisted registration) sends the data for review.
    (S.DRAFT, SUBMIT): (S.SUBMITTED, frozenset({Role.VENDOR, Role.CATALOGUE_MANAGER})),
    (S.REVISION_REQUESTED, SUBMIT): (S.SUBMITTED, frozenset({Role.VENDOR, Role.CATALOGUE_MANAGER})),
    (S.REJECTED, SUBMIT): (S.SUBMITTED, frozenset({Role.VENDOR, Role.CATALOGUE_MANAGER})),
    # The Pengelola decides.
    (S.SUBMITTED, APPROVE): (S.VERIFIED, frozenset({Role.CATALOGUE_MANAGER})),
    (S.SUBMITTED, REJECT): (S.REJECTED, frozenset({Role.CATALOGUE_MANAGER})),
    (S.SUBMITTED, REQUEST_REVISION): (S.REVISION_REQUESTED, frozenset({Role.CATALOGUE_MANAGER})),
}

ACTION_LABELS = {
    SUBMIT: _("sent for verification"),
    APPROVE: _("approved"),
    REJECT: _("rejected"),
    REQUEST_REVISION: _("sent back for revision"),
}

# Actions that must say why.
NEEDS_REASON = frozenset({REJECT, REQUEST_REVISION})


def next_status(*, status: str, action: str, roles: frozenset[str]) -> str:
    """The status after `action`, or a typed error saying why it cannot happen."""
    try:
        target, allowed = TRANSITIONS[(status, action)]
    except KeyError:
        raise TransitionNotAllowed(
            _("This vendor cannot be %(action)s while its status is “%(status)s”.")
            % {"action": ACTION_LABELS.get(action, action), "status": S(status).label}
        ) from None
    if not roles & allowed:
        raise NotAllowed()
    return target


def actions_for(*, status: str, roles: frozenset[str]) -> list[str]:
    return [a for (s, a), (_t, allowed) in TRANSITIONS.items() if s == status and roles & allowed]
