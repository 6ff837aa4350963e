"""The whole purchase over the API, step by step, each by the party allowed to."""

import io
from decimal import Decimal

from pypdf import PdfReader

from katalog.buying import documents
from katalog.buying.models import BudgetLine, Order, OrderDocument
from katalog.catalogue.models import Product
from tests.accounts.test_api import bearer, token_for


def post(client, token, url, body=None):
    return client.post(url, body or {}, content_type="application/json", **bearer(token))


def stock_of(product) -> tuple[int, int, int]:
    """(on hand, reserved, available)."""
    p = Product.objects.get(pk=product.pk)
    return p.stock, p.reserved, p.available


def pdf_text(document: OrderDocument) -> str:
    reader = PdfReader(io.BytesIO(documents.pdf_bytes(document)))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_a_pp_buys_from_a_umkm_from_budget_line_to_rating(client, users, shop, django_capture_on_commit_callbacks):
    pp, ppk, vendor, treasurer = (token_for(client, users[r].username) for r in ("pp", "ppk", "penyedia", "treasurer"))
    lines = client.get("/api/v1/budget-lines", **bearer(pp)).json()
    assert lines == [
        {
            "kode_rup": "RUP-2026-001",
            "name": "Pakaian dinas",
            "office": "1.01.01",
            "fiscal_year": 2026,
            "funding_source": "APBD",
            "pagu": "10000000.00",
            "committed": "0.00",
            "remaining": "10000000.00",
        }
    ]
    body = {
        "budget_line": "RUP-2026-001",
        "items": [{"product": shop["product"].pk, "quantity": 10}],
        "delivery_addresses": ["Kantor Dinas Pendidikan, Jl. Pendidikan 1", "SD Negeri 060800, Medan Kota"],
    }
    response = post(client, pp, "/api/v1/orders", body)
    assert response.status_code == 201, response.content
    order = response.json()
    item = order["items"][0]["id"]
    assert (order["status"], order["total"]) == ("draft", "2500000.00")
    # The vendor does not see the draft until the buyer sends it (here, with an offer).
    assert client.get(f"/api/v1/orders/{order['id']}", **bearer(vendor)).status_code == 404
    # Negotiation: the PP proposes 220.000, the vendor counters 235.000 with shipping, the PP accepts.
    with django_capture_on_commit_callbacks(execute=True):
        r = post(
            client,
            pp,
            f"/api/v1/orders/{order['id']}/propose",
            {"lines": [{"item": item, "unit_price": "220000", "quantity": 10, "shipping_cost": "0"}]},
        )
        assert r.json()["status"] == "negotiating"
        too_high = post(
            client,
            vendor,
            f"/api/v1/orders/{order['id']}/counter",
            {"lines": [{"item": item, "unit_price": "260000", "quantity": 10, "shipping_cost": "0"}]},
        )
        assert (too_high.status_code, too_high.json()["code"]) == (422, "above_listed_price")
        post(
            client,
            vendor,
            f"/api/v1/orders/{order['id']}/counter",
            {"lines": [{"item": item, "unit_price": "235000", "quantity": 10, "shipping_cost": "50000"}]},
        )
        r = post(client, pp, f"/api/v1/orders/{order['id']}/accept")
    assert (r.json()["status"], r.json()["total"]) == ("draft", "2400000.00")
    # Submission reserves budget and stock; the PPK approves: Surat Pesanan.
    r = post(client, pp, f"/api/v1/orders/{order['id']}/submit")
    assert r.json()["status"] == "awaiting_approval"
    assert BudgetLine.objects.get().committed == Decimal("2400000")
    assert stock_of(shop["product"]) == (100, 10, 90)  # reserved, still on hand
    assert post(client, pp, f"/api/v1/orders/{order['id']}/approve").status_code == 403
    r = post(client, ppk, f"/api/v1/orders/{order['id']}/approve")
    assert r.json()["status"] == "awaiting_confirmation"
    sp = OrderDocument.objects.get(kind="sp")
    assert sp.number == f"SP/0001/1.01.01/{sp.year}"
    text = pdf_text(sp)
    assert "SURAT PESANAN" in text and sp.number in text and "dua juta empat ratus ribu rupiah" in text
    # The vendor confirms and delivers in two parts to two addresses.
    assert post(client, vendor, f"/api/v1/orders/{order['id']}/confirm").json()["status"] == "in_progress"
    addresses = [a["id"] for a in r.json()["addresses"]]
    r = post(client, vendor, f"/api/v1/orders/{order['id']}/deliver", {"address": addresses[0], "lines": {item: 4}})
    assert r.json()["status"] == "in_progress"
    over = post(client, vendor, f"/api/v1/orders/{order['id']}/deliver", {"address": addresses[1], "lines": {item: 7}})
    assert (over.status_code, over.json()["code"]) == (422, "over_delivery")
    r = post(client, vendor, f"/api/v1/orders/{order['id']}/deliver", {"address": addresses[1], "lines": {item: 6}})
    assert r.json()["status"] == "delivered"
    assert stock_of(shop["product"]) == (90, 0, 90)  # delivered: off on hand and off reserved
    # The PPK checks receipt and signs the BAST (`on_time` is accepted and ignored: lateness is
    # computed from the delivery dates); the vendor invoices (not a PKP: no PPN); the treasurer pays.
    r = post(
        client,
        ppk,
        f"/api/v1/orders/{order['id']}/receive",
        {"quantity_ok": True, "condition_ok": True, "on_time": False},
    )
    assert r.json()["status"] == "received"
    assert {k: r.json()["receipt"][k] for k in ("on_time", "late_days", "penalty")} == {
        "on_time": True,
        "late_days": 0,
        "penalty": "0.00",
    }
    bast = OrderDocument.objects.get(kind="bast")
    assert "BERITA ACARA SERAH TERIMA" in pdf_text(bast) and bast.number.startswith("BAST/0001/")
    assert post(client, vendor, f"/api/v1/orders/{order['id']}/invoice").json()["status"] == "invoiced"
    o = Order.objects.get(pk=order["id"])
    assert (o.invoice.vat, o.invoice.total) == (Decimal("0"), Decimal("2400000"))
    r = post(client, treasurer, f"/api/v1/orders/{order['id']}/pay", {"method": "ls", "reference": "SP2D-0042"})
    assert r.json()["status"] == "paid"
    # Booked as the treasurer books it: above Rp2.000.000, PPh 22 of 1.5% of the DPP is withheld.
    [payment] = r.json()["payments"]
    assert {k: payment[k] for k in ("gross", "vat_collected", "income_tax_kind", "income_tax", "penalty", "net")} == {
        "gross": "2400000.00",
        "vat_collected": "0.00",
        "income_tax_kind": "pph22",
        "income_tax": "36000.00",
        "penalty": "0.00",
        "net": "2364000.00",
    }
    r = post(
        client,
        ppk,
        f"/api/v1/orders/{order['id']}/rate",
        {"quality": 5, "timeliness": 4, "service": 5, "price": 4, "comment": "Rapi"},
    )
    assert r.json()["status"] == "completed"
    assert BudgetLine.objects.get().committed == Decimal("2400000")  # spent stays committed


def test_committing_more_than_remains_is_refused_with_the_figures(client, users, shop):
    BudgetLine.objects.filter(pk=shop["line"].pk).update(ceiling=Decimal("1000000"))
    pp = token_for(client, users["pp"].username)
    order = post(
        client,
        pp,
        "/api/v1/orders",
        {
            "budget_line": "RUP-2026-001",
            "items": [{"product": shop["product"].pk, "quantity": 5}],
            "delivery_address": "Kantor",
        },
    ).json()
    r = post(client, pp, f"/api/v1/orders/{order['id']}/submit")
    assert r.status_code == 409
    assert r.json()["code"] == "budget_exceeded"
    assert "Rp1.000.000" in r.json()["message"] and "Rp1.250.000" in r.json()["message"]
    assert Order.objects.get(pk=order["id"]).status == "draft"
    assert BudgetLine.objects.get().committed == 0
    assert stock_of(shop["product"]) == (100, 0, 100)


def test_cancelling_releases_stock_and_budget(client, users, shop):
    pp = token_for(client, users["pp"].username)
    order = post(
        client,
        pp,
        "/api/v1/orders",
        {
            "budget_line": "RUP-2026-001",
            "items": [{"product": shop["product"].pk, "quantity": 3}],
            "delivery_address": "Kantor",
        },
    ).json()
    post(client, pp, f"/api/v1/orders/{order['id']}/submit")
    assert BudgetLine.objects.get().committed == Decimal("750000")
    assert stock_of(shop["product"]) == (100, 3, 97)
    r = post(client, pp, f"/api/v1/orders/{order['id']}/cancel", {"reason": ""})
    assert (r.status_code, r.json()["code"]) == (422, "reason_required")
    r = post(client, pp, f"/api/v1/orders/{order['id']}/cancel", {"reason": "Salah pilih ukuran"})
    assert (r.json()["status"], r.json()["cancel_reason"]) == ("cancelled", "Salah pilih ukuran")
    assert BudgetLine.objects.get().committed == 0
    assert stock_of(shop["product"]) == (100, 0, 100)
