"""The onboarding funnel (issue 8): registry → invited → claimed → verified → listed → sold, from the
records, by kecamatan, sector and size class, week by week; over the API, on the page, as XLSX and CSV."""

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from katalog.buying.models import BudgetLine, Order, OrderStatus
from katalog.insights import onboarding
from katalog.vendors.models import VendorSource, VendorStatus
from tests import factories as f
from tests.accounts.test_api import bearer, token_for

STEPS = ["registry", "invited", "claimed", "verified", "listed", "sold"]
REGISTRY = VendorSource.IMPORT


def _order(vendor, user, line, *, status, submitted=True):
    return Order.objects.create(
        katalog=vendor.katalog,
        office=line.office,
        vendor=vendor,
        budget_line=line,
        created_by=user,
        status=status,
        total=Decimal("100000"),
        submitted_at=timezone.now() if submitted else None,
    )


@pytest.fixture
def world(medan, binjai, office, users):
    """Eight registry vendors at every step of the funnel, two outside the registry, one in Binjai."""
    now = timezone.now()
    line = BudgetLine.objects.create(
        katalog=medan, office=office, kode_rup="RUP-1", name="Uji", fiscal_year=2026, ceiling=Decimal("100000000")
    )
    buyer = users["pp"]

    def owner():
        return [f.make_user(medan, "penyedia")]

    def registry(**fields):
        fields.setdefault("source", REGISTRY)
        fields.setdefault("status", VendorStatus.VERIFIED)  # the import verifies without an account
        return f.make_vendor(medan, **fields)

    v = {}
    # Only in the registry; its sector would run as a formula in a spreadsheet.
    v["a"] = registry(sector='=HYPERLINK("http://x.example","klik")', district_id="12.71.01")
    # Invited, no account yet (one long ago: counted as invited, outside the 12 weeks of the trend).
    v["b"] = registry(sector="Kue dan roti", invited_at=now)
    v["h"] = registry(sector="Kue dan roti", invited_at=now - timedelta(weeks=20))
    # Invited and claimed, waiting for verification after correcting its data.
    v["f"] = registry(
        sector="Kue dan roti", invited_at=now, claimed_at=now, users=owner(), status=VendorStatus.SUBMITTED
    )
    # Claimed and verified; a draft product is not a listing.
    v["c"] = registry(
        sector="Sepatu kulit", size_class="kecil", district_id="12.71.03", invited_at=now, claimed_at=now, users=owner()
    )
    f.make_product(v["c"], listed=False)
    # Claimed by itself (never invited), verified, one listed product, only a draft order.
    v["d"] = registry(sector="Kue dan roti", district_id="12.71.03", claimed_at=now, users=owner())
    f.make_product(v["d"])
    f.make_product(v["d"], name="Bolu gulung")  # a second listing is not a first listing
    _order(v["d"], buyer, line, status=OrderStatus.DRAFT, submitted=False)
    # Listed, its only order cancelled: not a sale. Claimed three weeks ago.
    v["g"] = registry(sector="Sepatu kulit", invited_at=now, claimed_at=now - timedelta(weeks=3), users=owner())
    f.make_product(v["g"])
    _order(v["g"], buyer, line, status=OrderStatus.CANCELLED)
    # Every step: listed and sold; no kecamatan recorded, no sector.
    v["e"] = registry(
        sector="",
        size_class="menengah",
        district_id=None,
        region_id=None,
        invited_at=now,
        claimed_at=now,
        users=owner(),
    )
    f.make_product(v["e"])
    _order(v["e"], buyer, line, status=OrderStatus.AWAITING_APPROVAL)
    # Outside the registry: a self-registered vendor that sells, an assisted one without an account.
    v["self"] = f.make_vendor(medan, source=VendorSource.SELF, users=owner(), sector="Kue dan roti")
    f.make_product(v["self"])
    _order(v["self"], buyer, line, status=OrderStatus.PAID)
    v["assisted"] = f.make_vendor(medan, source=VendorSource.ASSISTED, status=VendorStatus.SUBMITTED)
    # Another tenant's registry vendor, claimed: never in Medan's figures.
    v["binjai"] = f.make_vendor(
        binjai,
        source=REGISTRY,
        district_id="12.75.01",
        region_id="12.75.01",
        invited_at=now,
        claimed_at=now,
        users=[f.make_user(binjai, "penyedia")],
    )
    return v


EXPECTED = {"registry": 8, "invited": 7, "claimed": 5, "verified": 4, "listed": 3, "sold": 1}


def _sums_equal_totals(body_or_data, lines_key, totals):
    for step in STEPS:
        assert sum(line[step] for line in body_or_data[lines_key]) == totals[step], (lines_key, step)


def test_the_funnel_counts_each_step_from_the_records(world, medan):
    data = onboarding.funnel(medan)
    assert data["totals"] == EXPECTED
    assert data["outside"] == {"registered": 2, "claimed": 1, "verified": 1, "listed": 1, "sold": 1}
    lines = {key: [line.as_dict() for line in data[key]] for key in ("by_kecamatan", "by_sector", "by_size_class")}
    for key in lines:
        _sums_equal_totals(lines, key, EXPECTED)
    by_district = {line["value"]: line for line in lines["by_kecamatan"]}
    assert len(by_district) == 22  # Medan's 21 kecamatan, and the vendors with none recorded
    assert [by_district["12.71.03"][s] for s in STEPS] == [2, 2, 2, 2, 1, 0]
    assert [by_district[""][s] for s in STEPS] == [1, 1, 1, 1, 1, 1]
    assert by_district["12.71.01"]["label"] and by_district[""]["label"]
    by_sector = {line["value"]: line for line in lines["by_sector"]}
    assert [by_sector["Kue dan roti"][s] for s in STEPS] == [4, 4, 2, 1, 1, 0]
    assert [by_sector["Sepatu kulit"][s] for s in STEPS] == [2, 2, 2, 2, 1, 0]
    assert [by_sector[""][s] for s in STEPS] == [1, 1, 1, 1, 1, 1]
    by_class = {line["value"]: line for line in lines["by_size_class"]}
    assert list(by_class) == ["mikro", "kecil", "menengah", "besar"]
    assert [by_class["mikro"][s] for s in STEPS] == [6, 5, 3, 2, 2, 0]
    assert [by_class["besar"][s] for s in STEPS] == [0] * 6


def test_the_funnel_takes_a_few_grouped_queries_whatever_the_number_of_vendors(
    world, medan, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        onboarding.funnel(medan)
    with django_assert_max_num_queries(3):
        onboarding.trend(medan)


def test_shares_of_the_registry_and_of_the_step_before():
    rows = onboarding.shares({"registry": 200, "invited": 100, "claimed": 50, "verified": 0, "listed": 0, "sold": 0})
    assert [(r["step"], r["of_registry"], r["of_previous"]) for r in rows] == [
        ("registry", 1.0, None),
        ("invited", 0.5, 0.5),
        ("claimed", 0.25, 0.5),
        ("verified", 0.0, 0.0),
        ("listed", 0.0, None),  # nothing to divide by
        ("sold", 0.0, None),
    ]
    assert all(r["of_registry"] is None for r in onboarding.shares(dict.fromkeys(STEPS, 0)))


def test_the_weekly_trend_counts_the_last_12_iso_weeks(world, medan):
    weeks = onboarding.trend(medan)
    assert len(weeks) == 12
    today = timezone.localdate()
    year, number, _ = today.isocalendar()
    assert weeks[-1]["week"] == f"{year}-W{number:02d}"
    assert weeks[-1]["monday"] == today - timedelta(days=today.weekday())
    # The registry only: the self-registered vendor's listing and sale are not in it.
    this_week = weeks[-1]
    assert [this_week[k] for k in onboarding.TREND_KEYS] == [5, 4, 3, 1]  # invited, claimed, listing, sale
    assert weeks[-4]["claimed"] == 1  # claimed three weeks ago
    assert sum(w["invited"] for w in weeks) == 5  # the invitation 20 weeks ago is older than the trend


def test_a_week_runs_monday_to_sunday_in_the_city_s_time(medan):
    wib = timezone.get_fixed_timezone(7 * 60)
    sunday_night = datetime(2026, 11, 29, 23, 30, tzinfo=wib)  # Sunday of ISO week 48, WIB
    monday_morning = datetime(2026, 11, 30, 0, 30, tzinfo=wib)  # already week 49 (still Sunday in UTC)
    f.make_vendor(medan, source=REGISTRY, invited_at=sunday_night)
    f.make_vendor(medan, source=REGISTRY, invited_at=monday_morning)
    weeks = {w["week"]: w["invited"] for w in onboarding.trend(medan, today=date(2026, 12, 2))}
    assert (weeks["2026-W48"], weeks["2026-W49"]) == (1, 1)


# --- The API ---------------------------------------------------------------------------------------


def test_the_api_wants_a_sign_in(client, db):
    response = client.get("/api/v1/stats/onboarding")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


@pytest.mark.parametrize("role", [r for r in f.ALL_ROLES if r not in ("catalogue_manager", "auditor", "admin")])
def test_other_roles_are_refused(client, users, role):
    response = client.get("/api/v1/stats/onboarding", **bearer(token_for(client, users[role].username)))
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


@pytest.mark.parametrize("role", ["catalogue_manager", "auditor", "admin"])
def test_the_api_returns_the_tenant_s_funnel(client, world, users, role):
    response = client.get("/api/v1/stats/onboarding", **bearer(token_for(client, users[role].username)))
    assert response.status_code == 200
    body = response.json()
    assert {s: body[s] for s in STEPS} == EXPECTED
    assert all(type(body[s]) is int for s in STEPS)
    assert body["outside_registry"] == {"registered": 2, "claimed": 1, "verified": 1, "listed": 1, "sold": 1}
    for key in ("by_kecamatan", "by_sector", "by_size_class"):
        assert all({"value", "label", *STEPS} <= set(line) for line in body[key])
        _sums_equal_totals(body, key, EXPECTED)
    assert [line["value"] for line in body["by_size_class"]] == ["mikro", "kecil", "menengah", "besar"]
    assert "12.75.01" not in {line["value"] for line in body["by_kecamatan"]}


def test_another_tenant_reads_only_its_own(client, world, binjai):
    manager = f.make_user(binjai, "catalogue_manager")
    body = client.get("/api/v1/stats/onboarding", **bearer(token_for(client, manager.username))).json()
    assert [body[s] for s in STEPS] == [1, 1, 1, 1, 0, 0]
    assert body["outside_registry"]["registered"] == 0


def test_the_page_session_reads_the_api_too(client_as, world, manager):
    response = client_as(manager).get("/api/v1/stats/onboarding")
    assert response.status_code == 200 and response.json()["sold"] == 1


# --- The page and its downloads ----------------------------------------------------------------------


def test_the_page_shows_the_funnel_its_lines_and_the_weeks(client_as, world, manager):
    page = client_as(manager).get("/dasbor/onboarding/").content.decode()
    for step, n in EXPECTED.items():
        assert f'data-testid="count-{step}" style="font-weight:700;font-variant-numeric:tabular-nums">{n}<' in page
    assert 'data-testid="outside-registered">2<' in page
    for table in ("table-kecamatan", "table-sector", "table-size_class", "weekly-table"):
        assert f'data-testid="{table}"' in page
    assert "onboarding-chart" in page and "insights/onboarding.js" in page
    # The formula-like sector is shown escaped by the template, as text.
    assert "=HYPERLINK(&quot;http://x.example&quot;" in page


@pytest.mark.parametrize("role", ["budget_owner", "penyedia", "pp"])
def test_the_page_and_downloads_are_for_the_pengelola_auditor_and_admin(client_as, users, role):
    client = client_as(users[role])
    assert client.get("/dasbor/onboarding/").status_code == 403
    assert client.get("/dasbor/onboarding/unduh/xlsx").status_code == 403


def test_the_xlsx_download_is_a_real_workbook_with_the_same_figures(client_as, world, users):
    response = client_as(users["auditor"]).get("/dasbor/onboarding/unduh/xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.worksheets) == 5
    funnel_sheet = list(book.worksheets[0].iter_rows(values_only=True))
    assert [row[1] for row in funnel_sheet[1:7]] == [EXPECTED[s] for s in STEPS]
    assert funnel_sheet[3][2] == pytest.approx(5 / 8) and funnel_sheet[3][3] == pytest.approx(5 / 7)
    sector_sheet = list(book.worksheets[2].iter_rows(values_only=True))
    values = [row[0] for row in sector_sheet[1:-1]]
    assert '\'=HYPERLINK("http://x.example","klik")' in values  # text, never a formula
    assert not any(isinstance(c, str) and c.startswith("=") for row in sector_sheet for c in row)
    assert list(sector_sheet[-1][2:]) == [EXPECTED[s] for s in STEPS]  # the total row
    for column, step in enumerate(STEPS, start=2):
        assert sum(row[column] for row in sector_sheet[1:-1]) == EXPECTED[step]
    weekly = list(book.worksheets[4].iter_rows(values_only=True))
    assert len(weekly) == 13 and weekly[-1][2:] == (5, 4, 3, 1)


def test_the_csv_downloads_add_up_and_escape_formulas(client_as, world, manager):
    response = client_as(manager).get("/dasbor/onboarding/unduh/funnel.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert len(header) == 9
    total = next(r for r in body if r[0] == "total")
    assert [int(n) for n in total[3:]] == [EXPECTED[s] for s in STEPS]
    for dimension in ("kecamatan", "sector", "size_class"):
        lines = [r for r in body if r[0] == dimension]
        assert lines
        for column in range(3, 9):
            assert sum(int(r[column]) for r in lines) == int(total[column]), (dimension, column)
    assert any(r[1].startswith("'=HYPERLINK") for r in body if r[0] == "sector")
    assert not any(cell.startswith(("=", "+", "@")) for r in body for cell in r)
    outside = next(r for r in body if r[0] == "outside_registry")
    assert outside[3:] == ["2", "", "1", "1", "1", "1"]
    weekly = client_as(manager).get("/dasbor/onboarding/unduh/weekly.csv")
    weeks = list(csv.reader(io.StringIO(weekly.content.decode("utf-8-sig"))))
    assert len(weeks) == 13 and weeks[-1][2:] == ["5", "4", "3", "1"]
    assert client_as(manager).get("/dasbor/onboarding/unduh/nothing.pdf").status_code == 404


def test_the_umkm_dashboard_never_calls_a_registry_record_a_verified_umkm(client_as, world, users):
    page = client_as(users["catalogue_manager"]).get("/dasbor/umkm/").content.decode()
    assert "verified UMKM and businesses" not in page
    assert 'data-testid="onboarding-verified">4<' in page and 'data-testid="onboarding-registry">8<' in page
    # A head of office reads the UMKM figures, not the onboarding of vendors.
    assert "onboarding-summary" not in client_as(users["budget_owner"]).get("/dasbor/umkm/").content.decode()
