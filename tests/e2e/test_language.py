"""The interface speaks the language the person chose with the header's button, on every part of
a page: labels and messages made in Python as well as those in templates."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from katalog.vendors import services
from katalog.vendors.models import VendorStatus
from tests import factories as f
from tests.conftest import pdf_bytes
from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e


def _in(lang: str, text: str) -> str:
    with translation.override(lang):
        return gettext(text)


def _switch_language(page, lang: str) -> None:
    page.locator(f"header button[name=language][value={lang}]").click()
    expect(page.locator("html")).to_have_attribute("lang", lang)


def _submitted(katalog, name):
    owner = f.make_user(katalog, "penyedia")
    vendor = f.make_vendor(katalog, status=VendorStatus.DRAFT, users=[owner], name=name)
    actor = f.actor(owner)
    upload = SimpleUploadedFile("nib.pdf", pdf_bytes(), content_type="application/pdf")
    services.vendor_upload_document(actor=actor, vendor=vendor, kind="nib", upload=upload)
    return services.vendor_submit(actor=actor, vendor=vendor)


def test_wizard_steps_and_decision_messages_follow_the_chosen_language(new_page, medan, manager):
    assert _in("id", "Legal identity") != "Legal identity", "the Indonesian catalogue is not compiled"
    owner = f.make_user(medan, "penyedia", username="tigor@example.id")
    f.make_vendor(medan, status=VendorStatus.DRAFT, users=[owner], name="Bengkel Las Tigor")
    first, second = _submitted(medan, "Kerupuk Jangek Bu Ida"), _submitted(medan, "Dodol Pak Amat")
    failures = []

    # The owner's wizard: the step names in English, then in Indonesian.
    page = new_page(lang="en")
    login(page, "tigor@example.id")
    page.goto("/penyedia/usaha-saya/legal/")
    for lang in ("en", "id"):
        if lang == "id":
            _switch_language(page, "id")
        shown = page.locator("ol.steps").inner_text()
        if _in(lang, "Legal identity") not in shown:
            failures.append(f"steps in {lang!r}: {shown!r}")

    # The Pengelola's decision message: in English, then in Indonesian.
    dinas = new_page(lang="en")
    login(dinas, manager.username)
    for lang, vendor in (("en", first), ("id", second)):
        if lang == "id":
            _switch_language(dinas, "id")
        dinas.goto(f"/penyedia/kelola/{vendor.pk}/")
        dinas.locator(f"form[action='/penyedia/kelola/{vendor.pk}/approve/'] button").click()
        dinas.wait_for_url("**/penyedia/kelola/verifikasi/")
        shown = dinas.locator(".msg.success").inner_text()
        if shown != _in(lang, "%(name)s is verified.") % {"name": vendor.name}:
            failures.append(f"decision message in {lang!r}: {shown!r}")

    assert failures == []
