import datetime

from katalog.insights.selectors import class_changes, umkm_counts
from katalog.vendors.models import SizeClassChange, VendorStatus
from tests import factories as f


def test_counts_come_from_the_records(client_as, medan, binjai, manager):
    for _ in range(3):
        f.make_vendor(medan, size_class="mikro", district_id="12.71.01", region_id="12.71.01")
    f.make_vendor(medan, size_class="kecil", district_id="12.71.03", region_id="12.71.03")
    f.make_vendor(medan, size_class="menengah", district_id="12.71.03", region_id="12.71.03")
    f.make_vendor(medan, size_class="mikro", status=VendorStatus.SUBMITTED)  # not verified: not counted
    f.make_vendor(binjai, size_class="mikro", district_id="12.75.01", region_id="12.75.01")  # other tenant
    counts = umkm_counts(medan)
    assert {c["size_class"]: c["count"] for c in counts["by_class"]} == {
        "mikro": 3,
        "kecil": 1,
        "menengah": 1,
        "besar": 0,
    }
    assert (counts["total"], counts["umk"]) == (5, 4)
    by_district = {d["code"]: d["total"] for d in counts["by_district"]}
    assert by_district["12.71.01"] == 3 and by_district["12.71.03"] == 2
    assert len(counts["by_district"]) == 21
    page = client_as(manager).get("/dasbor/umkm/").content.decode()
    assert 'data-testid="total">5<' in page
    assert 'data-testid="count-mikro">3<' in page


def test_class_changes_are_counted_per_month_up_and_down(medan):
    v = f.make_vendor(medan)
    w = f.make_vendor(medan)
    for vendor, on, old, new in [
        (v, datetime.date(2026, 3, 5), "mikro", "kecil"),
        (w, datetime.date(2026, 3, 20), "mikro", "kecil"),
        (w, datetime.date(2026, 5, 1), "kecil", "mikro"),
        (v, datetime.date(2026, 1, 1), "", "mikro"),
    ]:
        SizeClassChange.objects.create(
            katalog=medan, vendor=vendor, changed_on=on, old_class=old, new_class=new, reason="uji"
        )
    rows = [(r["month"].strftime("%Y-%m"), r["up"], r["down"]) for r in class_changes(medan)]
    assert rows == [("2026-03", 2, 0), ("2026-05", 0, 1)]
