"""Issue 9: a visitor (no account) reads the public transparency page on a 360 px phone."""

import pytest
from playwright.sync_api import expect

from katalog.buying.models import OrderStatus
from tests.buying.conftest import _tasks, shop  # noqa: F401  (the buying fixtures)
from tests.buying.test_transitions import order_in
from tests.e2e.conftest import PHONE, screenshot

pytestmark = pytest.mark.e2e


def test_a_visitor_reads_the_public_page_on_a_phone(new_page, users, shop):  # noqa: F811
    order_in(OrderStatus.PAID, users, shop)
    order_in(OrderStatus.AWAITING_APPROVAL, users, shop)
    page = new_page(viewport=PHONE, phone=True, lang=None)
    page.goto("/transparansi/")
    expect(page.get_by_role("heading", name="Belanja melalui katalog")).to_be_visible()
    expect(page.get_by_test_id("total")).to_have_text("Rp1.000.000")
    expect(page.get_by_test_id("umkm-selling")).to_have_text("1")
    expect(page.get_by_test_id("purchases")).to_contain_text(shop["vendor"].name)
    # Readable at 360 px: the page itself never scrolls sideways (wide tables scroll in their own box).
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "transparency", both=False)
