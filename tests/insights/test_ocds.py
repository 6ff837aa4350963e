"""Open data (OCDS 1.1): every order that reached its Surat Pesanan is published as releases of its own
ocid, tagged as its state changes; the packages validate offline against the official 1.1.5 schemas
copied into the project; paging, `since`, the compiled record and the export command."""

import json
from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from katalog.buying import services
from katalog.buying.models import Order, OrderStatus, Payment
from katalog.insights import ocds
from tests import factories as f
from tests.buying.test_transitions import order_in

S = OrderStatus
URL = "/api/v1/ocds/releases"


@pytest.fixture
def orders(users, shop):
    """Orders in several states: one before its Surat Pesanan (never published), one waiting for the
    vendor, one paid, one completed, one cancelled after its Surat Pesanan."""
    made = {
        "submitted": order_in(S.AWAITING_APPROVAL, users, shop),
        "sp": order_in(S.AWAITING_CONFIRMATION, users, shop),
        "paid": order_in(S.PAID, users, shop),
        "completed": order_in(S.COMPLETED, users, shop),
    }
    cancelled = order_in(S.AWAITING_CONFIRMATION, users, shop)
    services.order_cancel(actor=f.actor(users["ppk"]), order=cancelled, reason="Anggaran dialihkan")
    made["cancelled"] = Order.objects.get(pk=cancelled.pk)
    return made


def errors_of(document, which="release-package"):
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in ocds.validator(which).iter_errors(document)]


def by_ocid(package) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in package["releases"]:
        out.setdefault(r["ocid"], []).append(r)
    return out


def test_the_release_package_validates_and_follows_each_order(client, orders, shop, settings):
    settings.KATALOG_OCDS_PREFIX = "ocds-a1b2c3"
    response = client.get(URL)
    assert response.status_code == 200
    package = response.json()
    assert errors_of(package) == []
    assert package["version"] == "1.1"
    releases = by_ocid(package)
    ocid = {name: f"ocds-a1b2c3-12.71-{o.pk}" for name, o in orders.items()}
    # An order before its Surat Pesanan is nobody's contract yet.
    assert ocid["submitted"] not in releases
    tags = {name: [r["tag"] for r in releases[ocid[name]]] for name in ("sp", "paid", "completed", "cancelled")}
    assert tags["sp"] == [["award", "contract"]]
    assert tags["paid"] == [["award", "contract"], ["contractUpdate"], ["implementation"]]
    assert tags["completed"] == [["award", "contract"], ["contractUpdate"], ["implementation"], ["contractTermination"]]
    assert tags["cancelled"] == [["award", "contract"], ["awardCancellation", "contractTermination"]]

    sp_release = releases[ocid["sp"]][0]
    assert sp_release["id"] == f"{ocid['sp']}-sp"
    assert sp_release["awards"][0]["status"] == "active"
    assert sp_release["contracts"][0]["status"] == "pending"
    assert sp_release["tender"]["procurementMethod"] == "limited"
    assert sp_release["tender"]["procurementMethodDetails"] == "e-purchasing katalog elektronik lokal"
    assert sp_release["relatedProcesses"][0]["relationship"] == ["framework"]
    # Items with quantity, unit and unit value in IDR (numbers, not strings).
    item = sp_release["contracts"][0]["items"][0]
    assert item["quantity"] == 2
    assert item["unit"] == {"name": "potong", "value": {"amount": 250000, "currency": "IDR"}}
    assert sp_release["contracts"][0]["value"] == {"amount": 500000, "currency": "IDR"}
    # Buyer and supplier with roles, identifiers and the supplier's scale.
    parties = {p["id"]: p for p in sp_release["parties"]}
    buyer = parties[sp_release["buyer"]["id"]]
    assert buyer["name"] == "Dinas Pendidikan" and "buyer" in buyer["roles"]
    supplier = parties[sp_release["awards"][0]["suppliers"][0]["id"]]
    vendor = shop["vendor"]
    assert supplier["name"] == vendor.name and "supplier" in supplier["roles"]
    assert supplier["identifier"] == {"scheme": "ID-NIB", "id": vendor.nib, "legalName": vendor.name}
    assert supplier["additionalIdentifiers"] == [{"scheme": "ID-NPWP", "id": f.VALID_NPWP, "legalName": vendor.name}]
    assert supplier["details"] == {"scale": "micro"}
    # Dates are WIB-aware ISO 8601.
    assert all(r["date"].endswith("+07:00") for r in package["releases"])

    paid = releases[ocid["paid"]][-1]
    payment = Payment.objects.get(invoice__order=orders["paid"])
    assert paid["contracts"][0]["status"] == "active"
    assert paid["contracts"][0]["implementation"]["transactions"] == [
        {
            "id": f"payment-{payment.pk}",
            "date": ocds.when(payment.paid_on),
            "value": {"amount": int(payment.gross), "currency": "IDR"},
            "payer": {"id": buyer["id"], "name": buyer["name"]},
            "payee": {"id": supplier["id"], "name": supplier["name"]},
        }
    ]
    assert releases[ocid["completed"]][-1]["contracts"][0]["status"] == "terminated"
    cancelled = releases[ocid["cancelled"]][-1]
    assert cancelled["awards"][0]["status"] == "cancelled"
    assert cancelled["contracts"][0]["status"] == "cancelled"  # the vendor never confirmed: never in force
    # Release ids are unique, and stable from one request to the next.
    ids = [r["id"] for r in package["releases"]]
    assert len(ids) == len(set(ids))
    assert [r["id"] for r in client.get(URL).json()["releases"]] == ids


def test_a_vendor_of_another_size_is_another_scale_and_a_persons_npwp_is_not_published(users, shop, orders):
    vendor = shop["vendor"]
    vendor.size_class, vendor.npwp = "besar", "3271046504870002"  # a 16-digit NPWP of a person is their NIK
    vendor.save()
    order = Order.objects.get(pk=orders["sp"].pk)
    supplier = ocds.release(order, "sp", order.approved_at)["parties"][1]
    assert supplier["details"] == {"scale": "large"}
    assert "additionalIdentifiers" not in supplier and supplier["identifier"]["scheme"] == "ID-NIB"
    assert ocds.SCALE == {"mikro": "micro", "kecil": "sme", "menengah": "sme", "besar": "large"}


def test_paging_newest_last_with_links_next(client, orders, settings):
    settings.KATALOG_OCDS_PAGE_SIZE = 3
    seen, url, pages = [], URL, 0
    while url:
        package = client.get(url).json()
        assert errors_of(package) == []
        seen += package["releases"]
        url = package.get("links", {}).get("next")
        pages += 1
    assert pages == 4  # 10 releases: 1 + 3 + 4 + 2
    assert len(seen) == 10 and len({r["id"] for r in seen}) == 10
    dates = [datetime.fromisoformat(r["date"]) for r in seen]
    assert dates == sorted(dates)
    assert client.get(URL + "?page=4").json()["releases"][-1]["id"] == seen[-1]["id"]


def test_since_keeps_the_releases_dated_from_it(client, orders):
    long_ago = timezone.now() - timedelta(days=200)
    Order.objects.filter(pk=orders["sp"].pk).update(approved_at=long_ago)
    cut = (timezone.now() - timedelta(days=1)).isoformat()
    package = client.get(URL, {"since": cut}).json()
    assert errors_of(package) == []
    ids = {r["id"] for r in package["releases"]}
    assert not any(i.startswith(ocds.ocid_for(orders["sp"])) for i in ids)
    assert f"{ocds.ocid_for(orders['paid'])}-sp" in ids
    # A date-time without a zone is city time; the old release is there when `since` goes back far enough.
    old = client.get(URL, {"since": "2000-01-01T00:00:00"}).json()
    assert f"{ocds.ocid_for(orders['sp'])}-sp" in {r["id"] for r in old["releases"]}


@pytest.mark.parametrize("query", ["since=kemarin", "since=2026-13-45", "page=x", "page=0", "page=10001"])
def test_a_bad_since_or_page_is_a_422_naming_it(client, orders, query):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and query.split("=")[0] in body["fields"]


def test_the_record_compiles_the_releases(client, orders):
    order = orders["completed"]
    ocid = ocds.ocid_for(order)
    response = client.get(f"/api/v1/ocds/records/{ocid}")
    assert response.status_code == 200
    package = response.json()
    record = package["records"][0]
    assert record["ocid"] == ocid and len(record["releases"]) == 4
    for rel in record["releases"]:
        assert errors_of(rel, "release") == []
    compiled = record["compiledRelease"]
    assert errors_of(compiled, "release") == []
    assert compiled["tag"] == ["compiled"]
    # The later values win (terminated), and arrays with ids are merged by id (one award, one contract).
    assert [c["status"] for c in compiled["contracts"]] == ["terminated"]
    assert len(compiled["awards"]) == 1 and len(compiled["parties"]) == 2
    assert len(compiled["contracts"][0]["implementation"]["transactions"]) == 1
    assert compiled["date"] == record["releases"][-1]["date"]


def test_an_unknown_ocid_is_a_404(client, orders, binjai):
    for ocid in ["ocds-xxxxxx-12.71-999999", "nonsense", f"ocds-xxxxxx-12.75-{orders['sp'].pk}"]:
        response = client.get(f"/api/v1/ocds/records/{ocid}")
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    # An order before its Surat Pesanan is not published either.
    response = client.get(f"/api/v1/ocds/records/{ocds.ocid_for(orders['submitted'])}")
    assert response.status_code == 404


def test_the_merge_follows_ocds():
    a = {
        "ocid": "x",
        "id": "1",
        "date": "2026-01-01T00:00:00+07:00",
        "tag": ["award"],
        "awards": [{"id": "a", "status": "active", "value": {"amount": 1}}],
        "tender": {"items": [{"id": "i"}]},
    }
    b = {
        "ocid": "x",
        "id": "2",
        "date": "2026-01-02T00:00:00+07:00",
        "tag": ["awardUpdate"],
        "awards": [{"id": "a", "status": "cancelled"}, {"id": "b"}],
        "language": "id",
    }
    compiled = ocds.compile_record([b, a])
    assert compiled["awards"] == [{"id": "a", "status": "cancelled", "value": {"amount": 1}}, {"id": "b"}]
    assert compiled["tender"] == {"items": [{"id": "i"}]} and compiled["language"] == "id"
    assert compiled["id"] == "x-compiled" and compiled["date"] == b["date"]


def test_export_command_writes_a_valid_package(orders, tmp_path):
    out = tmp_path / "ocds.json"
    call_command("export_ocds", "--out", str(out), "--katalog", "12.71")
    package = json.loads(out.read_text(encoding="utf-8"))
    assert errors_of(package) == []
    assert len(package["releases"]) == 10
    since = (timezone.now() + timedelta(days=1)).isoformat()
    call_command("export_ocds", "--out", str(out), "--since", since)
    assert json.loads(out.read_text(encoding="utf-8"))["releases"] == []


def test_the_schemas_are_resolved_offline():
    # The package schema names the release schema by its public URL: the local copy answers for it, so a
    # release that breaks the release schema is caught inside a package, without any network.
    package = {
        "uri": "https://example.id/p",
        "version": "1.1",
        "publishedDate": "2026-11-30T10:00:00+07:00",
        "publisher": {"name": "Pemerintah Kota Medan"},
        "releases": [{"id": "r1", "date": "2026-11-30"}],
    }
    messages = errors_of(package)
    assert "releases/0: 'ocid' is a required property" in messages
    assert any(m.startswith("releases/0/date") for m in messages)  # not a date-time
    assert "Apache License 2.0" in (ocds.SCHEMA_DIR.parent / "SOURCE.md").read_text()


def test_export_refuses_an_unknown_tenant_or_a_bad_since(medan, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No tenant"):
        call_command("export_ocds", "--out", str(tmp_path / "x.json"), "--katalog", "99.99")
    with pytest.raises(CommandError, match="ISO date-time"):
        call_command("export_ocds", "--out", str(tmp_path / "x.json"), "--since", "kemarin")
    assert not (tmp_path / "x.json").exists()


def test_a_contract_cancelled_after_the_vendor_confirmed_is_terminated(client, users, shop):
    order = order_in(S.IN_PROGRESS, users, shop)
    services.order_cancel(actor=f.actor(users["ppk"]), order=order, reason="Kegiatan dibatalkan")
    package = client.get(URL).json()
    assert errors_of(package) == []
    last = by_ocid(package)[ocds.ocid_for(order)][-1]
    assert last["id"] == f"{ocds.ocid_for(order)}-cancelled"
    assert last["tag"] == ["awardCancellation", "contractTermination"]
    assert (last["awards"][0]["status"], last["contracts"][0]["status"]) == ("cancelled", "terminated")
