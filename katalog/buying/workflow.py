"""The order as a table: (status, action) → (next status, parties allowed).

A party is the actor's relation to this order (see `parties_of`): the buying office's PP or PPK
(`buyer`), its PPK (`ppk`), its treasurer (`treasurer`), the vendor's people (`vendor`), or the
system (`system`, for expiry). Every transition is its own service and its own POST endpoint."""

from django.utils.translation import gettext_lazy as _

from katalog.core import workflow as core_workflow
from katalog.core.workflow import Labels, Rule

from .models import OrderStatus as S

PROPOSE, COUNTER, ACCEPT = "propose", "counter", "accept"
SUBMIT, APPROVE, CONFIRM, DELIVER, RECEIVE = "submit", "approve", "confirm", "deliver", "receive"
INVOICE, PAY, RATE, CANCEL = "invoice", "pay", "rate", "cancel"
REPRICE, REFUSE, REQUEST_CANCEL, DECLINE_CANCEL = "reprice", "refuse", "request-cancel", "decline-cancel"
ACTIONS = (
    PROPOSE,
    COUNTER,
    ACCEPT,
    REPRICE,
    SUBMIT,
    APPROVE,
    CONFIRM,
    DELIVER,
    REFUSE,
    RECEIVE,
    INVOICE,
    PAY,
    RATE,
    REQUEST_CANCEL,
    DECLINE_CANCEL,
    CANCEL,
)

BUYER, PPK, VENDOR, TREASURER, SYSTEM = "buyer", "ppk", "vendor", "treasurer", "system"

ACTION_LABELS = {
    PROPOSE: _("proposed"),
    COUNTER: _("countered"),
    ACCEPT: _("accepted"),
    SUBMIT: _("submitted"),
    APPROVE: _("approved"),
    CONFIRM: _("confirmed"),
    DELIVER: _("delivered"),
    RECEIVE: _("received"),
    INVOICE: _("invoiced"),
    PAY: _("paid"),
    RATE: _("rated"),
    CANCEL: _("cancelled"),
    REPRICE: _("updated to the current price"),
    REFUSE: _("refused"),
    REQUEST_CANCEL: _("asked to be cancelled"),
    DECLINE_CANCEL: _("kept (cancellation declined)"),
}


def _r(target, *parties) -> Rule:
    return Rule(target, frozenset(parties))


TRANSITIONS: dict[tuple[str, str], Rule] = {
    # Negotiation: the buyer proposes, the other side counters or accepts; figures agreed → draft.
    (S.DRAFT, PROPOSE): _r(S.NEGOTIATING, BUYER),
    (S.NEGOTIATING, COUNTER): _r(S.NEGOTIATING, BUYER, VENDOR),
    (S.NEGOTIATING, ACCEPT): _r(S.DRAFT, BUYER, VENDOR),
    # A product's listed version changed since the draft: the buyer takes the current one (and sees
    # its price) before submitting again.
    (S.DRAFT, REPRICE): _r(S.DRAFT, BUYER),
    # Submission reserves stock and budget; the PPK approves and the Surat Pesanan is issued.
    (S.DRAFT, SUBMIT): _r(S.AWAITING_APPROVAL, BUYER),
    (S.AWAITING_APPROVAL, APPROVE): _r(S.AWAITING_CONFIRMATION, PPK),
    (S.AWAITING_CONFIRMATION, CONFIRM): _r(S.IN_PROGRESS, VENDOR),
    (S.IN_PROGRESS, DELIVER): _r(None, VENDOR),
    # Goods that fail the receipt check: refused in part or whole (replaced by the vendor, or taken
    # off the order); the service decides whether the order is still delivered.
    (S.IN_PROGRESS, REFUSE): _r(None, PPK),
    (S.DELIVERED, REFUSE): _r(None, PPK),
    (S.DELIVERED, RECEIVE): _r(S.RECEIVED, PPK),
    (S.RECEIVED, INVOICE): _r(S.INVOICED, VENDOR),
    (S.INVOICED, PAY): _r(S.PAID, TREASURER),
    (S.PAID, RATE): _r(S.COMPLETED, PPK),
    # Cancellation before any delivery, always with a reason. Once the Surat Pesanan exists only the
    # PPK who signs it cancels (or the deadline, before the vendor confirmed); the vendor may ask,
    # and the PPK cancels or declines.
    (S.DRAFT, CANCEL): _r(S.CANCELLED, BUYER),
    (S.NEGOTIATING, CANCEL): _r(S.CANCELLED, BUYER),
    (S.AWAITING_APPROVAL, CANCEL): _r(S.CANCELLED, BUYER, PPK, SYSTEM),
    (S.AWAITING_CONFIRMATION, CANCEL): _r(S.CANCELLED, PPK, SYSTEM),
    (S.IN_PROGRESS, CANCEL): _r(S.CANCELLED, PPK),  # only while nothing was delivered
    (S.AWAITING_CONFIRMATION, REQUEST_CANCEL): _r(S.AWAITING_CONFIRMATION, VENDOR),
    (S.IN_PROGRESS, REQUEST_CANCEL): _r(S.IN_PROGRESS, VENDOR),
    (S.AWAITING_CONFIRMATION, DECLINE_CANCEL): _r(S.AWAITING_CONFIRMATION, PPK),
    (S.IN_PROGRESS, DECLINE_CANCEL): _r(S.IN_PROGRESS, PPK),
}

# Actions that need a written reason.
NEEDS_REASON = frozenset({CANCEL, REQUEST_CANCEL, DECLINE_CANCEL, REFUSE})

# States whose wait expires after the working-day deadline.
WAITING = frozenset({S.AWAITING_APPROVAL, S.AWAITING_CONFIRMATION})
# States in which stock and budget are held for the order.
RESERVING = frozenset({S.AWAITING_APPROVAL, S.AWAITING_CONFIRMATION, S.IN_PROGRESS})


LABELS = Labels(_("This order cannot be “%(action)s” while it is “%(status)s”."), ACTION_LABELS, S)


def check(*, status: str, action: str, parties: frozenset[str]) -> str | None:
    """The target status of `action` (None: the service decides), or a typed error."""
    return core_workflow.check(TRANSITIONS, status, action, parties, labels=LABELS)


def actions_for(*, status: str, parties: frozenset[str]) -> list[str]:
    return core_workflow.actions_for(TRANSITIONS, status, parties)
