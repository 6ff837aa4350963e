"""Three working days to approve, three to confirm: the clock is moved, never waited for. Working
days skip weekends, Indonesia's national holidays and collective leave (from the `holidays`
library) and the tenant's own days off; an expired order is cancelled with its reason and gives
back its stock and budget, by the worker's sweep or the scheduled task. Reads never write: an
overdue order read by anyone (an auditor too) is shown as expiring and left as it is."""

from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import holidays
import pytest
from django.utils import translation

from katalog.buying import services
from katalog.buying.models import BudgetLine, Order, OrderStatus
from katalog.buying.services_calendar import day_off_add
from katalog.buying.tasks import expire_order
from katalog.catalogue.models import Product
from katalog.core.calendar import add_working_days
from katalog.core.models import AuditLog, LocalDayOff
from tests import factories as f
from tests.accounts.test_api import bearer
from tests.buying.test_transitions import make_draft

WIB = ZoneInfo("Asia/Jakarta")
S = OrderStatus
EXPIRED_APPROVAL = "Expired: the PPK's approval did not come within 3 working days."
EXPIRED_CONFIRMATION = "Expired: the vendor's confirmation did not come within 3 working days."


def wib(*args) -> datetime:
    return datetime(*args, tzinfo=WIB)


def days_off(year):
    return holidays.Indonesia(years=year, categories=("public", "government"))


@contextmanager
def clock(moment: datetime):
    """`timezone.now()` answers `moment` (for services, auto_now fields and token expiry alike)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


# --- The calendar ------------------------------------------------------------------------------------


def test_a_plain_week_counts_monday_to_friday():
    assert not days_off(2026).keys() & {date(2026, 7, d) for d in range(10, 16)}
    assert add_working_days(wib(2026, 7, 6, 9, 30), 3) == wib(2026, 7, 9, 9, 30)  # Monday → Thursday


def test_a_weekend_is_skipped():
    assert add_working_days(wib(2026, 7, 10, 10, 0), 3) == wib(2026, 7, 15, 10, 0)  # Friday → Wednesday
    assert add_working_days(wib(2026, 7, 11, 9, 0), 1) == wib(2026, 7, 13, 9, 0)  # Saturday → Monday


def test_a_national_holiday_on_the_monday_is_skipped():
    assert date(2026, 8, 17) in days_off(2026)  # Hari Kemerdekaan, a Monday
    assert not days_off(2026).keys() & {date(2026, 8, d) for d in (18, 19, 20)}
    assert add_working_days(wib(2026, 8, 14, 10, 0), 3) == wib(2026, 8, 20, 10, 0)  # Friday → Thursday


def test_collective_leave_around_lebaran_is_skipped():
    # 18–24 March 2026: Nyepi, Idul Fitri and their cuti bersama; the week is lost.
    assert {date(2026, 3, d) for d in (18, 19, 20, 23, 24)} <= days_off(2026).keys()
    assert add_working_days(wib(2026, 3, 17, 14, 0), 3) == wib(2026, 3, 27, 14, 0)


def test_the_count_is_on_the_wib_calendar_whatever_the_zone_of_the_moment():
    # 23:30 UTC on Thursday is 06:30 WIB on Friday: three working days later is Wednesday 06:30 WIB.
    moment = datetime(2026, 7, 9, 23, 30, tzinfo=ZoneInfo("UTC"))
    result = add_working_days(moment, 3)
    assert result == wib(2026, 7, 15, 6, 30)
    assert result.utcoffset() == timedelta(hours=7)


def test_zero_days_is_the_same_moment():
    assert add_working_days(wib(2026, 7, 11, 9, 0), 0) == wib(2026, 7, 11, 9, 0)


def test_a_local_day_off_counts_only_for_its_tenant(medan, binjai, users):
    day_off_add(actor=f.actor(users["catalogue_manager"]), day=date(2026, 8, 18), name="Hari Jadi Kota Medan")
    assert LocalDayOff.objects.get().katalog == medan
    assert add_working_days(wib(2026, 8, 14, 10, 0), 3, katalog=medan) == wib(2026, 8, 21, 10, 0)
    assert add_working_days(wib(2026, 8, 14, 10, 0), 3, katalog=binjai) == wib(2026, 8, 20, 10, 0)


# --- Orders that wait too long ------------------------------------------------------------------------


def submitted(users, shop, *, at: datetime, quantity=4) -> Order:
    order = make_draft(users, shop, quantity=quantity)
    with clock(at):
        return services.order_submit(actor=f.actor(users["pp"]), order=order)


def approved(users, shop, *, at: datetime, quantity=4) -> Order:
    order = submitted(users, shop, at=at, quantity=quantity)
    with clock(at + timedelta(hours=1)):
        return services.order_approve(actor=f.actor(users["ppk"]), order=order)


def held(shop):
    """(committed on the budget line, stock on hand, stock reserved)."""
    product = Product.objects.get(pk=shop["product"].pk)
    return BudgetLine.objects.get(pk=shop["line"].pk).committed, product.stock, product.reserved


# An order of 4 at Rp250.000 holds Rp1.000.000 and 4 of the 100 on hand.
HELD = (Decimal("1000000"), 100, 4)


def assert_expired(order, shop, reason):
    order = Order.objects.get(pk=order.pk)
    assert (order.status, order.cancel_reason) == (S.CANCELLED, reason)
    assert (order.committed_amount, order.deadline_at) == (Decimal(0), None)
    assert held(shop) == (Decimal(0), 100, 0)


def test_an_order_awaiting_the_ppk_expires_after_three_working_days_across_a_holiday(users, shop):
    # Given an order submitted on Friday 14 August 2026 at 10:00, before Independence Day Monday
    order = submitted(users, shop, at=wib(2026, 8, 14, 10, 0))
    assert order.deadline_at == wib(2026, 8, 20, 10, 0)
    assert held(shop) == HELD

    # When the sweep runs a minute before the deadline: nothing happens
    assert services.expire_overdue(now=wib(2026, 8, 20, 9, 59)) == 0
    assert Order.objects.get(pk=order.pk).status == S.AWAITING_APPROVAL
    assert held(shop) == HELD

    # When it runs at the deadline: cancelled with the reason, stock and budget given back
    assert services.expire_overdue(now=wib(2026, 8, 20, 10, 0)) == 1
    assert_expired(order, shop, EXPIRED_APPROVAL)
    assert services.expire_overdue(now=wib(2026, 8, 25, 10, 0)) == 0  # once only


def test_an_order_awaiting_the_vendor_expires_after_three_working_days(users, shop):
    # Given an order approved on Friday 10 July 2026 at 11:00 (a plain weekend follows)
    order = approved(users, shop, at=wib(2026, 7, 10, 10, 0))
    assert (order.status, order.deadline_at) == (S.AWAITING_CONFIRMATION, wib(2026, 7, 15, 11, 0))

    assert services.expire_overdue(now=wib(2026, 7, 15, 10, 59)) == 0
    assert services.expire_overdue(now=wib(2026, 7, 15, 11, 0)) == 1

    assert_expired(order, shop, EXPIRED_CONFIRMATION)
    assert [d.kind for d in order.documents.all()] == ["sp"]  # the Surat Pesanan issued stays on record


def test_a_day_off_the_pengelola_added_moves_the_deadline(users, shop):
    day_off_add(actor=f.actor(users["catalogue_manager"]), day=date(2026, 8, 18), name="Hari Jadi Kota Medan")
    order = submitted(users, shop, at=wib(2026, 8, 14, 10, 0))
    assert order.deadline_at == wib(2026, 8, 21, 10, 0)  # Mon 17 national, Tue 18 local

    assert services.expire_overdue(now=wib(2026, 8, 20, 10, 0)) == 0
    assert services.expire_overdue(now=wib(2026, 8, 21, 10, 0)) == 1
    assert_expired(order, shop, EXPIRED_APPROVAL)


def read_as(client, user, order, at):
    """The order over the API and its page, read by `user` at the moment `at`."""
    from katalog.accounts.services import api_token_create

    with clock(at):
        token = api_token_create(user=user)
        body = client.get(f"/api/v1/orders/{order.pk}", HTTP_COOKIE="django_language=en", **bearer(token)).json()
        client.force_login(user)
        page = client.get(f"/belanja/pesanan/{order.pk}/")
    assert page.status_code == 200
    return body, page.content.decode()


def test_reading_an_overdue_order_changes_nothing_and_the_sweep_cancels_it(client, users, shop):
    # Given an order awaiting approval past its deadline, and no worker run yet
    order = submitted(users, shop, at=wib(2026, 8, 14, 10, 0))
    after = wib(2026, 8, 20, 10, 0, 1)
    before = Order.objects.filter(pk=order.pk).values().get()
    audit = AuditLog.objects.count()

    # When the auditor, the PP and the PPK read it (list, API and page)
    for role in ("auditor", "pp", "ppk"):
        body, page = read_as(client, users[role], order, after)

        # Then it is shown as expiring, still waiting, with only the cancellation offered
        assert (body["status"], body["committed_amount"], body["expiring"]) == (
            "awaiting_approval",
            "1000000.00",
            True,
        ), role
        assert body["actions"] == ([] if role == "auditor" else ["cancel"]), role
        assert 'data-testid="expiring"' in page, role
    with clock(after):
        client.force_login(users["auditor"])
        assert client.get("/belanja/pesanan/").status_code == 200

    # And nothing was written: the order, its stock and budget, the audit trail
    assert Order.objects.filter(pk=order.pk).values().get() == before
    assert held(shop) == HELD
    assert AuditLog.objects.count() == audit

    # When the worker's sweep runs (in English here: the pages read above switched the language)
    # the order is cancelled with its reason, and released
    with translation.override("en"):
        assert services.expire_overdue(now=after) == 1
    assert_expired(order, shop, EXPIRED_APPROVAL)
    body, page = read_as(client, users["pp"], order, after)
    assert (body["status"], body["cancel_reason"], body["expiring"], body["actions"]) == (
        "cancelled",
        EXPIRED_APPROVAL,
        False,
        [],
    )


def test_reading_before_the_deadline_changes_nothing(client, users, shop):
    order = submitted(users, shop, at=wib(2026, 8, 14, 10, 0))
    body, page = read_as(client, users["pp"], order, wib(2026, 8, 20, 9, 59))
    assert (body["status"], body["expiring"]) == ("awaiting_approval", False)
    assert 'data-testid="expiring"' not in page and 'data-testid="deadline"' in page
    assert held(shop) == HELD


def test_the_expiry_task_is_scheduled_at_the_deadline_and_cancels_when_run(
    users, shop, django_capture_on_commit_callbacks
):
    from django_tasks import default_task_backend

    # Given an order submitted (the task is enqueued on commit, to run after the deadline)
    default_task_backend.clear()
    order = make_draft(users, shop, quantity=4)
    with clock(wib(2026, 8, 14, 10, 0)), django_capture_on_commit_callbacks(execute=True):
        order = services.order_submit(actor=f.actor(users["pp"]), order=order)
    [result] = [r for r in default_task_backend.results if r.task.name == "expire_order"]
    assert (result.args, result.task.run_after) == ([order.pk], wib(2026, 8, 20, 10, 0))

    # When the task runs early (a worker's clock a little ahead of the database): nothing happens
    with clock(wib(2026, 8, 19, 10, 0)):
        assert expire_order.call(order.pk) == S.AWAITING_APPROVAL
    assert held(shop) == HELD

    # When it runs after the deadline: the order is cancelled and released
    with clock(wib(2026, 8, 20, 10, 5)):
        assert expire_order.call(order.pk) == S.CANCELLED
    assert_expired(order, shop, EXPIRED_APPROVAL)
    assert expire_order.call(order.pk + 1000) == "gone"


def test_an_order_that_moved_on_does_not_expire(users, shop):
    # Approved on time, then confirmed: no deadline any more
    order = approved(users, shop, at=wib(2026, 7, 10, 10, 0))
    with clock(wib(2026, 7, 13, 9, 0)):
        services.order_confirm(actor=f.actor(users["penyedia"]), order=order)
    assert services.expire_overdue(now=wib(2026, 12, 31, 10, 0)) == 0
    order = Order.objects.get(pk=order.pk)
    assert (order.status, order.deadline_at) == (S.IN_PROGRESS, None)
    assert held(shop) == HELD
