"""The vendor onboarding workflow as a table: (status, action) → (next status, roles allowed).

Every status change goes through `next_status` (the one guard in `katalog.core.workflow`);
anything not in the table is refused. A verified vendor has no way out of this table: withdrawing
or suspending a verification would need a status of its own in `VendorStatus`. Whatever the
change, `services._finish` re-indexes the vendor's products, so one added later hides them too."""

from django.utils.translation import gettext_lazy as _

from katalog.core import workflow as core_workflow
from katalog.core.permissions import Role
from katalog.core.workflow import Labels, Rule

from .models import VendorStatus as S

SUBMIT = "submit"
APPROVE = "approve"
REJECT = "reject"
REQUEST_REVISION = "request-revision"

OWNER_OR_DESK = frozenset({Role.VENDOR, Role.CATALOGUE_MANAGER})
MANAGER = frozenset({Role.CATALOGUE_MANAGER})

TRANSITIONS: dict[tuple[str, str], Rule] = {
    # The owner (or the Pengelola, for an assisted registration) sends the data for review.
    (S.DRAFT, SUBMIT): Rule(S.SUBMITTED, OWNER_OR_DESK),
    (S.REVISION_REQUESTED, SUBMIT): Rule(S.SUBMITTED, OWNER_OR_DESK),
    (S.REJECTED, SUBMIT): Rule(S.SUBMITTED, OWNER_OR_DESK),
    # The Pengelola decides.
    (S.SUBMITTED, APPROVE): Rule(S.VERIFIED, MANAGER),
    (S.SUBMITTED, REJECT): Rule(S.REJECTED, MANAGER),
    (S.SUBMITTED, REQUEST_REVISION): Rule(S.REVISION_REQUESTED, MANAGER),
}

ACTION_LABELS = {
    SUBMIT: _("sent for verification"),
    APPROVE: _("approved"),
    REJECT: _("rejected"),
    REQUEST_REVISION: _("sent back for revision"),
}

LABELS = Labels(
    refusal=_("This vendor cannot be “%(action)s” while it is “%(status)s”."),
    actions=ACTION_LABELS,
    statuses=S,
)

# Actions that must say why.
NEEDS_REASON = frozenset({REJECT, REQUEST_REVISION})
# Actions only a verifier takes (the others are the owner's, or the desk's for the owner).
DECISIONS = frozenset({APPROVE, REJECT, REQUEST_REVISION})


def next_status(*, status: str, action: str, roles: frozenset[str]) -> str:
    """The status after `action`, or a typed error saying why it cannot happen."""
    target = core_workflow.check(TRANSITIONS, status, action, roles, labels=LABELS)
    assert target is not None  # every vendor rule names its target
    return target


def actions_for(*, status: str, roles: frozenset[str]) -> list[str]:
    return core_workflow.actions_for(TRANSITIONS, status, roles)
