"""Curation as a table: (status, action) → (next status, roles allowed, condition).

A listed product whose newest version waits for curation (a price or specification change) stays
on sale: `approve` puts the new version on sale, `reject` and `request-revision` drop it and tell
the vendor why. Anything not in the table is refused."""

from django.utils.translation import gettext_lazy as _

from katalog.core import workflow as core_workflow
from katalog.core.permissions import Role
from katalog.core.workflow import Labels, Rule

from .models import Product
from .models import ProductStatus as S

SUBMIT, APPROVE, REQUEST_REVISION, REJECT = "submit", "approve", "request-revision", "reject"
FREEZE, DELIST, WITHDRAW = "freeze", "delist", "withdraw"
ACTIONS = (SUBMIT, APPROVE, REQUEST_REVISION, REJECT, FREEZE, DELIST, WITHDRAW)
NEEDS_REASON = frozenset({REQUEST_REVISION, REJECT, FREEZE, DELIST})
ACTION_LABELS = {
    SUBMIT: _("sent for curation"),
    APPROVE: _("approved"),
    REQUEST_REVISION: _("sent back for revision"),
    REJECT: _("rejected"),
    FREEZE: _("frozen"),
    DELIST: _("delisted"),
    WITHDRAW: _("withdrawn"),
}

VENDOR = frozenset({Role.VENDOR})
MANAGER = frozenset({Role.CATALOGUE_MANAGER})


def _pending(product: Product) -> bool:
    return product.has_pending_change


TRANSITIONS: dict[tuple[str, str], Rule] = {
    (S.DRAFT, SUBMIT): Rule(S.SUBMITTED, VENDOR | MANAGER),
    (S.REVISION_REQUESTED, SUBMIT): Rule(S.SUBMITTED, VENDOR | MANAGER),
    (S.REJECTED, SUBMIT): Rule(S.SUBMITTED, VENDOR),
    (S.WITHDRAWN, SUBMIT): Rule(S.SUBMITTED, VENDOR),
    (S.SUBMITTED, APPROVE): Rule(S.LISTED, MANAGER),
    (S.SUBMITTED, REQUEST_REVISION): Rule(S.REVISION_REQUESTED, MANAGER),
    (S.SUBMITTED, REJECT): Rule(S.REJECTED, MANAGER),
    (S.SUBMITTED, WITHDRAW): Rule(S.WITHDRAWN, VENDOR),  # the vendor spotted a mistake while it waits
    # A pending change to a listed product.
    (S.LISTED, APPROVE): Rule(S.LISTED, MANAGER, _pending),
    (S.LISTED, REQUEST_REVISION): Rule(S.LISTED, MANAGER, _pending),
    (S.LISTED, REJECT): Rule(S.LISTED, MANAGER, _pending),
    # Taking a listed product off sale.
    (S.LISTED, FREEZE): Rule(S.FROZEN, MANAGER),
    (S.LISTED, DELIST): Rule(S.DELISTED, MANAGER),
    (S.LISTED, WITHDRAW): Rule(S.WITHDRAWN, VENDOR),
    (S.FROZEN, APPROVE): Rule(S.LISTED, MANAGER),  # unfreeze after the matter is cleared
    (S.FROZEN, DELIST): Rule(S.DELISTED, MANAGER),
}


LABELS = Labels(_("This product cannot be “%(action)s” while it is “%(status)s”."), ACTION_LABELS, S)


def next_status(*, product: Product, action: str, roles: frozenset[str]) -> str:
    """The status after `action`, or a typed error (core/workflow.py): the roles are the parties."""
    return core_workflow.check(TRANSITIONS, product.status, action, roles, product, labels=LABELS)


def actions_for(*, product: Product, roles: frozenset[str]) -> list[str]:
    return core_workflow.actions_for(TRANSITIONS, product.status, roles, product)
