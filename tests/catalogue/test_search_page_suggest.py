"""The search box's suggestions (htmx fragment) and GET /api/v1/suggestions (issue 11)."""

import re

from tests.catalogue.test_search_page import market  # noqa: F401 (the fixture)


def options(html: str) -> list[tuple[str, str]]:
    return [
        (href, re.sub(r"<[^>]+>", "", label).strip())
        for href, label in re.findall(r'<a role="option" id="suggestion-\d+" href="([^"]+)"[^>]*>(.*?)</a>', html, re.S)
    ]


def test_the_search_box_suggests_names_categories_and_vendors_as_links(client, market):  # noqa: F811
    html = client.get("/cari/saran/?q=ker", HTTP_HX_REQUEST="true").content.decode()
    snacks = market["snacks"]
    assert options(html) == [
        (f"/cari/?category={snacks.pk}", "Kerupuk dan Keripik category"),
        ("/cari/?q=Kerupuk+Sambal+Balado", "Kerupuk Sambal Balado"),
        ("/cari/?q=Kerupuk+Udang+Sidoarjo", "Kerupuk Udang Sidoarjo"),
    ] or options(html) == [
        (f"/cari/?category={snacks.pk}", "Kerupuk dan Keripik kategori"),
        ("/cari/?q=Kerupuk+Sambal+Balado", "Kerupuk Sambal Balado"),
        ("/cari/?q=Kerupuk+Udang+Sidoarjo", "Kerupuk Udang Sidoarjo"),
    ]
    rina = market["products"]["batik_pria"].vendor
    html = client.get("/cari/saran/?q=konveksi", HTTP_HX_REQUEST="true").content.decode()
    assert [href for href, _label in options(html)] == [f"/toko/{rina.pk}/"]
    # A misspelt two-word query still offers the shirts.
    html = client.get("/cari/saran/?q=kemja+batk", HTTP_HX_REQUEST="true").content.decode()
    assert [label for _href, label in options(html)] == [
        "Kemeja Batik Kantor",
        "Kemeja Batik Pria Lengan Panjang",
        "Kemeja Batik Wanita",
    ]
    assert client.get("/cari/saran/?q=k").content.decode().strip() == ""


def test_a_vendor_no_longer_verified_is_not_suggested(client, market):  # noqa: F811
    rina = market["products"]["batik_pria"].vendor
    rina.status = "suspended"
    rina.save(update_fields=["status"])
    html = client.get("/cari/saran/?q=konveksi").content.decode()
    assert options(html) == []


def test_the_api_gives_the_same_suggestions_as_json(client, market):  # noqa: F811
    response = client.get("/api/v1/suggestions?q=kerupuk+s")
    assert response.status_code == 200
    assert response.json() == {
        "query": "kerupuk s",
        "suggestions": [
            {"kind": "product", "label": "Kerupuk Sambal Balado", "url": "/cari/?q=Kerupuk+Sambal+Balado", "id": None}
        ],
    }
    snacks = market["snacks"]
    kinds = [(s["kind"], s["id"]) for s in client.get("/api/v1/suggestions?q=kerupuk").json()["suggestions"]]
    assert kinds[0] == ("category", snacks.pk)


def test_the_api_refuses_bad_input_with_json(client, market):  # noqa: F811
    for url in ("/api/v1/suggestions", "/api/v1/suggestions?q=" + "a" * 201, "/api/v1/suggestions?q=a%00b"):
        response = client.get(url)
        assert 400 <= response.status_code < 500, url
        body = response.json()
        assert body["code"] and body["message"]


ODD = ["", " ", "%00", "☃", "<script>alert(1)</script>", "' OR 1=1 --", "z" * 500, "kemeja " * 40, "1e309", "-1"]


def test_no_typed_text_makes_the_suggestions_or_the_zero_result_list_fail(client, market, manager):  # noqa: F811
    for typed in ODD:
        response = client.get("/cari/saran/", {"q": typed.replace("\x00", "")})
        assert response.status_code == 200, typed
        assert "<script" not in response.content.decode()
    client.force_login(manager)
    for week in ODD + ["2026-W99", "0000-W00"]:
        response = client.get("/kelola/produk/pencarian-kosong/", {"week": week})
        assert response.status_code == 200, week
