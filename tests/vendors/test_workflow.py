"""The one transition guard (`katalog.core.workflow`) and the vendor table built on it.

The generic helper is tested here, where its first user lives (tests/core is owned elsewhere)."""

import pytest
from django.db import models
from django.utils import translation

from katalog.core import workflow as core_workflow
from katalog.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from katalog.core.models import AuditLog
from katalog.core.workflow import Labels, Rule
from katalog.vendors import services, workflow
from katalog.vendors.models import Vendor, VendorStatus
from tests import factories as f


class Light(models.TextChoices):
    RED = "red", "Red"
    GREEN = "green", "Green"


TABLE = {
    ("red", "go"): Rule("green", frozenset({"driver"}), when=lambda road: road == "clear"),
    ("green", "stop"): Rule("red", frozenset({"driver", "police"})),
    ("green", "wave"): Rule(None, frozenset({"police"})),
}
LABELS = Labels(
    refusal="This light cannot be “%(action)s” while it is “%(status)s”.",
    actions={"go": "started"},
    statuses=Light,
)


def test_check_gives_the_target_of_an_allowed_move():
    assert core_workflow.check(TABLE, "red", "go", frozenset({"driver"}), "clear", labels=LABELS) == "green"
    assert core_workflow.check(TABLE, "green", "wave", frozenset({"police"}), labels=LABELS) is None


@pytest.mark.parametrize(
    ("status", "action", "obj", "message"),
    [
        ("green", "go", "clear", "This light cannot be “started” while it is “Green”."),  # not in the table
        ("red", "go", "jammed", "This light cannot be “started” while it is “Red”."),  # its condition fails
        ("red", "honk", None, "This light cannot be “honk” while it is “Red”."),  # an unknown action
    ],
)
def test_check_refuses_a_move_the_table_does_not_allow(status, action, obj, message):
    with pytest.raises(TransitionNotAllowed) as refused:
        core_workflow.check(TABLE, status, action, frozenset({"driver", "police"}), obj, labels=LABELS)
    assert (str(refused.value.message), refused.value.code, refused.value.status) == (
        message,
        "transition_not_allowed",
        409,
    )


def test_check_refuses_a_party_the_rule_does_not_name_after_the_state():
    with pytest.raises(NotAllowed):
        core_workflow.check(TABLE, "red", "go", frozenset({"police"}), "clear", labels=LABELS)
    # The state is checked first: a move that cannot happen says so, whoever asks.
    with pytest.raises(TransitionNotAllowed):
        core_workflow.check(TABLE, "green", "go", frozenset(), labels=LABELS)


def test_actions_for_lists_what_these_parties_may_do_now():
    assert core_workflow.actions_for(TABLE, "green", frozenset({"police"})) == ["stop", "wave"]
    assert core_workflow.actions_for(TABLE, "red", frozenset({"driver"}), "jammed") == []
    assert core_workflow.actions_for(TABLE, "red", frozenset({"driver"}), "clear") == ["go"]


@pytest.mark.parametrize("reason", [None, "", "   \n "])
def test_require_reason_refuses_an_empty_reason(reason):
    with translation.override("en"):
        with pytest.raises(ValidationFailed) as refused:
            core_workflow.require_reason(reason)
        assert refused.value.code == "reason_required"
        assert [str(m) for m in refused.value.fields["reason"]] == ["This field is required."]


def test_require_reason_strips_and_bounds_the_reason():
    assert core_workflow.require_reason("  Lengkapi KBLI \n") == "Lengkapi KBLI"
    with pytest.raises(ValidationFailed) as refused:
        core_workflow.require_reason("x" * 11, limit=10)
    assert refused.value.code == "invalid" and list(refused.value.fields) == ["reason"]


# --- The vendor table on the helper ------------------------------------------------------------------


def test_the_vendor_refusal_names_the_action_and_the_status():
    with translation.override("en"):
        with pytest.raises(TransitionNotAllowed) as refused:
            workflow.next_status(status=VendorStatus.VERIFIED, action=workflow.APPROVE, roles=workflow.MANAGER)
        assert str(refused.value.message) == "This vendor cannot be “approved” while it is “Verified”."


def test_every_rule_of_the_vendor_table_names_its_target():
    assert all(rule.target in VendorStatus.values for rule in workflow.TRANSITIONS.values())
    assert workflow.NEEDS_REASON <= workflow.DECISIONS


@pytest.mark.parametrize("service", [services.vendor_reject, services.vendor_request_revision])
def test_a_decision_without_a_reason_changes_nothing(medan, manager, service):
    vendor = f.make_vendor(medan, status=VendorStatus.SUBMITTED)
    with pytest.raises(ValidationFailed) as refused:
        service(actor=f.actor(manager), vendor=vendor, reason="  ")
    assert refused.value.code == "reason_required"
    assert Vendor.objects.get(pk=vendor.pk).status == VendorStatus.SUBMITTED
    assert not AuditLog.objects.filter(object_id=str(vendor.pk)).exists()


def test_an_outsider_is_refused_before_learning_what_is_missing(medan, users):
    # given: an incomplete draft of somebody else
    vendor = f.make_vendor(medan, status=VendorStatus.DRAFT, nib="", capital=None)
    with pytest.raises(NotAllowed):
        services.vendor_submit(actor=f.actor(users["penyedia"]), vendor=vendor)
    assert Vendor.objects.get(pk=vendor.pk).status == VendorStatus.DRAFT
