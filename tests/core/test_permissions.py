from pathlib import Path

from django.conf import settings

from katalog.core.management.commands.permissions_doc import render
from katalog.core.permissions import ROLE_PERMISSIONS, Permission, Role, permissions_for


def test_docs_permissions_md_matches_the_catalogue():
    doc = (Path(settings.BASE_DIR) / "docs" / "permissions.md").read_text(encoding="utf-8")
    assert doc == render(), "run `katalog permissions_doc` and commit docs/permissions.md"


def test_every_role_has_an_entry_and_the_auditor_writes_nothing():
    assert set(ROLE_PERMISSIONS) == set(Role)
    writes = {p for p in Permission if p.value.split(":")[1] not in {"view_all", "umkm", "spending", "view"}}
    assert not (ROLE_PERMISSIONS[Role.AUDITOR] & writes)


def test_rights_of_several_roles_add_up():
    both = permissions_for({"auditor", "penyedia"})
    assert Permission.AUDIT_VIEW in both and Permission.VENDOR_EDIT_OWN in both
    assert Permission.VENDOR_VERIFY not in both
