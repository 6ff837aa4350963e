"""The vendor rollups behind the UMKM dashboard and the onboarding funnel stay exact (issue 12): after
every kind of change to a vendor or to the size-class history, whatever code makes it (a model save,
a queryset update, bulk_create, the registry import's plain SQL, deletion), the stored rows equal a
recount written here from the records, and the dashboard shows the recount's figures.
`katalog rebuild_rollups` puts a damaged rollup right."""

import datetime
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command
from django.db import connection

from katalog.insights import vendor_rollups
from katalog.insights.models import SizeChangeRollup, VendorRollup
from katalog.vendors.imports import read_table, run_import
from katalog.vendors.models import SizeClassChange, Vendor, VendorSource, VendorStatus
from tests import factories as f
from tests.vendors.test_import import MIXED, csv_bytes, good_row


def direct_vendors() -> dict:
    """(tenant, source, kecamatan or "", sector, size class) -> (vendors, verified, invited), by hand."""
    out = defaultdict(lambda: [0, 0, 0])
    for v in Vendor.objects.all():
        slot = out[(v.katalog_id, v.source, v.district_id or "", v.sector, v.size_class)]
        slot[0] += 1
        slot[1] += v.status == VendorStatus.VERIFIED
        slot[2] += v.invited_at is not None
    return {k: tuple(v) for k, v in out.items()}


def direct_changes() -> dict:
    """(tenant, first day of the month, old class, new class) -> changes, first classifications left out."""
    counts = Counter(
        (c.katalog_id, c.changed_on.replace(day=1), c.old_class, c.new_class)
        for c in SizeClassChange.objects.exclude(old_class="")
    )
    return dict(counts)


def assert_exact():
    assert vendor_rollups.current() == direct_vendors()
    assert vendor_rollups.current_changes() == direct_changes()
    assert vendor_rollups.recompute() == direct_vendors()
    assert vendor_rollups.recompute_changes() == direct_changes()


def test_every_kind_of_vendor_change_keeps_the_rollup_exact(medan, binjai):
    assert_exact()
    a = f.make_vendor(medan, size_class="mikro", district_id="12.71.01", sector="Makanan")
    b = f.make_vendor(medan, status=VendorStatus.SUBMITTED, district_id=None, region_id=None)
    c = f.make_vendor(binjai, district_id="12.75.01", region_id="12.75.01")
    assert_exact()
    b.status = VendorStatus.VERIFIED  # verified
    b.save()
    assert_exact()
    a.size_class = "kecil"  # size class change
    a.save(update_fields=["size_class"])
    assert_exact()
    Vendor.objects.filter(pk=a.pk).update(district_id="12.71.03", region_id="12.71.03")  # district change
    assert_exact()
    Vendor.objects.filter(pk=b.pk).update(invited_at=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC))
    assert_exact()
    Vendor.objects.filter(katalog=medan).update(sector="Kuliner")  # many rows in one statement
    assert_exact()
    Vendor.objects.filter(pk=a.pk).update(source=VendorSource.IMPORT, status=VendorStatus.REJECTED)
    assert_exact()
    Vendor.objects.bulk_create(
        [Vendor(katalog=medan, name=f"Bulk {i}", nib=f"81299999999{i:02d}", size_class="mikro") for i in range(5)]
    )
    assert_exact()
    with connection.cursor() as cursor:  # plain SQL, past every Python hook
        cursor.execute("UPDATE vendors_vendor SET size_class = 'menengah' WHERE name LIKE 'Bulk%%'")
    assert_exact()
    c.delete()  # deletion
    assert_exact()
    Vendor.objects.filter(name__startswith="Bulk").delete()
    assert_exact()


def test_the_size_class_history_keeps_the_change_rollup_exact(medan):
    v = f.make_vendor(medan)
    first = SizeClassChange.objects.create(
        katalog=medan, vendor=v, changed_on=datetime.date(2025, 1, 5), old_class="", new_class="mikro", reason="uji"
    )
    up = SizeClassChange.objects.create(
        katalog=medan, vendor=v, changed_on=datetime.date(2026, 3, 5), old_class="mikro", new_class="kecil", reason="u"
    )
    assert_exact()
    up.changed_on = datetime.date(2026, 4, 30)  # moved to another month
    up.save()
    assert_exact()
    SizeClassChange.objects.filter(pk=first.pk).update(old_class="besar")  # a first entry turned into a change
    assert_exact()
    SizeClassChange.objects.filter(pk=up.pk).delete()
    assert_exact()
    v.delete()  # its history goes with it
    assert_exact()
    assert not vendor_rollups.current_changes()


def test_the_registry_import_and_its_reimport_keep_the_rollup_exact(medan):
    data = csv_bytes(MIXED)
    run_import(katalog=medan, table=read_table(data, "a.csv"), source_name="a.csv")
    assert_exact()
    assert vendor_rollups.current()
    grown = [good_row(1, modal_usaha="2.000.000.000", kode_wilayah="12.71.21")]
    run_import(katalog=medan, table=read_table(csv_bytes(grown), "b.csv"), source_name="b.csv")
    assert_exact()


def test_the_dashboard_reads_the_rollup_figures(client_as, medan, manager):
    f.make_vendor(medan, size_class="mikro", district_id="12.71.01")
    v = f.make_vendor(medan, size_class="kecil", district_id="12.71.03", region_id="12.71.03")
    # a class change recorded and the vendor moved by plain SQL: the page follows at once
    with connection.cursor() as cursor:
        cursor.execute("UPDATE vendors_vendor SET size_class = 'menengah' WHERE id = %s", [v.pk])
    page = client_as(manager).get("/dasbor/umkm/").content.decode()
    assert 'data-testid="total">2<' in page
    assert 'data-testid="count-mikro">1<' in page
    assert 'data-testid="count-menengah">1<' in page
    assert 'data-testid="count-kecil">0<' in page


def test_rebuild_rollups_puts_a_damaged_rollup_right(medan):
    v = f.make_vendor(medan, size_class="kecil")
    SizeClassChange.objects.create(
        katalog=medan, vendor=v, changed_on=datetime.date(2026, 3, 5), old_class="mikro", new_class="kecil", reason="u"
    )
    VendorRollup.objects.update(vendors=99)
    SizeChangeRollup.objects.all().delete()
    assert vendor_rollups.current() != direct_vendors()
    call_command("rebuild_rollups", "--katalog", "12.71")
    assert_exact()
    VendorRollup.objects.all().delete()
    call_command("rebuild_rollups")
    assert_exact()


def test_a_migrate_puts_the_triggers_back(medan):
    """On SQLite a migration that alters the vendors table rebuilds it without the triggers; the
    post-migrate hook installs them again (here: dropped by hand, then `migrate`)."""
    vendor_rollups.drop_triggers()
    call_command("migrate", verbosity=0)
    f.make_vendor(medan, size_class="besar")
    assert_exact()


@pytest.mark.django_db(transaction=True)
def test_a_flush_leaves_no_count_behind():
    """`flush` (run between transactional tests) empties the tables one by one; on SQLite with
    DELETE, whose triggers would leave negative counts in a rollup emptied before the vendors."""
    medan = f.make_katalog()  # regions too: an earlier transactional test may have flushed them
    v = f.make_vendor(medan, size_class="kecil")
    SizeClassChange.objects.create(
        katalog=medan, vendor=v, changed_on=datetime.date(2026, 3, 5), old_class="mikro", new_class="kecil", reason="u"
    )
    call_command("flush", "--noinput", verbosity=0)
    assert not VendorRollup.objects.exclude(vendors=0, verified=0, invited=0).exists()
    assert not SizeChangeRollup.objects.exclude(count=0).exists()
    assert_exact()


def test_bulk_loads_count_their_vendors_once(medan):
    """The demo's registry and a bulk insert (on SQLite with the insert trigger set aside and the
    rows counted at the end; on PostgreSQL by the statement trigger) are counted exactly; a bulk
    load that fails leaves the trigger in place."""
    from katalog.demo.generate import load_registry

    f.make_vendor(medan)
    load_registry(medan, distribution={"mikro": 40, "kecil": 12, "menengah": 3})
    assert_exact()
    assert sum(n for n, _v, _i in vendor_rollups.current().values()) == 56
    with pytest.raises(RuntimeError), vendor_rollups.counted_in_bulk():
        f.make_vendor(medan)
        raise RuntimeError("the load fails")
    f.make_vendor(medan, size_class="besar")  # counted by the trigger, which is back
    assert_exact()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ANALYZE is PostgreSQL's")
def test_the_closing_analyze_reads_the_planned_columns_of_the_vendors(medan):
    """After a bulk load the vendors get statistics for the columns the dashboards filter and group
    on (and a fresh row count); the text columns are left to autovacuum's ANALYZE of every column."""
    from katalog.demo.generate import load_registry

    load_registry(medan, distribution={"mikro": 40, "kecil": 12, "menengah": 3})
    vendor_rollups.analyze()
    with connection.cursor() as cursor:
        cursor.execute("SELECT attname FROM pg_stats WHERE tablename = 'vendors_vendor'")
        analyzed = {name for (name,) in cursor.fetchall()}
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'vendors_vendor'")
        rows = cursor.fetchone()[0]
    assert analyzed == set(vendor_rollups.ANALYZED_AFTER_LOAD["vendors_vendor"])
    assert rows == 55
