"""Journey 5: the Pengelola opens the UMKM dashboard; every number shown is the count of verified
vendors in the database, by size class and by district."""

import pytest
from django.db.models import Count
from playwright.sync_api import expect

from katalog.vendors.models import Vendor, VendorStatus
from tests import factories as f
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e

MEDAN_KOTA, MEDAN_SUNGGAL = "12.71.01", "12.71.02"


@pytest.fixture
def known_vendors(medan, binjai):
    def make(n, district, size_class, status=VendorStatus.VERIFIED, katalog=medan):
        for _ in range(n):
            f.make_vendor(katalog, status=status, size_class=size_class, district_id=district, region_id=district)

    make(3, MEDAN_KOTA, "mikro")
    make(1, MEDAN_KOTA, "kecil")
    make(2, MEDAN_SUNGGAL, "mikro")
    make(1, MEDAN_SUNGGAL, "menengah")
    # None of these may count: not verified yet, or another tenant's.
    make(1, MEDAN_KOTA, "mikro", status=VendorStatus.SUBMITTED)
    make(1, MEDAN_KOTA, "kecil", status=VendorStatus.REJECTED)
    make(2, "12.75.01", "mikro", katalog=binjai)


def _number(locator) -> int:
    return int(locator.inner_text().strip().replace(".", "").replace(",", ""))


def test_dashboard_counts_equal_the_verified_vendors_in_the_database(page, manager, known_vendors, medan):
    # What the database holds, counted here independently of the dashboard's code.
    verified = Vendor.objects.filter(katalog=medan, status=VendorStatus.VERIFIED)
    by_class = dict(verified.values_list("size_class").annotate(n=Count("id")))
    assert by_class == {"mikro": 5, "kecil": 1, "menengah": 1}

    login(page, manager.username)
    page.get_by_role("link", name="Dashboard").click()
    page.wait_for_url("**/dasbor/umkm/")
    expect(page.locator("h1")).to_contain_text("Kota Medan")

    assert _number(page.get_by_test_id("total")) == verified.count() == 7
    assert _number(page.get_by_test_id("count-mikro")) == by_class["mikro"]
    assert _number(page.get_by_test_id("count-kecil")) == by_class["kecil"]
    assert _number(page.get_by_test_id("count-menengah")) == by_class["menengah"]
    assert _number(page.get_by_test_id("count-besar")) == 0

    table = page.get_by_test_id("district-table")
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    assert headers == ["District", "Micro", "Small", "Medium", "Large", "Total"]

    def row(name):
        cells = table.locator("tbody tr", has=page.locator("td", has_text=name)).first.locator("td")
        return [c.strip() for c in cells.all_inner_texts()]

    assert row("Medan Kota") == ["Medan Kota", "3", "1", "0", "0", "4"]
    assert row("Medan Sunggal") == ["Medan Sunggal", "2", "0", "1", "0", "3"]
    # Every district of the city is listed, and the rows add up to the total shown.
    rows = table.locator("tbody tr")
    assert rows.count() == 21
    assert sum(int(t.strip()) for t in rows.locator("td:last-child").all_inner_texts()) == 7
    screenshot(page, "50-dashboard")
