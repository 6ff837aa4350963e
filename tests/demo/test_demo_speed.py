"""What `katalog demo` does to load fast keeps the same demo (issue 12, docs/performance.md "Loading
the demo"): the pictures drawn ahead on another thread are the ones drawn in place, the password is
hashed only when a demo user is missing, and the indexes set aside for the registry load on SQLite
are all back."""

import io
import os
from collections import Counter
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection

from katalog.catalogue.models import Category
from katalog.demo import catalogue, generate, pictures
from katalog.demo.management.commands import demo as demo_command


def test_the_pictures_drawn_ahead_are_the_ones_drawn_in_place():
    drawn = catalogue.draw_pictures()
    codes = {row[2] for row in catalogue.all_products()}
    assert {code for _name, code, _top in drawn} == codes
    name, code, top = next(iter(drawn))
    again = catalogue._draw(name, code, top)
    assert (again.full, again.thumb, again.width, again.height) == (
        drawn[name, code, top].full,
        drawn[name, code, top].thumb,
        drawn[name, code, top].width,
        drawn[name, code, top].height,
    )


def test_a_category_renamed_since_is_drawn_with_its_new_name(monkeypatch):
    drawn = catalogue.draw_pictures()
    name, code, top = next(key for key in drawn if key[0] != key[2])  # a category below a top one
    calls = []
    monkeypatch.setattr(catalogue, "_draw", lambda *key: calls.append(key) or "drawn here")
    parent = Category(pk=1, code="TOP", name=top, parent_id=None)
    same = {code: Category(pk=2, code=code, name=name, parent_id=1), "TOP": parent}
    assert catalogue._picture(same, code, {}, drawn) is drawn[name, code, top]
    renamed = {code: Category(pk=2, code=code, name="Nama Baru", parent_id=1), "TOP": parent}
    assert catalogue._picture(renamed, code, {}, drawn) == "drawn here"
    assert calls == [("Nama Baru", code, top)]


def _foreign_keys() -> list:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), condeferrable, condeferred "
            "FROM pg_constraint WHERE contype = 'f' ORDER BY 1, 2"
        )
        return cursor.fetchall()


def test_the_generated_registry_is_the_same_on_every_run_and_keeps_the_distribution():
    """Drawn column by column from one seeded stream: the same vendors each time (so a second load
    adds nothing), each class as many as asked, villages inside their district, capital inside the
    class, the moves up a class only for small and medium businesses."""
    districts = ["12.71.01", "12.71.02", "12.71.03"]
    villages = {"12.71.01": ["12.71.01.1001", "12.71.01.1002"], "12.71.02": ["12.71.02.1001"]}
    distribution = {"mikro": 400, "kecil": 150, "menengah": 40}
    today = date(2026, 12, 1)
    columns, moved = generate.registry_columns(districts, villages, distribution, today)
    assert (columns, moved) == generate.registry_columns(districts, villages, distribution, today)
    assert sorted(columns) == sorted(generate.REGISTRY_FIELDS)
    assert all(len(values) == 590 for values in columns.values())
    assert columns["nib"] == [generate.registry_nib(n) for n in range(1, 591)]
    assert Counter(columns["size_class"]) == distribution
    for size, capital, region, district in zip(
        columns["size_class"], columns["capital"], columns["region_id"], columns["district_id"], strict=True
    ):
        low, high = generate.CAPITAL[size]
        assert low <= capital < high and capital % 1_000_000 == 0
        assert region in villages.get(district, [district])
    assert set(columns["district_id"]) == set(districts)
    by_nib = dict(zip(columns["nib"], columns["size_class"], strict=True))
    assert moved and {by_nib[nib] for nib in moved} <= {"kecil", "menengah"}
    assert all(today - timedelta(days=720) < on < today for _before, on in moved.values())
    assert len(set(columns["name"])) > 400 and len(set(columns["phone"])) == 590


def _indexes() -> list:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")
        return cursor.fetchall()


def test_a_second_run_hashes_no_password_and_the_indexes_are_all_back(db, monkeypatch):
    sqlite = not os.environ.get("DATABASE_URL", "").startswith("postgres")
    before = _indexes() if sqlite else None
    keys = None if sqlite else _foreign_keys()
    call_command("demo", "--small", stdout=io.StringIO())
    if sqlite:
        assert _indexes() == before
    if not sqlite:  # the registry's foreign keys, dropped for the first load, are back as they were
        assert _foreign_keys() == keys
    monkeypatch.setattr(demo_command, "make_password", lambda *a: pytest.fail("hashed again"))
    monkeypatch.setattr(demo_command, "draw_pictures", lambda: pytest.fail("drawn again"))
    monkeypatch.setattr(pictures, "emblem_png", lambda *a: pytest.fail("emblem drawn again"))
    monkeypatch.setattr(pictures, "seal_png", lambda *a: pytest.fail("seal drawn again"))
    out = io.StringIO()
    call_command("demo", "--small", stdout=out)
    assert "0 registry vendors created, 0 products listed, 0 orders placed" in out.getvalue()


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL only")
def test_the_demos_commits_do_not_wait_for_the_disk_and_the_session_gets_its_setting_back(db, monkeypatch):
    seen = []
    load_orders = demo_command.load_orders

    def spy(*args):
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            seen.append(cursor.fetchone()[0])
        return load_orders(*args)

    monkeypatch.setattr(demo_command, "load_orders", spy)
    call_command("demo", "--small", stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert seen + [cursor.fetchone()[0]] == ["off", "on"]
