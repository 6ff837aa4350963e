"""`core.prepared`: a query compiled once gives, for every later set of values, exactly the rows the
ORM gives; a query whose values cannot be placed safely stays on the ORM."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from katalog.accounts.models import Membership, Office
from katalog.core import prepared
from katalog.core.models import Katalog

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh():
    prepared._kept.clear()
    yield
    prepared._kept.clear()


@pytest.fixture
def people():
    katalog = Katalog.objects.create(region_id="12.71", name="Katalog Medan")
    other = Katalog.objects.create(region_id="12.75", name="Katalog Binjai")
    offices = [Office.objects.create(katalog=katalog, code=f"1.0{i}", name=f"Dinas {i}") for i in range(3)]
    users = []
    for i in range(6):
        user = User.objects.create_user(username=f"user{i}", password=None, is_active=i != 4)
        Membership.objects.create(user=user, katalog=katalog if i != 5 else other, role="pp", office=offices[i % 3])
        users.append(user)
    return katalog, other, offices, users


def by_user(username: str):
    return Membership.objects.filter(user__username=username, user__is_active=True).select_related("user", "office")


def in_offices(shape: int, katalog_id: int, *offices: int):
    return Membership.objects.filter(katalog_id=katalog_id, office_id__in=offices).order_by("pk")


def joined_since(moment):
    return Membership.objects.filter(user__date_joined__gte=moment).order_by("pk")


def described(katalog_id: int, name: str):
    # a LIKE pattern: Django puts "%" around the value, so the value cannot be placed
    return Membership.objects.filter(katalog_id=katalog_id, user__username__contains=name).order_by("pk")


def _rows(found):
    return [(m.pk, m.user_id, m.office_id, m.katalog_id) for m in found]


def test_every_later_call_gives_the_rows_of_the_orm(people):
    for name in ["user0", "user1", "user4", "nobody", "user0", "user3", "user5"]:
        got = prepared.fetch(Membership, by_user, name)
        assert _rows(got) == _rows(by_user(name)), name
        for m in got:  # what select_related joined is there, without another statement
            with CaptureQueriesContext(connection) as run:
                assert m.user.username == name and m.office.name.startswith("Dinas")
            assert len(run) == 0
    assert isinstance(prepared._kept[(by_user, None, "default")], prepared._Prepared)


def test_a_later_call_builds_and_compiles_nothing(people, monkeypatch):
    prepared.fetch(Membership, by_user, "user0")
    calls = []
    monkeypatch.setattr(prepared, "_compiled", lambda *a: calls.append(a))

    def never(*args):
        raise AssertionError("built again")

    prepared._kept[(never, None, "default")] = prepared._kept[(by_user, None, "default")]
    assert _rows(prepared.fetch(Membership, never, "user2")) == _rows(by_user("user2"))
    assert calls == []


def test_a_list_of_values_is_a_shape(people):
    katalog, other, offices, _users = people
    for ids in [[offices[0].pk], [offices[1].pk, offices[2].pk], [offices[2].pk], [offices[0].pk, offices[1].pk]]:
        for tenant in (katalog.pk, other.pk):
            got = prepared.fetch(Membership, in_offices, tenant, *ids, shape=len(ids))
            assert _rows(got) == _rows(in_offices(len(ids), tenant, *ids))
    assert {key[1] for key in prepared._kept} == {1, 2}


def test_equal_values_are_placed_by_position(people):
    _katalog, _other, offices, users = people
    # the office's id and the tenant's id may be the same number: each goes to its own place
    same = Membership.objects.filter(office_id=offices[0].pk).first().katalog_id

    def office_and_tenant(office_id: int, katalog_id: int):
        return Membership.objects.filter(office_id=office_id, katalog_id=katalog_id).order_by("pk")

    for office_id, katalog_id in [(same, same), (offices[1].pk, same), (offices[0].pk, same), (same, same + 1)]:
        got = prepared.fetch(Membership, office_and_tenant, office_id, katalog_id)
        assert _rows(got) == _rows(office_and_tenant(office_id, katalog_id))


def test_datetimes_are_placed_or_left_to_the_orm(people):
    now = timezone.now()
    for moment in [now - timedelta(days=1), now + timedelta(days=1), now - timedelta(days=1)]:
        assert _rows(prepared.fetch(Membership, joined_since, moment)) == _rows(joined_since(moment))
    kept = prepared._kept[(joined_since, None, "default")]
    # PostgreSQL takes the datetime as it is; SQLite is given a text Django makes of it: the ORM
    assert isinstance(kept, prepared._Prepared) == (connection.vendor == "postgresql")


def test_a_value_django_rewrites_stays_on_the_orm(people):
    katalog, *_ = people
    for name in ["user", "er1", "zzz", "user"]:
        assert _rows(prepared.fetch(Membership, described, katalog.pk, name)) == _rows(described(katalog.pk, name))
    assert prepared._kept[(described, None, "default")] is prepared._ORM


def test_a_value_of_no_known_kind_is_answered_by_the_orm_and_not_kept(people):
    _katalog, _other, _offices, users = people

    def of_user(user):
        return Membership.objects.filter(user=user).order_by("pk")

    assert _rows(prepared.fetch(Membership, of_user, users[1])) == _rows(of_user(users[1]))
    assert (of_user, None, "default") not in prepared._kept
