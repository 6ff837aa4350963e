"""The menu is driven by rights: each role sees exactly the entries whose pages it may open."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from katalog.core.navigation import MENU
from tests import factories as f

ALL_ROLES = ["penyedia", "catalogue_manager", "pp", "ppk", "budget_owner", "treasurer", "auditor", "admin"]


@pytest.mark.parametrize("role", ALL_ROLES)
def test_each_role_sees_the_entries_it_may_open_and_no_other(client_as, medan, users, role):
    f.make_vendor(medan, users=[users["penyedia"]])
    client = client_as(users[role])
    page = client.get("/cari/").content.decode()
    shown = set(re.findall(r'data-nav="([^"]+)"', page))
    assert shown, "every role has a menu"
    for entry in MENU:
        status = client.get(_url(entry.url_name)).status_code
        if entry.url_name in shown:
            assert status == 200, (role, entry.url_name, status)
        elif not entry.shown_with:
            assert status in (302, 403), (role, entry.url_name, status)


def test_a_visitor_sees_no_office_menu(client, medan):
    assert "data-nav=" not in client.get("/cari/").content.decode()


def test_no_template_decides_by_a_role_name():
    pattern = re.compile(r"in actor\.roles|actor\.has_role|\"(pp|ppk|penyedia|catalogue_manager|auditor|admin)\" in ")
    offenders = [
        str(path.relative_to(settings.BASE_DIR))
        for folder in Path(settings.BASE_DIR, "katalog").rglob("templates")
        for path in folder.rglob("*.html")
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def _url(name):
    from django.urls import reverse

    return reverse(name)
