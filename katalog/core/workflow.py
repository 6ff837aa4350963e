"""Workflows as tables: one shape of rule, one guard and one reason check for every app.

An app's table maps `(status, action)` to a `Rule`: the status after the action, the parties who
may take it, and an optional condition on the object. A party is whatever the app compares: a
role (`penyedia`), or the actor's relation to this object (`buyer`, `ppk`). `check` refuses
anything else with a typed error: `TransitionNotAllowed` (409) when the table has no such move
from this status, `NotAllowed` (403) when it has one but not for these parties. The state is
checked first, so the message names the real obstacle whoever asks.

Locking the row and writing the audit entry stay in each app's service (they know the model):

    obj = Model.objects.select_for_update().get(pk=obj.pk)
    target = workflow.check(TRANSITIONS, obj.status, action, parties, obj, labels=LABELS)
    if action in NEEDS_REASON:
        reason = workflow.require_reason(reason)
    ...save, audit.record(...)
"""

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from django.db import models
from django.utils.translation import gettext_lazy as _

from .errors import NotAllowed, TransitionNotAllowed, ValidationFailed


class Rule(NamedTuple):
    """One allowed move. `target` None means the service decides (e.g. a delivery may or may not
    complete an order); `when(obj)` narrows the move to objects in some condition."""

    target: str | None
    parties: frozenset[str]
    when: Callable[[Any], bool] | None = None


Table = Mapping[tuple[str, str], Rule]


class Labels(NamedTuple):
    """What a refusal says. `refusal` is the whole translated sentence of the app, with
    `%(action)s` and `%(status)s` (e.g. "This vendor cannot be “%(action)s” while it is
    “%(status)s”."), so each language words it for its own noun."""

    refusal: str
    actions: Mapping[str, Any]  # action → its label ("approved")
    statuses: type[models.TextChoices]  # the status choices, for the status label


def _applies(rule: Rule | None, obj: Any) -> bool:
    return rule is not None and (rule.when is None or bool(rule.when(obj)))


def check(
    table: Table,
    status: str,
    action: str,
    parties: frozenset[str],
    obj: Any = None,
    *,
    labels: Labels,
) -> str | None:
    """The status after `action`, or a typed error saying why it cannot happen."""
    rule = table.get((status, action))
    if rule is None or not _applies(rule, obj):
        status_label = dict(labels.statuses.choices).get(status, status)
        raise TransitionNotAllowed(
            labels.refusal % {"action": labels.actions.get(action, action), "status": status_label}
        )
    if not parties & rule.parties:
        raise NotAllowed()
    return rule.target


def actions_for(table: Table, status: str, parties: frozenset[str], obj: Any = None) -> list[str]:
    """The actions these parties may take from `status`, in table order (for buttons)."""
    return [
        action
        for (from_status, action), rule in table.items()
        if from_status == status and parties & rule.parties and _applies(rule, obj)
    ]


def require_reason(reason: str | None, *, limit: int | None = None) -> str:
    """The reason, stripped; refused when empty (or longer than `limit` characters)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            _("Please write the reason."), code="reason_required", fields={"reason": [_("This field is required.")]}
        )
    if limit is not None and len(reason) > limit:
        message = _("At most %(n)s characters.") % {"n": limit}
        raise ValidationFailed(message, code="invalid", fields={"reason": [message]})
    return reason
