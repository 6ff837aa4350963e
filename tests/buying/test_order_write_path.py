"""The order write path (issue 12): the API answers with the order as stored without reading it again,
the services take fewer statements, and the next person hears of an order only once it committed."""

import logging
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from katalog.accounts.models import Membership
from katalog.accounts.selectors import actor_for
from katalog.accounts.services import api_token_create
from katalog.buying import selectors, services
from katalog.buying.models import BudgetLine, Notification, Order
from katalog.catalogue.models import Product
from katalog.core.permissions import Role
from tests import factories as f
from tests.accounts.test_api import bearer, token_for


def post(client, token, url, body=None):
    return client.post(url, body or {}, content_type="application/json", **bearer(token))


def _body(shop):
    return {
        "budget_line": "RUP-2026-001",
        "items": [{"product": shop["product"].pk, "quantity": 3}],
        "delivery_addresses": ["Kantor Dinas Pendidikan", "SD Negeri 060800"],
    }


def test_each_answer_is_the_order_as_a_later_read_shows_it(client, users, shop, django_capture_on_commit_callbacks):
    """create, submit and approve answer the order exactly as GET /orders/{id} shows it afterwards
    (amounts as "0.00", times in UTC, the actions of the caller), though they no longer read it again."""
    pp, ppk = token_for(client, users["pp"].username), token_for(client, users["ppk"].username)
    created = post(client, pp, "/api/v1/orders", _body(shop))
    assert created.status_code == 201, created.content
    order = created.json()
    assert created.json() == client.get(f"/api/v1/orders/{order['id']}", **bearer(pp)).json()
    assert (order["committed_amount"], order["total"], order["items"][0]["shipping_cost"]) == (
        "0.00",
        "750000.00",
        "0.00",
    )
    with django_capture_on_commit_callbacks(execute=True):
        submitted = post(client, pp, f"/api/v1/orders/{order['id']}/submit")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json() == client.get(f"/api/v1/orders/{order['id']}", **bearer(pp)).json()
    assert submitted.json()["deadline_at"].endswith("Z")  # computed in WIB, shown as stored
    with django_capture_on_commit_callbacks(execute=True):
        approved = post(client, ppk, f"/api/v1/orders/{order['id']}/approve")
    assert approved.status_code == 200, approved.content
    shown = client.get(f"/api/v1/orders/{order['id']}", **bearer(ppk)).json()
    assert approved.json() == shown
    assert shown["documents"][0]["kind"] == "sp" and shown["delivery_deadline"]


def test_placing_an_order_over_the_api_takes_fewer_statements(
    client, users, shop, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    """Before: create 15 statements and submit 18 (the order read three times, every relation of the
    answer read again); then 14 and 22 (the rollup and the task queue since), then 13 and 22 with
    lighter statements (the order's row and the budget line alone, tested below), then 12 and 21 (the
    bearer token and the actor's memberships one statement), now 11 and 14 on PostgreSQL (12 and 15
    on SQLite): the rollup one statement per table without reading the items again, the audit entry
    two statements (three on SQLite), the tenant's days off kept between steps. The bounds include
    the token's statement."""
    audit_extra = 0 if connection.vendor == "postgresql" else 1  # SQLite: the head's UPDATE on its own
    # The month's rollup rows exist once its first order was submitted (a steady state).
    actor = actor_for(users["pp"])
    first = services.order_create(
        actor=actor, budget_line=shop["line"], items=[services.ItemRequest(shop["product"].pk, 1)], addresses=["K"]
    )
    services.order_submit(actor=actor, order=first)
    pp = token_for(client, users["pp"].username)
    with django_assert_max_num_queries(11 + audit_extra):
        created = post(client, pp, "/api/v1/orders", _body(shop))
    assert created.status_code == 201, created.content
    order_id = created.json()["id"]
    with django_capture_on_commit_callbacks(execute=False), django_assert_max_num_queries(14 + audit_extra):
        submitted = post(client, pp, f"/api/v1/orders/{order_id}/submit")
    assert submitted.json()["status"] == "awaiting_approval"


def test_the_ppk_hears_of_a_submission_only_after_it_committed(users, shop, django_capture_on_commit_callbacks, worker):
    pp, ppk = actor_for(users["pp"]), users["ppk"]
    order = services.order_create(
        actor=pp, budget_line=shop["line"], items=[services.ItemRequest(shop["product"].pk, 2)], addresses=["Kantor"]
    )
    with django_capture_on_commit_callbacks() as callbacks:
        services.order_submit(actor=pp, order=order)
        # Inside the transaction: nothing is told yet.
        assert not Notification.objects.filter(user=ppk, order=order).exists()
    assert callbacks
    for callback in callbacks:
        callback()
    # The commit queued one task; the worker writes the PPK's notification.
    assert worker() == 1
    assert Notification.objects.filter(user=ppk, order=order).count() == 1


class Boom(Exception):
    pass


def test_a_submission_rolled_back_tells_no_one_and_holds_nothing(
    users, shop, django_capture_on_commit_callbacks, worker
):
    pp, ppk = actor_for(users["pp"]), users["ppk"]
    order = services.order_create(
        actor=pp, budget_line=shop["line"], items=[services.ItemRequest(shop["product"].pk, 2)], addresses=["Kantor"]
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Boom), transaction.atomic():
            services.order_submit(actor=pp, order=order)
            raise Boom  # whatever fails after the service, in the caller's transaction
    assert callbacks == []
    assert worker() == 0  # nothing queued for the worker either
    assert not Notification.objects.filter(user=ppk).exists()
    assert Order.objects.get(pk=order.pk).status == "draft"
    assert Product.objects.get(pk=shop["product"].pk).reserved == 0
    assert BudgetLine.objects.get(pk=shop["line"].pk).committed == Decimal("0.00")


def test_an_approval_stores_what_it_changed(users, shop):
    """A step now saves only the columns it changed: the approval's are all stored, the rest kept."""
    pp, ppk = actor_for(users["pp"]), actor_for(users["ppk"])
    order = services.order_create(
        actor=pp, budget_line=shop["line"], items=[services.ItemRequest(shop["product"].pk, 2)], addresses=["Kantor"]
    )
    order = services.order_submit(actor=pp, order=order)
    approved = services.order_approve(actor=ppk, order=order)
    stored = Order.objects.get(pk=order.pk)
    assert (stored.status, stored.approver_id) == ("awaiting_confirmation", users["ppk"].pk)
    assert stored.approved_at == approved.approved_at and stored.delivery_deadline == approved.delivery_deadline
    assert stored.committed_amount == Decimal("500000.00")


def test_the_own_business_check_still_comes_first(users, shop):
    """A PP who works for the vendor is refused at submission with the reason (read with the lock)."""
    pp = actor_for(users["pp"])
    order = services.order_create(
        actor=pp, budget_line=shop["line"], items=[services.ItemRequest(shop["product"].pk, 2)], addresses=["Kantor"]
    )
    shop["vendor"].users.add(users["pp"])
    with pytest.raises(services.PartyConflict) as refused:
        services.order_submit(actor=pp, order=Order.objects.get(pk=order.pk))
    assert refused.value.code == "own_business"
    assert Order.objects.get(pk=order.pk).status == "draft"


def _draft(user, shop, quantity=2):
    return services.order_create(
        actor=actor_for(user),
        budget_line=shop["line"],
        items=[services.ItemRequest(shop["product"].pk, quantity)],
        addresses=["Kantor"],
    )


def test_a_transition_reads_the_orders_row_alone_and_takes_the_rest_from_the_actor(users, shop):
    """The lookup before a transition: one statement on the order's table, no join; the tenant, the
    office and the creator are the actor's own objects (the service's lock reads the rest)."""
    order = _draft(users["pp"], shop)
    actor = actor_for(users["pp"])
    with CaptureQueriesContext(connection) as statements:
        found = selectors.order_to_act_on(actor, order.pk)
        held = (found.katalog, found.office, found.created_by)
    assert len(statements) == 1 and "JOIN" not in statements[0]["sql"].upper()
    assert held == (actor.katalog, actor.office, actor.user)
    assert found.office is actor.office and found.created_by is actor.user


def test_the_budget_line_is_read_alone_with_the_buyers_own_office(users, shop):
    actor = actor_for(users["pp"])
    with CaptureQueriesContext(connection) as statements:
        line = selectors.get_budget_line(actor, "RUP-2026-001")
        office = line.office
    assert len(statements) == 1 and "JOIN" not in statements[0]["sql"].upper()
    assert line == shop["line"] and office is actor.office


def _nothing_held(order, shop):
    stored = Order.objects.get(pk=order.pk)
    assert (stored.status, stored.committed_amount) == ("draft", Decimal("0.00"))
    assert Product.objects.get(pk=shop["product"].pk).reserved == 0
    assert BudgetLine.objects.get(pk=shop["line"].pk).committed == Decimal("0.00")


def test_an_order_the_actor_may_not_see_is_still_a_404_and_nothing_changes(client, medan, binjai, users, shop):
    """The lean lookup keeps every visibility rule: a PP of another office, the vendor before the order
    was sent to it, and a PP of another tenant are answered 404 on submit, and nothing is reserved."""
    order = _draft(users["pp"], shop)
    other_office = f.make_user(medan, Role.PP, username="kesehatan-pp", office=f.make_office(medan, "1.02.01"))
    other_tenant = f.make_user(binjai, Role.PP, username="binjai-pp", office=f.make_office(binjai, "1.01.01"))
    for user in (other_office, users["penyedia"], other_tenant):
        refused = post(client, api_token_create(user=user), f"/api/v1/orders/{order.pk}/submit")
        assert refused.status_code == 404, (user.username, refused.content)
        _nothing_held(order, shop)
    # Nor may another office's PP charge this office's budget line (its code is a 404 to him).
    body = {"budget_line": "RUP-2026-001", "items": [{"product": shop["product"].pk, "quantity": 1}]}
    refused = post(client, api_token_create(user=other_office), "/api/v1/orders", body | {"delivery_address": "K"})
    assert refused.status_code == 404
    assert Order.objects.count() == 1


def test_a_role_counts_only_in_its_office_over_the_api(client, medan, users, shop):
    """A PP of this office who is PPK of another sees the order (PP here) but may not approve it: his
    PPK role counts in the other office only. Refused, nothing changed."""
    dual = f.make_user(medan, Role.PP, username="dual", office=shop["line"].office)
    Membership.objects.create(user=dual, katalog=medan, role=Role.PPK, office=f.make_office(medan, "1.02.01"))
    order = services.order_submit(actor=actor_for(users["pp"]), order=_draft(users["pp"], shop))
    refused = post(client, api_token_create(user=dual), f"/api/v1/orders/{order.pk}/approve")
    assert refused.status_code == 403, refused.content
    stored = Order.objects.get(pk=order.pk)
    assert (stored.status, stored.approved_at) == ("awaiting_approval", None)
    assert not stored.documents.exists()


# --- After the commit, in one transaction (issue 12, second round) ------------------------------------


def test_a_submissions_after_commit_work_is_one_callback(users, shop, django_capture_on_commit_callbacks, worker):
    """The expiry task, the PPK's notification and its message were separate after-commit callbacks,
    each statement its own commit on PostgreSQL; now one callback runs them in one transaction (the
    expiry's task and the notification's task queued), and the worker writes the notification."""
    pp = actor_for(users["pp"])
    order = _draft(users["pp"], shop)
    with django_capture_on_commit_callbacks() as callbacks:
        services.order_submit(actor=pp, order=order)
    from katalog.buying.after_commit import _Batch

    batches = [c for c in callbacks if isinstance(c, _Batch)]  # (the other one moves a cache stamp)
    assert len(batches) == 1 and len(batches[0].callbacks) == 2  # the expiry task, the notification's task
    assert not Notification.objects.filter(user=users["ppk"]).exists()
    batches[0]()
    assert not Notification.objects.filter(user=users["ppk"]).exists()  # queued, not written in the request
    assert worker() == 1
    assert Notification.objects.filter(user=users["ppk"], order=order).count() == 1


def test_after_commit_keeps_the_rules_of_on_commit(db, django_capture_on_commit_callbacks):
    from katalog.buying.after_commit import after_commit

    ran = ["outside"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            after_commit(lambda: ran.append("a"))
            try:
                with transaction.atomic():  # a savepoint rolled back: its callbacks are dropped
                    after_commit(lambda: ran.append("dropped"))
                    raise Boom
            except Boom:
                pass
            after_commit(lambda: ran.append("b"))
            assert ran == ["outside"]  # nothing before the commit
    assert ran == ["outside", "a", "b"]
    assert len(callbacks) == 1


def test_after_commit_work_that_fails_together_runs_each_on_its_own(
    users, shop, django_capture_on_commit_callbacks, caplog
):
    """One failing callback undoes the batch's transaction; each then runs on its own: the work
    before and after the failure is stored once, and the failure is logged, never raised to the
    caller whose step is already saved."""
    from katalog.buying.after_commit import after_commit

    order = _draft(users["pp"], shop)

    def tell():
        Notification.objects.create(katalog_id=order.katalog_id, user=users["ppk"], order=order, text="t")

    def fail():
        raise Boom

    with caplog.at_level(logging.ERROR, logger="katalog.buying.after_commit"):
        with django_capture_on_commit_callbacks(execute=True):  # when: no exception
            with transaction.atomic():
                after_commit(tell)
                after_commit(fail)
                after_commit(tell)
    assert Notification.objects.filter(order=order).count() == 2
    assert "the step itself is saved" in caplog.text


def test_the_approval_reads_the_ppks_jabatan_with_the_lock(users, shop, django_capture_on_commit_callbacks):
    """The SP's jabatan and NIP of the approving PPK come with the order's lock (no read of its
    membership of its own), the SP number is taken in one statement, and the addresses the caller
    holds are not read again."""
    users["ppk"].memberships.update(position="Kepala Dinas", nip="197001011990031001")
    pp, ppk = actor_for(users["pp"]), actor_for(users["ppk"])
    first = services.order_approve(actor=ppk, order=services.order_submit(actor=pp, order=_draft(users["pp"], shop)))
    order = services.order_submit(actor=pp, order=_draft(users["pp"], shop))
    with CaptureQueriesContext(connection) as statements:
        approved = services.order_approve(actor=ppk, order=order)
    sql = [s["sql"] for s in statements]
    assert not any(s.startswith('SELECT "accounts_membership"') for s in sql)
    assert not any(s.startswith('SELECT "buying_documentcounter"') for s in sql)
    # The addresses, written with the order and never changed, are the ones the caller holds.
    assert not any(s.startswith('SELECT "buying_deliveryaddress"') for s in sql)
    sp = approved.documents.get()
    assert sp.snapshot["ppk"]["position"] == "Kepala Dinas" and sp.snapshot["ppk"]["nip"] == "197001011990031001"
    assert (first.documents.get().sequence, sp.sequence) == (1, 2)
    assert sp.snapshot["addresses"] == ["Kantor"]
    fresh = services.order_submit(actor=pp, order=Order.objects.get(pk=_draft(users["pp"], shop).pk))
    assert services.order_approve(actor=ppk, order=fresh).documents.get().snapshot["addresses"] == ["Kantor"]


def test_a_bearer_token_and_the_memberships_are_one_statement(rf, users, medan, office):
    from katalog.accounts.api_auth import BearerToken
    from katalog.accounts.models import ApiToken

    user = users["pp"]
    raw = api_token_create(user=user)
    BearerToken().authenticate(rf.get("/"), raw)  # the first use stores last_used_at
    request = rf.get("/")
    with CaptureQueriesContext(connection) as statements:
        assert BearerToken().authenticate(request, raw) == user
    assert len(statements) == 1
    expected = actor_for(user)
    actor = request.actor
    assert (actor.katalog, actor.roles, actor.office, actor.permissions) == (
        expected.katalog,
        expected.roles,
        expected.office,
        expected.permissions,
    )
    assert [(o.pk, r) for o, r in actor.office_roles] == [(o.pk, r) for o, r in expected.office_roles]
    assert request.api_token.pk == ApiToken.objects.get(user=user).pk
    # A user without any membership is still who the token says; an expired token is no one.
    lonely = f.make_user(medan, Role.PP, username="lonely", office=office)
    lonely.memberships.all().delete()
    lonely_request = rf.get("/")
    assert BearerToken().authenticate(lonely_request, api_token_create(user=lonely)) == lonely
    assert lonely_request.actor.roles == frozenset()
    ApiToken.objects.filter(user=user).update(expires_at="2000-01-01T00:00:00Z")
    assert BearerToken().authenticate(rf.get("/"), raw) is None


def test_the_submissions_lock_reads_only_the_vendor_columns_it_uses(users, shop, django_capture_on_commit_callbacks):
    """The lock of a submission joins the vendor's status, name, tax status and what the rollup reads,
    not its 31 columns; nothing of the vendor is read again afterwards, also after the commit."""
    order = _draft(users["pp"], shop)
    with CaptureQueriesContext(connection) as statements, django_capture_on_commit_callbacks(execute=True):
        submitted = services.order_submit(actor=actor_for(users["pp"]), order=order)
    lock = next(s["sql"] for s in statements if s["sql"].startswith('SELECT "buying_order"."id"'))
    assert 'JOIN "vendors_vendor"' in lock
    assert '"vendors_vendor"."status"' in lock and '"vendors_vendor"."bank_account_number"' not in lock
    assert not any(s["sql"].startswith('SELECT "vendors_vendor"') for s in statements)
    assert submitted.status == "awaiting_approval" and submitted.vendor.name == shop["vendor"].name


# --- Fourth pass (issue 12): the step's tasks in its transaction, the rollup and the audit lighter ----


DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}


def test_on_the_database_queue_a_submission_queues_its_tasks_in_its_own_transaction(
    settings, users, shop, django_capture_on_commit_callbacks
):
    """As deployed (the task queue is a table of the same database) the submission writes its expiry
    task and ONE task that tells the PPK in its own transaction: nothing is left to run after the
    commit, a submission rolled back leaves no task, and the worker writes the PPK's notification."""
    from django_tasks_db.models import DBTaskResult

    from katalog.buying.after_commit import _Batch

    settings.TASKS = DATABASE_QUEUE
    pp = actor_for(users["pp"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Boom), transaction.atomic():
            services.order_submit(actor=pp, order=_draft(users["pp"], shop))
            raise Boom
    assert not DBTaskResult.objects.exists() and not [c for c in callbacks if isinstance(c, _Batch)]

    order = _draft(users["pp"], shop)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.order_submit(actor=pp, order=order)
    assert not [c for c in callbacks if isinstance(c, _Batch)]  # no second transaction after the commit
    queued = {r.task.name: r for r in DBTaskResult.objects.all()}
    assert sorted(queued) == ["expire_order", "notify"]
    # The rows are the ones the library's worker takes: ready, the expiry not before the deadline.
    assert list(DBTaskResult.objects.ready()) == [queued["notify"]]
    order.refresh_from_db()
    assert queued["expire_order"].run_after == order.deadline_at
    assert queued["expire_order"].args_kwargs == {"args": [order.pk], "kwargs": {}}
    assert not Notification.objects.exists()  # the request wrote none: the worker does
    assert queued["notify"].task.call(**queued["notify"].args_kwargs["kwargs"]) == 1
    told = Notification.objects.get()
    assert (told.user, told.order_id, told.text) == (
        users["ppk"],
        order.pk,
        f"Pesanan #{order.pk} menunggu persetujuan Anda.",
    )


def test_a_submission_keeps_the_rollup_in_one_statement_per_table_without_reading_items_again(users, shop):
    """The rollup took a savepoint, read the items again and ran a get_or_create and an UPDATE per
    rollup table; now one INSERT … ON CONFLICT per table from the items read under the lock. The
    audit entry: the chain's head read and moved without an ORDER BY (two statements on PostgreSQL)."""
    from katalog.insights import rollups

    pp = actor_for(users["pp"])
    services.order_submit(actor=pp, order=_draft(users["pp"], shop))  # the month's rows exist
    order = _draft(users["pp"], shop, quantity=3)
    with CaptureQueriesContext(connection) as statements:
        services.order_submit(actor=pp, order=order)
    sql = [s["sql"] for s in statements]
    # The one savepoint is the service's own transaction inside the test's; the rollup takes none.
    assert sum(s.startswith("SAVEPOINT") for s in sql) == 1
    assert sum(s.startswith('SELECT "buying_orderitem"') for s in sql) == 1
    rollup = [s for s in sql if "insights_" in s]
    assert len(rollup) == 2 and all(s.startswith("INSERT") and "ON CONFLICT" in s for s in rollup)
    audit = [s for s in sql if "core_audit" in s]
    assert not any("ORDER BY" in s for s in audit)
    assert len(audit) == (2 if connection.vendor == "postgresql" else 3)
    assert rollups.current() == rollups.recompute() and rollups.current_categories() == rollups.recompute_categories()
    row = next(iter(rollups.current().values()))
    assert row == (Decimal("1250000.00"), 2, Decimal("0"), 0)  # 2 and 3 pieces at Rp250.000, no PPN


def test_the_tenants_days_off_are_read_once_and_a_new_one_counts_at_once(users, shop):
    """The days off are kept between steps: a second submission reads none; a day off the Pengelola
    adds moves the next deadline at once (its stamp moved)."""
    from datetime import timedelta

    from django.utils import timezone

    from katalog.buying.services_calendar import day_off_add
    from katalog.core import calendar

    pp = actor_for(users["pp"])
    first = services.order_submit(actor=pp, order=_draft(users["pp"], shop))
    order = _draft(users["pp"], shop)
    with CaptureQueriesContext(connection) as statements:
        second = services.order_submit(actor=pp, order=order)
    assert not any("core_localdayoff" in s["sql"] for s in statements)
    assert second.deadline_at.date() == first.deadline_at.date()
    # A day off on the next working day pushes the deadline one working day further.
    day = timezone.localtime(timezone.now()).date() + timedelta(days=1)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    day_off_add(actor=actor_for(users["catalogue_manager"]), day=day, name="Hari Jadi Kota")
    third = services.order_submit(actor=pp, order=_draft(users["pp"], shop))
    assert third.deadline_at.date() > second.deadline_at.date()
