"""The onboarding funnel in a browser on a 360 px phone: the figures, the weekly chart drawn, no
sideways scrolling of the page, and a real XLSX download."""

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from katalog.vendors.models import VendorSource
from tests import factories as f
from tests.e2e.conftest import PHONE, horizontal_overflow, login

pytestmark = pytest.mark.e2e


def test_the_pengelola_reads_the_funnel_on_a_phone(new_page, medan, manager, tmp_path):
    now = timezone.now()
    for _ in range(3):
        f.make_vendor(medan, source=VendorSource.IMPORT)
    invited = f.make_vendor(medan, source=VendorSource.IMPORT, invited_at=now, sector="Kue dan roti")
    claimed = f.make_vendor(
        medan,
        source=VendorSource.IMPORT,
        invited_at=now,
        claimed_at=now,
        sector="Sepatu kulit",
        district_id="12.71.03",
        users=[f.make_user(medan, "penyedia")],
    )
    f.make_product(claimed)
    assert invited.pk

    page = new_page(viewport=PHONE, phone=True)
    login(page, manager.username)
    page.goto("/dasbor/umkm/")
    page.get_by_test_id("onboarding-summary").get_by_role("link").click()
    page.wait_for_url("**/dasbor/onboarding/")
    for step, n in {"registry": 5, "invited": 2, "claimed": 1, "verified": 1, "listed": 1, "sold": 0}.items():
        expect(page.get_by_test_id(f"count-{step}")).to_have_text(str(n))
    expect(page.get_by_test_id("table-sector")).to_contain_text("Sepatu kulit")
    # The weekly chart is drawn, and at 360 px only the tables scroll sideways, never the page.
    assert page.evaluate("!!(window.Chart && Chart.getChart('onboarding-weeks'))")
    assert horizontal_overflow(page) == 0
    page.screenshot(path=str(tmp_path / "onboarding-360.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download XLSX").click()
    book = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    assert [row[1] for row in list(book.worksheets[0].iter_rows(values_only=True))[1:7]] == [5, 2, 1, 1, 1, 0]
