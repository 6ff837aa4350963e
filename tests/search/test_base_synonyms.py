"""The base list of procurement synonyms (katalog/search/data/sinonim.csv): every new tenant gets it,
the Pengelola's edits win, and `katalog synonyms_base` brings existing tenants the missing pairs."""

import io
from decimal import Decimal

from django.core.management import call_command
from django.utils import timezone

from katalog.core.models import AuditLog
from katalog.search.data import KINDS, SOURCES, base_pairs, base_rows
from katalog.search.models import Synonym
from katalog.search.selectors import search
from katalog.search.services import index_documents, synonyms_replace
from katalog.search.types import SearchDocument
from tests import factories as f


def pairs_of(katalog) -> set[tuple[str, str]]:
    return set(Synonym.objects.filter(tenant_id=katalog.pk).values_list("term", "expansion"))


def test_the_list_names_the_issues_examples_with_a_kind_and_a_source():
    pairs = set(base_pairs())
    for pair in [
        ("baju", "pakaian"),
        ("baju", "kemeja"),
        ("bolpoin", "pulpen"),
        ("bolpoin", "pena"),
        ("atk", "alat tulis kantor"),
        ("pdh", "pakaian dinas harian"),
        ("pdl", "pakaian dinas lapangan"),
        ("hvs", "kertas fotokopi"),
        ("snack", "kudapan"),
        ("snack", "kue"),
        ("nasi kotak", "nasi box"),
        ("andaliman", "merica batak"),
        ("ulos", "uis"),
        ("lappet", "lepat"),
    ]:
        assert pair in pairs, pair
    assert len(pairs) == len(base_rows()) >= 80
    for row in base_rows():
        assert row["jenis"] in KINDS and row["sumber"] in SOURCES, row


def test_a_new_tenant_gets_the_base_list_and_a_buyer_finds_a_shirt_by_baju(db):
    # when
    katalog = f.make_katalog("12.75", "Katalog Lokal Kota Binjai")
    index_documents(
        [
            SearchDocument(
                product_id=1,
                tenant_id=katalog.pk,
                name="Kemeja batik pria lengan panjang",
                description="Batik tulis",
                category_ids=[1],
                category_id=1,
                price=Decimal("195000"),
                unit="potong",
                size_class="mikro",
                district_code="",
                vendor_id=1,
                tkdn_percent=None,
                is_domestic=True,
                listed_at=timezone.now(),
            )
        ]
    )
    # then
    assert pairs_of(katalog) == set(base_pairs())
    assert search(katalog.pk, "baju batik").ids == [1]
    assert search(katalog.pk, "pakaian").ids == [1]


def test_the_command_adds_what_is_missing_and_never_what_the_pengelola_removed(db, users, medan):
    manager = f.actor(users["catalogue_manager"], medan)
    # The Pengelola removes two base pairs, edits one and adds one of the office's own.
    kept = [
        p
        for p in base_pairs()
        if p not in {("baju", "kemeja"), ("hvs", "kertas fotokopi"), ("pdu", "pakaian dinas upacara")}
    ]
    synonyms_replace(
        actor=manager, pairs=[*kept, ("pdu", "pakaian dinas upacara pemko"), ("spj", "surat pertanggungjawaban")]
    )
    # An upgrade brought pairs this tenant never had (here: as if two were new in the list).
    Synonym.objects.filter(tenant_id=medan.pk, term__in=["amdk", "tipex"]).delete()
    before = pairs_of(medan)

    out = io.StringIO()
    call_command("synonyms_base", "--katalog", "12.71", "--dry-run", stdout=out)
    assert "would add 3 base synonyms" in out.getvalue() and pairs_of(medan) == before

    out = io.StringIO()
    call_command("synonyms_base", stdout=out)
    after = pairs_of(medan)
    assert after - before == {("amdk", "air minum dalam kemasan"), ("tipex", "tip ex"), ("tipex", "cairan koreksi")}
    assert ("baju", "kemeja") not in after and ("hvs", "kertas fotokopi") not in after
    assert {("pdu", "pakaian dinas upacara pemko"), ("spj", "surat pertanggungjawaban")} <= after
    assert ("pdu", "pakaian dinas upacara") not in after  # the Pengelola's edit stays
    entry = AuditLog.objects.filter(katalog=medan, action="search.synonyms_base").get()
    assert entry.data["count"] == 3 and "amdk = air minum dalam kemasan" in entry.data["added"]
    assert "12.71 Katalog Lokal Kota Medan: added 3 base synonyms" in out.getvalue()

    # A second run finds nothing to add.
    out = io.StringIO()
    call_command("synonyms_base", stdout=out)
    assert "added 0 base synonyms" in out.getvalue() and pairs_of(medan) == after
