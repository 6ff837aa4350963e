"""Red flags for the auditor (issue 9): each kind fires on a crafted case and not on a similar
innocent one; the page reads, the auditor reviews (with a note, an audit entry, nothing else
changed), others may not; finding twice adds nothing; reading finds nothing.

Orders are written as the services leave them (lines at the version bought, submitted_at set),
as tests/insights/test_spending.py does, so that their dates can be placed in the past."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from katalog.buying.models import BudgetLine, Invoice, Order, OrderItem, Payment
from katalog.catalogue.models import Product, ProductVersion
from katalog.core.models import AuditLog
from katalog.insights import redflags
from katalog.insights.models import RedFlag, RedFlagKind
from tests import factories as f

PAGE = "/dasbor/tanda-bahaya/"


@pytest.fixture
def world(medan, office, users):
    category = f.make_category(medan, "Kertas", code="KRT")
    micro = f.make_vendor(medan, size_class="mikro", name="UD Mikro")
    medium = f.make_vendor(medan, size_class="menengah", name="PT Menengah")
    line = BudgetLine.objects.create(
        katalog=medan, office=office, kode_rup="RUP-1", name="Belanja", fiscal_year=2026, ceiling=10**12
    )
    return {"office": office, "category": category, "micro": micro, "medium": medium, "line": line, "users": users}


def _order(world, product, quantity=1, *, at=None, unit_price=None, vendor=None, status="in_progress"):
    """A submitted order of one line, at the listed version's price unless `unit_price` is given."""
    version = product.listed_version
    price = Decimal(unit_price if unit_price is not None else version.price)
    order = Order.objects.create(
        katalog=world["office"].katalog,
        office=world["office"],
        vendor=vendor or product.vendor,
        budget_line=world["line"],
        created_by=world["users"]["ppk"],
        status=status,
        total=price * quantity,
        vat=0,
        submitted_at=at or timezone.now(),
    )
    OrderItem.objects.create(
        order=order, product=product, version=version, quantity=quantity, unit_price=price, shipping_cost=0
    )
    return order


def _listed_days_ago(product, days):
    """Move the product's listing (and the approval of its version) `days` days into the past."""
    moment = timezone.now() - timedelta(days=days)
    ProductVersion.objects.filter(product=product).update(approved_at=moment)
    Product.objects.filter(pk=product.pk).update(listed_at=moment)
    product.refresh_from_db()
    return product


def _keys(found):
    return [x.key for x in found]


# --- 1. Listed and bought ---------------------------------------------------------------------------


def test_bought_the_day_it_was_listed_is_flagged(world):
    product = f.make_product(world["micro"], world["category"], price="50000")
    order = _order(world, product, 2)
    found = redflags.listed_and_bought(world["office"].katalog)
    assert len(found) == 1
    flag = found[0]
    assert flag.numbers["event"] == "listed" and flag.numbers["days"] == 0 and flag.numbers["window_days"] == 1
    assert {"type": "order", "id": order.pk} in flag.records


def test_bought_three_days_after_listing_with_a_one_day_window_is_not_flagged(world):
    product = _listed_days_ago(f.make_product(world["micro"], world["category"], price="50000"), 3)
    _order(world, product, 2)
    assert redflags.listed_and_bought(world["office"].katalog) == []


def test_bought_the_day_after_a_price_rise_is_flagged_but_not_after_a_price_cut(world):
    product = _listed_days_ago(f.make_product(world["micro"], world["category"], price="50000"), 60)
    v1 = product.listed_version
    for number, price in ((2, "40000"), (3, "45000")):
        fields = {fld.name: getattr(v1, fld.name) for fld in ProductVersion._meta.concrete_fields if fld.name != "id"}
        fields.update(number=number, price=Decimal(price), approved_at=timezone.now() - timedelta(days=4 - number))
        version = ProductVersion.objects.create(**fields)
    Product.objects.filter(pk=product.pk).update(listed_version=version)
    product.refresh_from_db()
    _order(world, product)  # v2 (a cut, 2 days ago) is no event; v3 (a rise, yesterday) is
    found = redflags.listed_and_bought(world["office"].katalog)
    assert [(x.numbers["event"], x.numbers["version"], x.numbers["previous_price"]) for x in found] == [
        ("price_raised", 3, 40000)
    ]


# --- 2. Split package -------------------------------------------------------------------------------


def test_two_orders_whose_sum_passes_the_pp_limit_are_flagged(world, settings):
    settings.KATALOG_PP_LIMIT = "1000000"
    product = _listed_days_ago(f.make_product(world["micro"], world["category"], price="100000"), 90)
    now = timezone.now()
    first = _order(world, product, 6, at=now - timedelta(days=20))
    second = _order(world, product, 6, at=now - timedelta(days=5))
    found = redflags.split_package(world["office"].katalog)
    assert len(found) == 1
    assert found[0].numbers["sum"] == 1200000 and found[0].numbers["limit"] == 1000000
    assert found[0].numbers["orders"] == 2 and found[0].numbers["largest"] == 600000
    assert {"type": "order", "id": first.pk} in found[0].records
    assert {"type": "order", "id": second.pk} in found[0].records


def test_two_orders_under_the_pp_limit_together_or_far_apart_are_not_flagged(world, settings):
    settings.KATALOG_PP_LIMIT = "1000000"
    product = _listed_days_ago(f.make_product(world["micro"], world["category"], price="100000"), 200)
    now = timezone.now()
    _order(world, product, 4, at=now - timedelta(days=20))
    _order(world, product, 5, at=now - timedelta(days=5))  # 900,000 together
    _order(world, product, 6, at=now - timedelta(days=120))
    _order(world, product, 6, at=now - timedelta(days=80))  # 40 days apart: outside the 30-day window
    assert redflags.split_package(world["office"].katalog) == []


# --- 3. Concentration -------------------------------------------------------------------------------


def _spread(world, amounts, settings, min_total="1000000"):
    """Orders of the office, one vendor each, for these amounts, all at once (the same year)."""
    settings.KATALOG_FLAG_CONCENTRATION_MIN_TOTAL = min_total
    at = timezone.now()
    orders = []
    for amount in amounts:
        vendor = f.make_vendor(world["office"].katalog, size_class="kecil")
        product = _listed_days_ago(f.make_product(vendor, world["category"], price=str(amount)), 400)
        orders.append(_order(world, product, 1, at=at))
    return orders


def test_one_vendor_with_sixty_percent_of_an_office_is_flagged(world, settings):
    orders = _spread(world, [600000, 400000], settings)
    found = redflags.concentration(world["office"].katalog)
    assert len(found) == 1
    assert found[0].numbers["share"] == 0.6 and found[0].numbers["threshold"] == 0.5
    assert found[0].numbers["vendor_total"] == 600000 and found[0].numbers["office_total"] == 1000000
    assert found[0].records[0]["id"] == orders[0].vendor_id


def test_a_share_of_forty_percent_or_a_small_office_is_not_flagged(world, settings):
    _spread(world, [400000, 300000, 300000], settings)
    assert redflags.concentration(world["office"].katalog) == []
    OrderItem.objects.all().delete()
    Order.objects.all().delete()
    _spread(world, [900000, 100000], settings, min_total="50000000")  # the default: this office spent too little
    assert redflags.concentration(world["office"].katalog) == []


# --- 4. Non-UMK over a UMK offer ----------------------------------------------------------------------


def test_a_medium_vendor_bought_over_a_cheaper_umk_offer_is_flagged(world):
    umk = _listed_days_ago(f.make_product(world["micro"], world["category"], name="HVS Mikro", price="90000"), 10)
    big = _listed_days_ago(f.make_product(world["medium"], world["category"], name="HVS Besar", price="100000"), 10)
    order = _order(world, big, 3)
    found = redflags.non_umk_over_umk(world["office"].katalog)
    assert len(found) == 1
    assert found[0].numbers["unit_price"] == 100000 and found[0].numbers["umk_price"] == 90000
    assert {"type": "order", "id": order.pk} in found[0].records
    assert {"type": "product", "id": umk.pk, "name": "HVS Mikro"} in found[0].records


def test_a_medium_vendor_bought_when_the_umk_offer_cost_more_is_not_flagged(world):
    _listed_days_ago(f.make_product(world["micro"], world["category"], price="120000"), 10)
    big = _listed_days_ago(f.make_product(world["medium"], world["category"], price="100000"), 10)
    _order(world, big, 3)
    other = f.make_category(world["office"].katalog, "Pakaian", code="PKN")
    _listed_days_ago(f.make_product(world["micro"], other, price="50000"), 10)  # cheaper, another category
    assert redflags.non_umk_over_umk(world["office"].katalog) == []


# --- 5. Price above listed; late payment --------------------------------------------------------------


def test_a_price_above_the_listed_price_is_flagged(world):
    """The services refuse a negotiated price above the listed one, so this line is written directly."""
    product = _listed_days_ago(f.make_product(world["micro"], world["category"], price="50000"), 10)
    order = _order(world, product, 2, unit_price="55000")
    found = redflags.price_above_listed(world["office"].katalog)
    assert [(x.numbers["unit_price"], x.numbers["listed_price"]) for x in found] == [(55000, 50000)]
    assert {"type": "order", "id": order.pk} in found[0].records


def test_a_price_at_or_under_the_listed_price_is_not_flagged(world):
    product = _listed_days_ago(f.make_product(world["micro"], world["category"], price="50000"), 10)
    _order(world, product, 2, unit_price="50000")
    _order(world, product, 2, unit_price="45000")
    assert redflags.price_above_listed(world["office"].katalog) == []


def _received(world, product, days_ago, paid_after=None):
    order = _order(world, product, 1, at=timezone.now() - timedelta(days=days_ago + 10), status="invoiced")
    order.received_at = timezone.now() - timedelta(days=days_ago)
    order.save(update_fields=["received_at"])
    invoice = Invoice.objects.create(order=order, number=f"INV-{order.pk}", subtotal=order.total, total=order.total)
    if paid_after is not None:
        Payment.objects.create(
            invoice=invoice,
            method="ls",
            paid_on=timezone.localdate(order.received_at) + timedelta(days=paid_after),
            reference="SP2D-1",
            amount=order.total,
            recorded_by=world["users"]["treasurer"],
        )
    return order


def test_paid_late_or_unpaid_past_the_term_is_flagged(world):
    product = _listed_days_ago(f.make_product(world["micro"], world["category"], price="50000"), 100)
    paid_late = _received(world, product, 60, paid_after=35)
    unpaid = _received(world, product, 45)
    found = {x.key: x.numbers for x in redflags.late_payment(world["office"].katalog)}
    assert found[f"order:{paid_late.pk}"]["days"] == 35 and found[f"order:{paid_late.pk}"]["limit_days"] == 30
    assert found[f"order:{unpaid.pk}"]["days"] == 45 and found[f"order:{unpaid.pk}"]["paid_on"] is None
    assert len(found) == 2


def test_paid_within_the_term_or_unpaid_within_it_is_not_flagged(world):
    product = _listed_days_ago(f.make_product(world["micro"], world["category"], price="50000"), 100)
    _received(world, product, 60, paid_after=20)
    _received(world, product, 10)
    assert redflags.late_payment(world["office"].katalog) == []


# --- Storing, the command, the page -----------------------------------------------------------------


@pytest.fixture
def flagged(world):
    """An order bought the day its product was listed, at a price above the listed one (written directly:
    the services refuse it), and the flags found by the command."""
    product = f.make_product(world["micro"], world["category"], price="50000")
    order = _order(world, product, 2, unit_price="60000")
    call_command("find_flags", "--katalog", "12.71", stdout=io.StringIO())
    return {**world, "order": order, "product": product}


def test_finding_twice_adds_no_duplicate(flagged):
    kinds = sorted(RedFlag.objects.values_list("kind", flat=True))
    assert kinds == [RedFlagKind.LISTED_AND_BOUGHT, RedFlagKind.PRICE_ABOVE_LISTED]
    call_command("find_flags", "--katalog", "12.71", stdout=io.StringIO())
    call_command("find_flags", stdout=io.StringIO())
    assert RedFlag.objects.count() == 2


def test_reading_the_page_finds_nothing(client_as, users, world):
    product = f.make_product(world["micro"], world["category"], price="50000")
    _order(world, product, 2)
    response = client_as(users["auditor"]).get(PAGE)
    assert response.status_code == 200
    assert RedFlag.objects.count() == 0


def test_the_auditor_reads_the_flags_with_their_evidence_and_links(client_as, users, flagged):
    order, product = flagged["order"], flagged["product"]
    page = client_as(users["auditor"]).get(PAGE).content.decode()
    assert page.count('data-testid="red-flag"') == 2
    assert f'href="/belanja/pesanan/{order.pk}/"' in page
    assert f'href="/produk/{product.pk}/"' in page
    assert "Harga tayang" in page and "Harga satuan yang dibayar" in page and "60.000" in page
    assert page.count('data-testid="flag-review"') == 2
    assert 'href="/dasbor/tanda-bahaya/"' in page  # the menu entry


def test_filters_by_kind_and_by_reviewed(client_as, users, flagged):
    client = client_as(users["auditor"])
    page = client.get(PAGE, {"kind": "price_above_listed"}).content.decode()
    assert page.count('data-testid="red-flag"') == 1 and 'data-kind="price_above_listed"' in page
    RedFlag.objects.filter(kind="price_above_listed").update(reviewed_at=timezone.now(), note="ok")
    assert client.get(PAGE).content.decode().count('data-testid="red-flag"') == 1  # not reviewed (the default)
    reviewed = client.get(PAGE, {"state": "reviewed"}).content.decode()
    assert reviewed.count('data-testid="red-flag"') == 1 and 'data-kind="price_above_listed"' in reviewed
    assert client.get(PAGE, {"state": "all"}).content.decode().count('data-testid="red-flag"') == 2


def test_the_pengelola_and_the_admin_read_without_the_review_form(client_as, users, flagged):
    for role in ("catalogue_manager", "admin"):
        page = client_as(users[role]).get(PAGE).content.decode()
        assert page.count('data-testid="red-flag"') == 2
        assert 'data-testid="flag-review"' not in page


def test_a_pp_may_not_read_nor_review(client_as, users, flagged):
    flag = RedFlag.objects.first()
    client = client_as(users["pp"])
    assert client.get(PAGE).status_code == 403
    assert client.post(f"{PAGE}{flag.pk}/tinjau/", {f"f{flag.pk}-note": "dilihat"}).status_code == 403
    assert client_as(users["admin"]).post(f"{PAGE}{flag.pk}/tinjau/", {f"f{flag.pk}-note": "x"}).status_code == 403
    flag.refresh_from_db()
    assert flag.reviewed_at is None and flag.note == ""


def test_the_auditor_marks_a_flag_reviewed_with_a_note_and_nothing_else_changes(client_as, users, flagged):
    flag = RedFlag.objects.get(kind="price_above_listed")
    order = Order.objects.get(pk=flagged["order"].pk)
    item = order.items.get()
    before = (order.status, order.total, order.updated_at, item.unit_price, flag.evidence, flag.found_at)
    client = client_as(users["auditor"])
    response = client.post(f"{PAGE}{flag.pk}/tinjau/?kind=price_above_listed", {f"f{flag.pk}-note": "Sudah dicek"})
    assert response.status_code == 302 and response["Location"] == f"{PAGE}?kind=price_above_listed"
    flag.refresh_from_db()
    order.refresh_from_db()
    item.refresh_from_db()
    assert flag.reviewed_at is not None and flag.reviewed_by == users["auditor"] and flag.note == "Sudah dicek"
    assert (order.status, order.total, order.updated_at, item.unit_price, flag.evidence, flag.found_at) == before
    entry = AuditLog.objects.get(action="redflag.review")
    assert entry.actor == users["auditor"] and entry.object_id == str(flag.pk) and entry.data["note"] == "Sudah dicek"
    assert RedFlag.objects.get(kind="listed_and_bought").reviewed_at is None
    page = client.get(PAGE, {"state": "reviewed"}).content.decode()
    assert "Sudah dicek" in page and 'data-testid="flag-review"' not in page


def test_a_note_is_required(client_as, users, flagged):
    flag = RedFlag.objects.get(kind="price_above_listed")
    response = client_as(users["auditor"]).post(
        f"{PAGE}{flag.pk}/tinjau/?kind=price_above_listed", {f"f{flag.pk}-note": "   "}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Tuliskan apa yang Anda periksa: catatan wajib diisi." in page
    assert (
        f'action="/dasbor/tanda-bahaya/{flag.pk}/tinjau/?kind=price_above_listed&amp;state=open"' in page
    )  # filters kept
    flag.refresh_from_db()
    assert flag.reviewed_at is None
    assert not AuditLog.objects.filter(action="redflag.review").exists()


def test_a_note_too_long_is_refused_and_kept(client_as, users, flagged):
    flag = RedFlag.objects.get(kind="price_above_listed")
    note = "panjang " * 300
    response = client_as(users["auditor"]).post(f"{PAGE}{flag.pk}/tinjau/", {f"f{flag.pk}-note": note})
    assert response.status_code == 400
    assert note.strip() in response.content.decode()
    flag.refresh_from_db()
    assert flag.reviewed_at is None


def test_the_worker_sweep_finds_flags_at_most_once_a_period(flagged):
    RedFlag.objects.all().delete()
    redflags._last_sweep = None
    assert redflags.sweep_if_due(now=1000.0) == 2
    RedFlag.objects.all().delete()
    assert redflags.sweep_if_due(now=1000.0 + 3600) == 0  # within KATALOG_FLAG_SWEEP_HOURS: nothing looked at
    assert RedFlag.objects.count() == 0
    redflags._last_sweep = None


def test_find_flags_refuses_an_unknown_tenant(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="99.99"):
        call_command("find_flags", "--katalog", "99.99", stdout=io.StringIO())
