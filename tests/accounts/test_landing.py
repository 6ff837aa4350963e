"""The landing page: each role starts from what waits for it, with counts and links, and only in
the office where the role is held."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from katalog.accounts.models import Membership
from katalog.buying.models import BudgetLine, Invoice, Offer, OfferSide, Order, OrderStatus
from katalog.buying.worklist import worklist_for
from katalog.catalogue.models import ProductFlag, ProductStatus
from katalog.core.permissions import Role
from katalog.vendors.models import VendorStatus
from tests import factories as f

S = OrderStatus


# --- Helpers -------------------------------------------------------------------------------------


def budget_line(office, *, ceiling="100000000", committed="0", code=None):
    return BudgetLine.objects.create(
        katalog=office.katalog,
        office=office,
        kode_rup=code or f"RUP-{office.code}-{BudgetLine.objects.count() + 1}",
        name=f"Belanja ATK {office.name}",
        fiscal_year=timezone.localdate().year,
        account_code="5.1.02.01.01.0024",
        ceiling=Decimal(ceiling),
        committed=Decimal(committed),
    )


def order(office, vendor, status, *, by, sent=True, line=None, **fields):
    """An order in a given state, written directly: the landing page only reads."""
    line = line or BudgetLine.objects.filter(office=office).first() or budget_line(office)
    return Order.objects.create(
        katalog=office.katalog,
        office=office,
        vendor=vendor,
        budget_line=line,
        status=status,
        created_by=by,
        total=Decimal("1000000"),
        sent_to_vendor_at=timezone.now() if sent else None,
        **fields,
    )


def offer(order_, side, by, *, ago=timedelta(0)):
    made = Offer.objects.create(order=order_, side=side, made_by=by, lines=[])
    Offer.objects.filter(pk=made.pk).update(created_at=timezone.now() - ago)
    return made


def invoice(order_, *, days_ago=0, total="1110000"):
    inv = Invoice.objects.create(
        order=order_, number=f"INV/{order_.pk}", subtotal=Decimal("1000000"), total=Decimal(total)
    )
    Invoice.objects.filter(pk=inv.pk).update(issued_at=timezone.now() - timedelta(days=days_ago))
    return inv


def section(html: str, testid: str) -> str:
    """The HTML of one role's section (`work-pp-1.01.01`) or of one queue (`queue-drafts`)."""
    start = html.find(f'data-testid="{testid}"')
    assert start != -1, f"{testid} is not on the page"
    end_markers = ["</section>"] if testid.startswith("work-") else ['data-testid="queue-', "</section>"]
    ends = [html.find(m, start + len(testid) + 14) for m in end_markers]
    ends = [e for e in ends if e != -1]
    return html[start : min(ends) if ends else len(html)]


def count_of(html: str) -> int:
    return int(re.search(r'data-testid="count">(\d+)<', html).group(1))


def links_of(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


def landing(client, user) -> str:
    client.force_login(user)
    response = client.get("/akun/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def vendor(medan, users):
    return f.make_vendor(medan, users=[users["penyedia"]], name="Konveksi Deli Serasi")


@pytest.fixture
def other_vendor(medan):
    return f.make_vendor(medan, name="Toko ATK Sinar")


@pytest.fixture
def office_b(medan):
    return f.make_office(medan, "1.02.01", "Dinas Kesehatan")


# --- Buyers --------------------------------------------------------------------------------------


def test_the_pp_sees_drafts_to_submit_and_offers_to_answer(client, users, office, office_b, vendor):
    pp = users["pp"]
    drafts = [order(office, vendor, S.DRAFT, by=pp, sent=False) for _ in range(2)]
    order(office_b, vendor, S.DRAFT, by=pp, sent=False)  # another office's draft
    order(office, vendor, S.AWAITING_APPROVAL, by=pp)
    answered = order(office, vendor, S.NEGOTIATING, by=pp)
    offer(answered, OfferSide.BUYER, pp, ago=timedelta(days=2))
    offer(answered, OfferSide.VENDOR, users["penyedia"], ago=timedelta(days=1))
    waiting_vendor = order(office, vendor, S.NEGOTIATING, by=pp)
    offer(waiting_vendor, OfferSide.BUYER, pp)

    html = section(landing(client, pp), f"work-pp-{office.code}")

    queue = section(html, "queue-drafts")
    assert count_of(queue) == 2
    assert {f"/belanja/pesanan/{o.pk}/" for o in drafts} <= set(links_of(queue))
    assert "/belanja/pesanan/?status=draft" in links_of(queue)
    queue = section(html, "queue-offers")
    assert count_of(queue) == 1
    assert f"/belanja/pesanan/{answered.pk}/" in links_of(queue)
    assert f"/belanja/pesanan/{waiting_vendor.pk}/" not in links_of(queue)


def test_the_ppk_sees_approvals_receipts_and_ratings(client, users, office, vendor, medan):
    ppk, pp = users["ppk"], users["pp"]
    mine = order(office, vendor, S.AWAITING_APPROVAL, by=pp, submitted_at=timezone.now())
    other_ppk = f.make_user(medan, "ppk", office=office)
    order(office, vendor, S.AWAITING_APPROVAL, by=pp, approver=other_ppk)  # assigned to someone else
    delivered = order(office, vendor, S.DELIVERED, by=pp)
    paid = order(office, vendor, S.PAID, by=pp, paid_at=timezone.now())
    order(office, vendor, S.COMPLETED, by=pp)

    html = section(landing(client, ppk), f"work-ppk-{office.code}")

    assert count_of(section(html, "queue-approvals")) == 1
    assert f"/belanja/pesanan/{mine.pk}/" in links_of(section(html, "queue-approvals"))
    assert count_of(section(html, "queue-receipts")) == 1
    assert f"/belanja/pesanan/{delivered.pk}/" in links_of(section(html, "queue-receipts"))
    assert count_of(section(html, "queue-ratings")) == 1
    assert f"/belanja/pesanan/{paid.pk}/" in links_of(section(html, "queue-ratings"))
    assert "/belanja/pesanan/?status=awaiting_approval" in links_of(section(html, "queue-approvals"))


def test_the_treasurer_sees_invoices_to_pay_with_the_days_waited(client, users, office, vendor):
    pp = users["pp"]
    unpaid = order(office, vendor, S.INVOICED, by=pp)
    invoice(unpaid, days_ago=5)
    order(office, vendor, S.PAID, by=pp)

    html = section(landing(client, users["treasurer"]), f"work-treasurer-{office.code}")

    queue = section(html, "queue-invoices")
    assert count_of(queue) == 1
    assert f"/belanja/pesanan/{unpaid.pk}/" in links_of(queue)
    assert "Rp1.110.000" in queue  # the invoice's total
    work = worklist_for(f.actor(users["treasurer"]))[0]
    assert work.queues["invoices"].rows[0].waited_days == 5


def test_the_budget_owner_sees_open_orders_and_budget_lines(client, users, office, vendor):
    pp = users["pp"]
    line = budget_line(office, ceiling="150000000", committed="40000000", code="26001001")
    order(office, vendor, S.IN_PROGRESS, by=pp, line=line)
    order(office, vendor, S.AWAITING_APPROVAL, by=pp, line=line)
    order(office, vendor, S.DRAFT, by=pp, line=line, sent=False)
    order(office, vendor, S.CANCELLED, by=pp, line=line)

    html = section(landing(client, users["budget_owner"]), f"work-budget_owner-{office.code}")

    assert count_of(section(html, "queue-open_orders")) == 2
    lines = section(html, "queue-budget_lines")
    assert count_of(lines) == 1
    assert "Rp150.000.000" in lines and "Rp40.000.000" in lines and "Rp110.000.000" in lines
    assert "/belanja/anggaran/" in links_of(lines)


# --- Vendor --------------------------------------------------------------------------------------


def test_the_vendor_sees_its_own_work_and_never_another_vendors_or_an_unsent_order(
    client, users, office, vendor, other_vendor
):
    pp, owner = users["pp"], users["penyedia"]
    offered = order(office, vendor, S.NEGOTIATING, by=pp)
    offer(offered, OfferSide.BUYER, pp)
    to_confirm = order(office, vendor, S.AWAITING_CONFIRMATION, by=pp)
    due = order(office, vendor, S.IN_PROGRESS, by=pp, delivery_deadline=timezone.localdate() + timedelta(days=3))
    unpaid = order(office, vendor, S.INVOICED, by=pp)
    invoice(unpaid, days_ago=2)
    # Another vendor's orders, and orders never sent to this vendor.
    for status in (S.NEGOTIATING, S.AWAITING_CONFIRMATION, S.IN_PROGRESS, S.INVOICED):
        order(office, other_vendor, status, by=pp)
    hidden = order(office, vendor, S.AWAITING_CONFIRMATION, by=pp, sent=False)
    hidden_offer = order(office, vendor, S.NEGOTIATING, by=pp, sent=False)
    offer(hidden_offer, OfferSide.BUYER, pp)
    category = f.make_category(vendor.katalog)
    waiting = f.make_product(vendor, category, name="Kemeja PDH", listed=False, submitted=True)
    to_fix = f.make_product(vendor, category, name="Setelan PDL", listed=False, submitted=True)
    type(to_fix).objects.filter(pk=to_fix.pk).update(
        status=ProductStatus.REVISION_REQUESTED, status_reason="Tambahkan foto."
    )
    f.make_product(other_vendor, category, name="Kertas HVS", listed=False, submitted=True)

    page = landing(client, owner)
    html = section(page, "work-penyedia")

    for key, expected in (("offers", offered), ("confirmations", to_confirm), ("deliveries", due), ("unpaid", unpaid)):
        queue = section(html, f"queue-{key}")
        assert count_of(queue) == 1, key
        assert f"/belanja/pesanan/{expected.pk}/" in links_of(queue), key
    assert timezone.localdate().year and (due.delivery_deadline.strftime("%Y") in section(html, "queue-deliveries"))
    assert count_of(section(html, "queue-products_waiting")) == 1
    assert f"/penyedia/produk/{waiting.pk}/" in links_of(section(html, "queue-products_waiting"))
    fix = section(html, "queue-products_revision")
    assert count_of(fix) == 1 and "Tambahkan foto." in fix
    assert f"/penyedia/produk/{to_fix.pk}/" in links_of(fix)
    for o in Order.objects.filter(vendor=other_vendor):
        assert f"/belanja/pesanan/{o.pk}/" not in page
    for o in (hidden, hidden_offer):
        assert f"/belanja/pesanan/{o.pk}/" not in page


def test_a_vendor_whose_business_is_not_verified_goes_to_its_registration(client, medan):
    owner = f.make_user(medan, "penyedia")
    f.make_vendor(medan, status=VendorStatus.DRAFT, users=[owner])
    client.force_login(owner)
    response = client.get("/akun/")
    assert response.status_code == 302 and response["Location"] == "/penyedia/usaha-saya/"


# --- Dinas and auditor ---------------------------------------------------------------------------


def test_the_pengelola_sees_both_queues_with_their_waiting_time_and_the_flags(client, users, medan, vendor):
    applicant = f.make_vendor(medan, status=VendorStatus.SUBMITTED, name="Tenun Songket Ibu Rosma")
    type(applicant).objects.filter(pk=applicant.pk).update(submitted_at=timezone.now() - timedelta(days=4))
    product = f.make_product(vendor, name="Seragam SD", listed=False, submitted=True)
    type(product).objects.filter(pk=product.pk).update(submitted_at=timezone.now() - timedelta(days=2))
    flagged = f.make_product(vendor, name="Kursi rotan")
    ProductFlag.objects.create(
        katalog=medan,
        product=flagged,
        version=flagged.listed_version,
        kind="price_jump",
        detail={"from": "100000", "to": "150000", "percent": "50.0"},
    )

    html = section(landing(client, users["catalogue_manager"]), "work-catalogue_manager")

    vendors = section(html, "queue-vendor_queue")
    assert count_of(vendors) == 1
    assert f"/penyedia/kelola/{applicant.pk}/" in links_of(vendors)
    assert "/penyedia/kelola/verifikasi/" in links_of(vendors)
    products = section(html, "queue-product_queue")
    assert count_of(products) == 1
    assert f"/kelola/produk/{product.pk}/" in links_of(products) and "/kelola/produk/kurasi/" in links_of(products)
    flags = section(html, "queue-flags")
    assert count_of(flags) == 1 and f"/kelola/produk/{flagged.pk}/" in links_of(flags)
    queues = worklist_for(f.actor(users["catalogue_manager"]))[0].queues
    assert (queues["vendor_queue"].oldest_days, queues["product_queue"].oldest_days) == (4, 2)


def test_the_auditor_gets_the_audit_log_and_the_red_flags(client, users, medan, vendor):
    flagged = f.make_product(vendor, name="Kursi rotan")
    ProductFlag.objects.create(
        katalog=medan,
        product=flagged,
        version=flagged.listed_version,
        kind="price_jump",
        detail={"from": "100000", "to": "150000", "percent": "50.0"},
    )

    html = section(landing(client, users["auditor"]), "work-auditor")

    assert "/dasbor/audit/" in links_of(html)
    assert count_of(section(html, "queue-flags")) == 1
    assert count_of(section(html, "queue-unpaid_overdue")) == 0


# --- Several roles, several offices --------------------------------------------------------------


def test_a_pp_of_office_a_and_ppk_of_office_b_sees_each_role_only_in_its_office(
    client, medan, office, office_b, vendor, users
):
    # Given a user who is PP in A (Dinas Pendidikan) and PPK in B (Dinas Kesehatan)
    user = f.make_user(medan, Role.PP, office=office)
    Membership.objects.create(user=user, katalog=medan, role=Role.PPK, office=office_b)
    buyer = users["pp"]
    draft_a = order(office, vendor, S.DRAFT, by=buyer, sent=False)
    draft_b = order(office_b, vendor, S.DRAFT, by=buyer, sent=False)
    approval_a = order(office, vendor, S.AWAITING_APPROVAL, by=buyer)
    approval_b = order(office_b, vendor, S.AWAITING_APPROVAL, by=buyer)

    page = landing(client, user)

    as_pp = section(page, f"work-pp-{office.code}")
    assert count_of(section(as_pp, "queue-drafts")) == 1
    assert f"/belanja/pesanan/{draft_a.pk}/" in links_of(as_pp)
    assert f"/belanja/pesanan/{draft_b.pk}/" not in links_of(as_pp)
    as_ppk = section(page, f"work-ppk-{office_b.code}")
    assert count_of(section(as_ppk, "queue-approvals")) == 1
    assert f"/belanja/pesanan/{approval_b.pk}/" in links_of(as_ppk)
    assert f"/belanja/pesanan/{approval_a.pk}/" not in links_of(as_ppk)
    assert f'data-testid="work-pp-{office_b.code}"' not in page
    assert f'data-testid="work-ppk-{office.code}"' not in page


def test_a_user_with_every_role_sees_each_section_in_few_queries(
    client, medan, office, vendor, users, django_assert_max_num_queries
):
    user = users["pp"]
    for role in (Role.PPK, Role.TREASURER, Role.BUDGET_OWNER):
        Membership.objects.create(user=user, katalog=medan, role=role, office=office)
    for role in (Role.CATALOGUE_MANAGER, Role.AUDITOR, Role.ADMIN):
        Membership.objects.create(user=user, katalog=medan, role=role)
    Membership.objects.create(user=user, katalog=medan, role=Role.VENDOR)
    vendor.users.add(user)
    for _ in range(15):
        order(office, vendor, S.DRAFT, by=user, sent=False)

    client.force_login(user)
    # Session, user, actor, memberships, the vendor, then one query per queue (18 queues).
    with django_assert_max_num_queries(30):
        response = client.get("/akun/")
    page = response.content.decode()

    for testid in (
        "work-penyedia",
        f"work-pp-{office.code}",
        f"work-ppk-{office.code}",
        f"work-treasurer-{office.code}",
        f"work-budget_owner-{office.code}",
        "work-catalogue_manager",
        "work-auditor",
        "work-admin",
    ):
        assert f'data-testid="{testid}"' in page, testid
    drafts = section(section(page, f"work-pp-{office.code}"), "queue-drafts")
    assert count_of(drafts) == 15
    assert len([h for h in links_of(drafts) if re.fullmatch(r"/belanja/pesanan/\d+/", h)]) == 10  # at most 10 rows


def test_no_landing_page_promises_a_later_version(client, users):
    for role in ("pp", "ppk", "treasurer", "budget_owner", "penyedia", "catalogue_manager", "auditor", "admin"):
        page = landing(client, users[role]).lower()
        for promise in ("coming release", "later version", "versi berikut"):
            assert promise not in page, (role, promise)


def test_a_user_without_a_role_is_told_whom_to_ask(client, medan):
    from django.contrib.auth.models import User

    user = User.objects.create_user(username="tamu", password=f.PASSWORD)
    page = landing(client, user)
    assert "administrator" in page.lower() or "administrator" in page


def test_every_link_on_every_landing_page_opens(client, users, office, vendor, medan):
    """The lists' links and the "see all" links open for the role that sees them (orders' own
    pages are left to tests/buying: these orders have no items)."""
    pp = users["pp"]
    for status in (S.DRAFT, S.NEGOTIATING, S.AWAITING_APPROVAL, S.AWAITING_CONFIRMATION, S.IN_PROGRESS, S.INVOICED):
        order(office, vendor, status, by=pp)
    f.make_vendor(medan, status=VendorStatus.SUBMITTED, submitted_at=timezone.now())
    f.make_product(vendor, listed=False, submitted=True)
    for role in ("pp", "ppk", "treasurer", "budget_owner", "penyedia", "catalogue_manager", "auditor", "admin"):
        page = landing(client, users[role])
        main = page[page.index("<main") :]
        links = {h for h in links_of(main) if h.startswith("/") and not re.fullmatch(r"/belanja/pesanan/\d+/", h)}
        assert links, role
        for href in sorted(links):
            if href.startswith("/django-admin/"):
                continue
            assert client.get(href).status_code == 200, (role, href)
