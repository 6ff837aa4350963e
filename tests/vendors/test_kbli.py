"""KBLI 2020: the shipped list, the search an owner uses to find a code by a word of the business,
the registration form (with and without JavaScript), the API, and names (not codes) for kecamatan
and kelurahan on the vendor pages."""

import csv
import json
import re

import pytest

from katalog.core.models import Region, RegionLevel
from katalog.demo import generate as demo_generate
from katalog.demo import vendors as demo_vendors
from katalog.vendors import kbli
from katalog.vendors.models import Vendor, VendorStatus
from tests import factories as f

LEGAL = {"nib": "8120000004444", "npwp": "02.183.241.5-000.000", "sector": "Kerupuk udang"}


# --- The list ------------------------------------------------------------------------------------


def test_the_kbli_2020_list_has_every_code_once_with_its_title_and_category():
    with kbli.DATA.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        assert next(reader) == ["kode", "judul", "kategori"]
        rows = list(reader)
    codes = [r[0] for r in rows]
    assert len(rows) == 1786  # see data/kbli2020.SOURCE.md: about 1,790 in the regulation
    assert len(set(codes)) == len(codes)
    assert codes == sorted(codes)
    assert all(len(c) == 5 and c.isdigit() and t.strip() == t and t for c, t, _k in rows)
    assert {k for _c, _t, k in rows} == set("ABCDEFGHIJKLMNOPQRSTU") == set(kbli.categories())
    assert kbli.title("10794") == "Industri Kerupuk, Keripik, Peyek Dan Sejenisnya"
    assert kbli.title("63122") == "Portal Web Dan/Atau Platform Digital Dengan Tujuan Komersial"
    assert kbli.get("47111").category == "G" and kbli.title("56101") == "Restoran"
    # 2020, not 2015: programming and web portals were split in 2020.
    assert kbli.is_valid("62015") and kbli.is_valid("62019") and not kbli.is_valid("62010")
    assert kbli.get("35111") == ("35111", "Pembangkitan Tenaga Listrik", "D")


def test_a_word_of_the_business_finds_its_code():
    assert kbli.search("kerupuk")[0].code == "10794"
    assert kbli.search("KERÚPUK")[0].code == "10794"  # case and accents do not matter
    assert "14120" in [e.code for e in kbli.search("jahit")]  # Penjahitan Dan Pembuatan Pakaian ...
    assert kbli.search("batik")[0].code == "13134"
    assert [e.code for e in kbli.search("warung makan")] == ["56102"]  # every word must match
    assert kbli.search("restoran")[0].title == "Restoran"  # a title starting with the word comes first
    assert all(e.code.startswith("107") for e in kbli.search("107", limit=50))
    assert kbli.search("") == [] and kbli.search("zzzqqq") == []


def test_the_demo_data_uses_only_codes_of_the_list():
    codes = {c for d in demo_vendors.VENDORS for c in d.kbli} | {c for *_x, cs in demo_generate.KINDS for c in cs}
    assert codes and {c for c in codes if not kbli.is_valid(c)} == set()


# --- The registration form -----------------------------------------------------------------------


@pytest.fixture
def owner(medan, users):
    f.make_vendor(medan, status=VendorStatus.DRAFT, users=[users["penyedia"]], nib="", kbli=[])
    return users["penyedia"]


def test_a_code_outside_the_list_is_refused_with_an_indonesian_message(client_as, owner):
    client = client_as(owner)
    response = client.post("/penyedia/usaha-saya/legal/", {**LEGAL, "kbli": "10794, 99999"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Tidak ada dalam daftar KBLI 2020: 99999." in page
    assert 'value="10794, 99999"' in page and 'value="8120000004444"' in page  # what was typed is kept
    assert Vendor.objects.get(users=owner).kbli == []


def test_words_without_javascript_offer_the_matching_titles_and_keep_everything_typed(client_as, owner):
    client = client_as(owner)
    response = client.post("/penyedia/usaha-saya/legal/", {**LEGAL, "kbli": "10792, kerupuk"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Pilih salah satu bidang usaha." in page
    assert 'type="radio" name="kbli_choice" value="10794"' in page
    assert "Industri Kerupuk, Keripik, Peyek Dan Sejenisnya" in page
    for typed in ('value="10792, kerupuk"', 'value="8120000004444"', 'value="02.183.241.5-000.000"', "Kerupuk udang"):
        assert typed in page
    assert Vendor.objects.get(users=owner).kbli == []  # nothing saved yet

    response = client.post("/penyedia/usaha-saya/legal/", {**LEGAL, "kbli": "10792, kerupuk", "kbli_choice": "10794"})
    assert response.status_code == 302 and response["Location"] == "/penyedia/usaha-saya/alamat/"
    assert Vendor.objects.get(users=owner).kbli == ["10792", "10794"]


def test_a_word_matching_nothing_says_so(client_as, owner):
    response = client_as(owner).post("/penyedia/usaha-saya/legal/", {**LEGAL, "kbli": "zzzqqq"})
    assert "Tidak ada judul KBLI yang cocok dengan “zzzqqq”" in response.content.decode()


def test_the_suggestions_follow_what_is_being_typed(client, client_as, owner):
    client = client_as(owner)
    page = client.get("/penyedia/kbli/", {"kbli": "10792, kerup"}).content.decode()
    assert 'name="kbli_choice" value="10794"' in page and "Industri Kerupuk" in page
    assert "10792" not in page  # the codes already typed are not searched again
    assert client.get("/penyedia/kbli/", {"q": "jahit"}).content.decode().count('name="kbli_choice"') >= 7
    assert "kbli_choice" not in client.get("/penyedia/kbli/", {"q": "10792"}).content.decode()
    assert client.get("/penyedia/kbli/", {"q": "x" * 5000}).status_code == 200  # long input is cut, not an error


def test_the_suggestions_are_for_signed_in_users(client, medan):
    response = client.get("/penyedia/kbli/?q=kerupuk")
    assert response.status_code == 302 and response["Location"].startswith("/akun/masuk/")


def test_the_form_page_has_the_picker(client_as, owner):
    page = client_as(owner).get("/penyedia/usaha-saya/legal/").content.decode()
    assert 'hx-get="/penyedia/kbli/"' in page and 'id="kbli-suggestions"' in page


def test_the_vendor_pages_show_each_code_with_its_title(client_as, medan, users, manager):
    vendor = f.make_vendor(medan, status=VendorStatus.SUBMITTED, users=[users["penyedia"]], kbli=["10794", "14120"])
    for user, url in ((users["penyedia"], "/penyedia/usaha-saya/"), (manager, f"/penyedia/kelola/{vendor.pk}/")):
        page = client_as(user).get(url).content.decode()
        assert "10794 — Industri Kerupuk, Keripik, Peyek Dan Sejenisnya" in page
        assert "14120 — Penjahitan Dan Pembuatan Pakaian Sesuai Pesanan" in page


# --- Kecamatan and kelurahan by name -------------------------------------------------------------


def test_the_address_step_offers_kecamatan_and_kelurahan_by_name(client_as, owner):
    district = Region.objects.filter(parent_id="12.71", level=RegionLevel.DISTRICT).first()
    village = Region.objects.filter(parent=district).first()
    vendor = Vendor.objects.get(users=owner)
    vendor.region = village
    vendor.save()
    page = client_as(owner).get("/penyedia/usaha-saya/alamat/").content.decode()
    assert re.search(rf'<option value="{district.code}" selected>{district.name}</option>', page)
    assert re.search(rf'<option value="{village.code}" selected>{village.name}</option>', page)
    assert f">{district.code} " not in page and f">{village.code} " not in page
    options = client_as(owner).get(f"/penyedia/kelurahan/?district={district.code}").content.decode()
    assert f">{village.name}</option>" in options and f">{village.code}" not in options


# --- The API -------------------------------------------------------------------------------------


def test_the_api_finds_codes_by_a_word(client_as, users):
    client = client_as(users["penyedia"])
    response = client.get("/api/v1/kbli", {"q": "kerupuk"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert response.json()[0] == {
        "code": "10794",
        "title": "Industri Kerupuk, Keripik, Peyek Dan Sejenisnya",
        "category": "C",
    }
    assert len(client.get("/api/v1/kbli", {"q": "perdagangan", "limit": 500}).json()) == 50


def test_the_api_refuses_a_query_too_long(client_as, users):
    response = client_as(users["penyedia"]).get("/api/v1/kbli", {"q": "a" * 500})
    assert response.status_code == 422
    assert json.loads(response.content)["code"]


def test_the_api_needs_a_signed_in_user(client, medan):
    assert client.get("/api/v1/kbli", {"q": "kerupuk"}).status_code == 401


def test_every_way_in_refuses_a_code_outside_the_list():
    """The wizard, the Dinas desk and the registry import all clean KBLI with this validator."""
    from django.core.exceptions import ValidationError

    from katalog.vendors.validators import clean_kbli_list

    assert clean_kbli_list("10794 14120") == ["10794", "14120"]
    with pytest.raises(ValidationError) as exc:
        clean_kbli_list("10794, 62010")  # a KBLI 2015 code, split in 2020
    assert exc.value.code == "kbli_unknown" and "62010" in exc.value.messages[0]
