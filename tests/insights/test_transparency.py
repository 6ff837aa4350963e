"""The public page /transparansi/ (no sign-in): spending by office, category and size class, the 40%
figure, the UMKM selling and the completed purchases; and nothing personal on it nor in the OCDS output."""

import json
import re
from decimal import Decimal

import pytest
from django.core.management import call_command

from katalog.accounts.models import Membership, Profile
from katalog.buying import services
from katalog.buying.models import BudgetLine, Order, OrderStatus
from katalog.insights import ocds, transparency
from tests import factories as f
from tests.buying.conftest import listed_product
from tests.buying.test_transitions import order_in

S = OrderStatus

# What the test data holds about people (and a micro business's home): none of it may be published.
OWNER = {"owner_name": "Siti Aminah Lubis", "phone": "082112345678", "email": "siti.aminah@example.id"}
HOME = "Jl. Melati No. 7 RT 02 RW 05"
NIK = "3271046504870002"  # given as the NPWP by a business with none (a person's 16-digit NPWP is the NIK)
BANK_ACCOUNT = "7771234567"
NIP = "198001012006041001"
USER_PHONE = "+6281298765432"


@pytest.fixture
def market(medan, office, users, shop):
    """A micro vendor with a paid order, a submitted order and a cancelled one; a medium vendor (whose
    owner gave her NIK as the NPWP) with a completed order."""
    for user in users.values():
        user.first_name, user.last_name = "Rahmat", f"Pegawai{user.pk}"
        user.save()
    Profile.objects.update_or_create(user=users["penyedia"], defaults={"phone": USER_PHONE})
    Membership.objects.filter(user=users["ppk"]).update(nip=NIP, position="Kepala Bidang")
    shop["vendor"].bank_account_number = BANK_ACCOUNT
    shop["vendor"].bank_account_name = "Butet Siregar"
    shop["vendor"].save()

    owner = f.make_user(medan, "penyedia", username="siti-aminah")
    owner.first_name, owner.last_name = "Siti", "Aminah Lubis"
    owner.save()
    vendor2 = f.make_vendor(
        medan, users=[owner], size_class="menengah", npwp=NIK, address=HOME, name="CV Meubel Deli", **OWNER
    )
    line2 = BudgetLine.objects.create(
        katalog=medan,
        office=office,
        kode_rup="RUP-2026-002",
        name="Meubelair",
        fiscal_year=2026,
        ceiling=Decimal("10000000"),
    )
    shop2 = {
        "vendor": vendor2,
        "product": listed_product(medan, vendor2, name="Meja Belajar", price="300000"),
        "line": line2,
    }
    users2 = {**users, "penyedia": owner}
    made = {
        "paid": order_in(S.PAID, users, shop),
        "submitted": order_in(S.AWAITING_APPROVAL, users, shop),
        "completed": order_in(S.COMPLETED, users2, shop2),
    }
    cancelled = order_in(S.AWAITING_APPROVAL, users, shop)
    services.order_cancel(actor=f.actor(users["pp"]), order=cancelled, reason="Salah pilih barang")
    made["cancelled"] = cancelled
    return {"orders": made, "vendor2": vendor2, "owner": owner, "users": users, "vendor": shop["vendor"]}


def test_the_figures_add_up_from_the_orders(market, medan):
    figures = transparency.figures(medan)
    # Committed: submitted and not cancelled (2 × Rp500.000 micro, Rp600.000 medium); the cancelled one is out.
    assert figures["total"] == 1_600_000 and figures["count"] == 3
    assert figures["umk_total"] == 1_000_000 and figures["umk_share"] == pytest.approx(0.625)
    assert figures["meets_target"] is True
    assert figures["by_office"] == [{"code": "1.01.01", "name": "Dinas Pendidikan", "total": 1_600_000, "count": 3}]
    sizes = {s["size_class"]: (s["total"], s["count"]) for s in figures["by_size_class"]}
    assert sizes == {"mikro": (1_000_000, 2), "kecil": (0, 0), "menengah": (600_000, 1), "besar": (0, 0)}
    assert sum(c["total"] for c in figures["by_category"]) == figures["total"]
    assert figures["umkm_selling"] == 2


def test_a_visitor_reads_the_page_without_signing_in(client, market):
    response = client.get("/transparansi/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Belanja melalui katalog" in page  # Indonesian by default
    assert re.search(r'data-testid="total"[^>]*>Rp1\.600\.000<', page)
    assert re.search(r'data-testid="umkm-selling"[^>]*>2<', page)
    assert "62,5%" in page
    # The completed purchases: the paid and the completed order, with office, vendor, items and amounts.
    rows = re.search(r'data-testid="purchases"[^>]*>(.*?)</table>', page, re.S).group(1)
    assert rows.count("<tr>") == 3  # the header and two purchases
    assert "CV Meubel Deli" in rows and "Meja Belajar: 2 potong" in rows and "Rp600.000" in rows
    assert market["vendor"].name in rows and "Dinas Pendidikan" in rows
    # No inline script or handler (CSP), and a page made for a phone's width.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) and not re.search(r"\son[a-z]+=", page)
    assert 'name="viewport" content="width=device-width' in page and 'class="table-wrap"' in page
    # Every page links to it (the footer).
    assert 'href="/transparansi/"' in client.get("/").content.decode()


def test_the_purchases_are_paginated(client, market, monkeypatch):
    monkeypatch.setattr(transparency, "PAGE_SIZE", 1)
    first = client.get("/transparansi/").content.decode()
    second = client.get("/transparansi/?halaman=2").content.decode()
    assert 'rel="next"' in first and 'rel="prev"' in second
    # Newest payment first: the completed order was paid last.
    assert "CV Meubel Deli" in re.search(r'data-testid="purchases"[^>]*>(.*?)</table>', first, re.S).group(1)
    assert market["vendor"].name in re.search(r'data-testid="purchases"[^>]*>(.*?)</table>', second, re.S).group(1)
    assert client.get("/transparansi/?halaman=abc").status_code == 200


def personal_values(market) -> list[str]:
    users = list(market["users"].values()) + [market["owner"]]
    values = [OWNER["owner_name"], OWNER["phone"], OWNER["email"], HOME, NIK, BANK_ACCOUNT, NIP, USER_PHONE]
    values += ["Butet Siregar", "Jl. Uji No. 1", "081234567890", market["vendor"].email, "Kantor Dinas Pendidikan"]
    for user in users:
        values += [user.username, user.email, user.get_full_name()]
    assert all(values)
    return values


def test_nothing_personal_on_the_page_nor_in_the_open_data(client, market, medan, tmp_path):
    outputs = {"page": client.get("/transparansi/").content.decode()}
    package = client.get("/api/v1/ocds/releases").json()
    assert ocds.validator().is_valid(package)
    outputs["releases"] = json.dumps(package, ensure_ascii=False)
    for order in Order.objects.filter(katalog=medan):
        response = client.get(f"/api/v1/ocds/records/{ocds.ocid_for(order)}")
        if response.status_code == 200:
            outputs[f"record {order.pk}"] = response.content.decode()
    out = tmp_path / "ocds.json"
    call_command("export_ocds", "--out", str(out))
    outputs["export"] = out.read_text(encoding="utf-8")
    # The published things are there (vendor names and amounts are public)...
    assert "CV Meubel Deli" in outputs["releases"] and "CV Meubel Deli" in outputs["page"]
    # ...and no personal value is, in any of them (compared without case, and digits without separators).
    for name, text in outputs.items():
        lowered, digits = text.lower(), re.sub(r"[\s.\-]", "", text)
        for value in personal_values(market):
            assert value.lower() not in lowered, (name, value)
            if value.lstrip("+").isdigit():  # 0821…, +62821…, 0821-… are the same number
                assert value[-9:] not in digits, (name, value)
    # No document file (SP, BAST, invoice PDFs) is linked either.
    assert not any("/media/" in text or ".pdf" in text for text in outputs.values())
