"""Spending through the catalogue and the 40% UMK target (issue 9): the JSON and the page against a
direct recomputation from the orders, every total the sum of its parts, who reads what, the files."""

import csv
import io
from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from katalog.buying.models import BudgetLine, Order, OrderItem
from katalog.insights import rollups, spending
from tests import factories as f

YEAR = 2026
URL = "/api/v1/stats/spending"
PAGE = "/dasbor/belanja/"


def _at(month: int, day: int = 10, year: int = YEAR):
    return timezone.make_aware(datetime(year, month, day, 10, 0))


def _order(world, office, vendor, product, quantity, *, status, month=None, paid=False, year=YEAR, pkp=False):
    """An order as the services leave it: lines at the version bought, DPP and PPN whole rupiah,
    submitted in `month` (None: a draft or a negotiation, never submitted)."""
    version = product.listed_version
    line_total = version.price * quantity + Decimal("15000")  # with shipping
    vat = (line_total * Decimal("0.11")).quantize(Decimal(1)) if pkp else Decimal(0)
    order = Order.objects.create(
        katalog=office.katalog,
        office=office,
        vendor=vendor,
        budget_line=world["lines"][office.pk],
        created_by=world["buyer"],
        status=status,
        total=line_total,
        vat=vat,
        submitted_at=_at(month, year=year) if month else None,
        paid_at=_at(month, 25, year=year) if paid else None,
        cancelled_at=_at(month, 20, year=year) if status == "cancelled" else None,
    )
    OrderItem.objects.create(
        order=order,
        product=product,
        version=version,
        quantity=quantity,
        unit_price=version.price,
        shipping_cost=Decimal("15000"),
    )
    return order


@pytest.fixture
def world(medan, office, users):
    """Two offices; micro, small and medium vendors in two kecamatan and none; orders in every state."""
    health = f.make_office(medan, "2.01.01", "Dinas Kesehatan")
    atk = f.make_category(medan, "Alat Tulis Kantor", code="ATK")
    paper = f.make_category(medan, "Kertas", code="ATK-KRT", parent=atk)
    clothes = f.make_category(medan, "Pakaian", code="PKN")
    micro = f.make_vendor(medan, size_class="mikro", district_id="12.71.01", name="UD Mikro")
    small = f.make_vendor(medan, size_class="kecil", district_id="12.71.02", name="CV Kecil")
    medium = f.make_vendor(medan, size_class="menengah", district_id=None, name="PT Menengah", is_vat_registered=True)
    kertas = f.make_product(micro, paper, name="Kertas HVS", price="55000", tkdn_percent=Decimal("45"))
    kemeja = f.make_product(small, clothes, name="Kemeja PDH", price="250000", tkdn_percent=Decimal("30"))
    laptop = f.make_product(medium, atk, name="Laptop", price="9000000", is_domestic=False)
    lines = {
        o.pk: BudgetLine.objects.create(
            katalog=medan, office=o, kode_rup=f"RUP-{o.code}", name="Belanja", fiscal_year=YEAR, ceiling=10**12
        )
        for o in (office, health)
    }
    w = {"offices": (office, health), "lines": lines, "buyer": users["ppk"]}
    orders = [
        # Not spending: a draft, a negotiation, a cancelled order, and last year's.
        _order(w, office, micro, kertas, 10, status="draft"),
        _order(w, office, small, kemeja, 3, status="negotiating"),
        _order(w, office, medium, laptop, 1, status="cancelled", month=2, pkp=True),
        _order(w, health, small, kemeja, 5, status="paid", month=6, paid=True, year=YEAR - 1),
        # Spending of the year.
        _order(w, office, micro, kertas, 20, status="awaiting_approval", month=1),
        _order(w, office, small, kemeja, 4, status="awaiting_confirmation", month=2),
        _order(w, office, medium, laptop, 2, status="in_progress", month=2, pkp=True),
        _order(w, office, micro, kertas, 7, status="paid", month=3, paid=True),
        _order(w, health, medium, laptop, 1, status="completed", month=3, paid=True, pkp=True),
        _order(w, health, small, kemeja, 6, status="paid", month=11, paid=True),
        _order(w, health, micro, kertas, 2, status="received", month=11),
    ]
    rollups.rebuild()  # the orders are raw rows, not made through the services: recompute the rollup
    return {**w, "orders": orders, "vendors": (micro, small, medium), "health": health}


def _counted(office=None, year=YEAR):
    """The orders that count, recomputed directly: submitted, not cancelled, in the year."""
    return [
        o
        for o in Order.objects.select_related("vendor").order_by("pk")
        if o.submitted_at is not None
        and o.status != "cancelled"
        and timezone.localtime(o.submitted_at).year == year
        and (office is None or o.office_id == office.pk)
    ]


def _value(o):
    return int(o.total + o.vat)


def _umk(orders):
    return sum(_value(o) for o in orders if o.vendor.size_class in ("mikro", "kecil"))


def test_figures_match_a_direct_recomputation(client_as, users, world):
    data = client_as(users["catalogue_manager"]).get(URL, {"year": YEAR}).json()
    orders = _counted()
    total, umk = sum(_value(o) for o in orders), _umk(orders)
    assert len(orders) == 7
    assert data["total"] == total and isinstance(data["total"], int)
    assert data["count"] == 7
    assert data["umk_total"] == umk
    assert data["umk_share"] == pytest.approx(umk / total)
    assert data["realised"] == sum(_value(o) for o in orders if o.paid_at)
    assert data["realised_count"] == 3
    # Per office, with the 40% target.
    for office in world["offices"]:
        mine = _counted(office)
        line = next(o for o in data["by_office"] if o["code"] == office.code)
        assert line["name"] == office.name
        assert line["total"] == sum(_value(o) for o in mine)
        assert line["umk_total"] == _umk(mine)
        assert line["umk_share"] == pytest.approx(_umk(mine) / line["total"])
        assert line["meets_target"] == (_umk(mine) / line["total"] >= 0.4)
    # Per month: March has a micro order and a medium one.
    march = next(m for m in data["by_month"] if m["month"] == f"{YEAR}-03")
    assert march["total"] == sum(_value(o) for o in orders if timezone.localtime(o.submitted_at).month == 3)
    assert march["count"] == 2
    # Size classes: the medium vendor is not UMK.
    classes = {c["code"]: c for c in data["by_size_class"]}
    assert classes["menengah"]["umk"] is False and classes["mikro"]["umk"] and classes["kecil"]["umk"]
    assert classes["menengah"]["total"] == sum(_value(o) for o in orders if o.vendor.size_class == "menengah")
    # Kecamatan: the medium vendor has none recorded.
    districts = {d["code"]: d for d in data["by_kecamatan"]}
    assert districts[""]["total"] == classes["menengah"]["total"]
    assert districts["12.71.01"]["total"] == classes["mikro"]["total"]
    # Categories at the top level: "Kertas" counts under "Alat Tulis Kantor", the PPN apart.
    cats = {c["code"]: c for c in data["by_category"]}
    vat = sum(int(o.vat) for o in orders)
    assert cats[""]["total"] == vat
    assert cats["PKN"]["total"] == sum(int(o.total) for o in orders if o.vendor.size_class == "kecil")
    assert cats["ATK"]["total"] == sum(int(o.total) for o in orders if o.vendor.size_class != "kecil")
    # Domestic products: the laptop is imported; TKDN 45% (paper) and 30% (shirts).
    goods = sum(int(o.total) for o in orders)
    dom = data["domestic"]
    assert dom["goods_total"] == goods
    assert dom["pdn_total"] == cats["PKN"]["total"] + classes["mikro"]["total"]
    assert dom["tkdn25_total"] == dom["pdn_total"]
    assert dom["tkdn40_total"] == classes["mikro"]["total"]
    assert dom["pdn_share"] == pytest.approx(dom["pdn_total"] / goods)


def test_every_total_is_the_sum_of_its_parts(client_as, users, world):
    data = client_as(users["auditor"]).get(URL, {"year": YEAR}).json()
    for key in ("by_office", "by_month", "by_size_class", "by_kecamatan"):
        for measure in ("total", "count", "umk_total", "realised", "realised_count"):
            assert sum(line[measure] for line in data[key]) == data[measure], (key, measure)
    assert sum(c["total"] for c in data["by_category"]) == data["total"]
    assert data["by_month"][-1]["cumulative_umk_share"] == pytest.approx(data["umk_share"])
    assert len(data["by_month"]) == 12
    # The same holds for one office.
    one = client_as(users["auditor"]).get(URL, {"year": YEAR, "office": "2.01.01"}).json()
    assert [o["code"] for o in one["by_office"]] == ["2.01.01"]
    assert one["total"] == sum(_value(o) for o in _counted(world["health"]))
    assert sum(c["total"] for c in one["by_category"]) == one["total"]


def test_what_it_takes_to_reach_40_percent(client_as, users, world, office):
    data = client_as(users["admin"]).get(URL, {"year": YEAR}).json()
    line = next(o for o in data["by_office"] if o["code"] == office.code)
    umk, total, x = line["umk_total"], line["total"], line["needed_for_target"]
    if umk / total >= 0.4:
        assert x == 0
    else:
        # The least whole rupiah that lifts the share to 40%, the other spending as it is.
        assert (umk + x) / (total + x) >= 0.4 > (umk + x - 1) / (total + x - 1)
    assert spending.needed_for_target(40, 100) == 0
    assert spending.needed_for_target(0, 60) == 40  # 40 / 100
    assert spending.needed_for_target(10, 100) == 50  # 60 / 150


def test_nothing_spent_is_a_share_of_zero(client_as, users, medan):
    data = client_as(users["catalogue_manager"]).get(URL, {"year": 2020}).json()
    assert data["total"] == 0 and data["umk_share"] == 0 and data["needed_for_target"] == 0
    assert all(o["umk_share"] == 0 for o in data["by_office"])


def test_budget_owner_reads_only_their_office(client_as, users, world, office):
    pa = client_as(users["budget_owner"])
    data = pa.get(URL, {"year": YEAR}).json()
    assert data["office"]["code"] == office.code
    assert [o["code"] for o in data["by_office"]] == [office.code]
    assert data["total"] == sum(_value(o) for o in _counted(office))
    refused = pa.get(URL, {"year": YEAR, "office": "2.01.01"})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert pa.get(URL, {"year": YEAR, "office": office.code}).status_code == 200
    # The page: their office forced, the other office nowhere, another office's code refused.
    page = pa.get(PAGE, {"year": YEAR}).content.decode()
    assert 'data-testid="office-forced"' in page and "Dinas Kesehatan" not in page
    assert pa.get(PAGE, {"year": YEAR, "office": "2.01.01"}).status_code == 403
    assert pa.get(f"{PAGE}unduh/xlsx", {"year": YEAR, "office": "2.01.01"}).status_code == 403


@pytest.mark.parametrize("role", ["penyedia", "pp", "ppk", "treasurer"])
def test_other_roles_are_refused(client_as, users, world, role):
    client = client_as(users[role])
    response = client.get(URL, {"year": YEAR})
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert client.get(PAGE).status_code == 403
    assert client.get(f"{PAGE}unduh/xlsx").status_code == 403


def test_anonymous_is_401_and_bad_input_a_422(client, client_as, users, world):
    assert client.get(URL).status_code == 401
    assert client.get(PAGE).status_code == 302
    manager = client_as(users["catalogue_manager"])
    assert manager.get(URL, {"year": 1800}).status_code == 422
    assert manager.get(URL, {"office": "x" * 31}).status_code == 422
    assert manager.get(URL, {"office": "9.99"}).status_code == 404
    assert manager.get(PAGE, {"year": "abc"}).status_code == 200


def test_page_shows_the_figures_and_the_target(client_as, users, world, office):
    with translation.override("en"):
        page = client_as(users["catalogue_manager"]).get(PAGE, {"year": YEAR}).content.decode()
    data = spending.spending(office.katalog, year=YEAR)
    assert f'data-testid="target-{office.code}"' in page and 'data-testid="target-2.01.01"' in page
    assert "target 40%" in page
    thousands = f"{data['total']:,}".replace(",", ".")
    assert thousands in page  # the total row of the tables
    assert 'id="spending-months"' in page and "insights/spending.js" in page
    assert "<script>" not in page  # no inline script (CSP): the chart data is a JSON block
    # Indonesian by default.
    assert "Target 40% UMK" in client_as(users["catalogue_manager"]).get(PAGE).content.decode()


def test_xlsx_and_csv_have_the_same_numbers(client_as, users, world):
    manager = client_as(users["catalogue_manager"])
    data = manager.get(URL, {"year": YEAR}).json()
    response = manager.get(f"{PAGE}unduh/xlsx", {"year": YEAR})
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    by_code = {r[0]: r for r in rows[1:] if r[0]}
    for line in data["by_office"]:
        row = by_code[line["code"]]
        assert row[2] == line["total"] and row[3] == line["umk_total"]
        assert row[4] == pytest.approx(line["umk_share"])
    assert rows[-1][2] == data["total"] and rows[-1][3] == data["umk_total"]
    assert len(book.worksheets) == 6
    months = list(book.worksheets[1].iter_rows(values_only=True))
    assert [r[1] for r in months[1:13]] == [m["total"] for m in data["by_month"]]
    text = manager.get(f"{PAGE}unduh/size_classes.csv", {"year": YEAR}).content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert {r[0]: int(r[3]) for r in table[1:-1]} == {c["code"]: c["total"] for c in data["by_size_class"]}
    assert manager.get(f"{PAGE}unduh/nothing.csv").status_code == 404


def test_budget_owner_lands_on_their_spending(client, users):
    response = client.post("/akun/masuk/", {"username": "medan-budget_owner", "password": f.PASSWORD})
    assert response.status_code == 302 and response["Location"] == PAGE
    client.logout()
    response = client.post("/akun/masuk/", {"username": "medan-ppk", "password": f.PASSWORD})
    assert response.status_code == 302 and response["Location"] != PAGE


def test_a_period_of_months_counts_only_those_months(client_as, users, world):
    # Given orders submitted in January, February, March and November
    client = client_as(users["catalogue_manager"])
    data = client.get(URL, {"year": YEAR, "month_from": 2, "month_to": 3}).json()
    orders = [o for o in _counted() if timezone.localtime(o.submitted_at).month in (2, 3)]
    # Then only February and March count, in every total and every breakdown
    assert (data["month_from"], data["month_to"]) == (2, 3)
    assert data["total"] == sum(_value(o) for o in orders) and data["count"] == len(orders) == 4
    assert data["umk_total"] == _umk(orders)
    assert [m["month"] for m in data["by_month"]] == [f"{YEAR}-02", f"{YEAR}-03"]
    for key in ("by_office", "by_month", "by_size_class", "by_kecamatan", "by_category"):
        assert sum(line["total"] for line in data[key]) == data["total"], key
    assert data["domestic"]["goods_total"] == sum(int(o.total) for o in orders)


def test_a_reversed_or_impossible_period_is_refused_over_the_api_and_read_on_the_page(client_as, users, world):
    client = client_as(users["catalogue_manager"])
    assert client.get(URL, {"year": YEAR, "month_from": 5, "month_to": 2}).status_code == 422
    assert client.get(URL, {"year": YEAR, "month_from": 13}).status_code == 422
    page = client.get("/dasbor/belanja/", {"year": YEAR, "month_from": 3, "month_to": 2})
    assert page.status_code == 200
    html = page.content.decode()
    assert f"{YEAR}-02" in html and f"{YEAR}-03" in html and f"{YEAR}-11" not in html
    sheet = client.get("/dasbor/belanja/unduh/months.csv", {"year": YEAR, "month_from": 2, "month_to": 3})
    assert sheet.status_code == 200 and f"{YEAR}-11" not in sheet.content.decode()
