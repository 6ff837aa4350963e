import io

from django.core.management import call_command

from katalog.accounts.models import Membership
from katalog.core.models import Katalog
from katalog.insights.selectors import umkm_counts
from katalog.vendors.models import SizeClassChange, Vendor


def test_demo_loads_medan_with_the_reports_distribution_and_is_idempotent(db, client):
    call_command("demo", stdout=io.StringIO())
    katalog = Katalog.objects.get(region_id="12.71")
    counts = {c["size_class"]: c["count"] for c in umkm_counts(katalog)["by_class"]}
    # The generated registry plus the demo's selling vendors (demo/vendors.py: `penyedia`'s and
    # one per trade; two of them small).
    sellers = {"mikro": 8, "kecil": 2}
    assert counts == {
        "mikro": 22_213 + sellers["mikro"],
        "kecil": 5_447 + sellers["kecil"],
        "menengah": 103,
        "besar": 0,
    }
    districts = [d for d in umkm_counts(katalog)["by_district"] if d["total"]]
    assert len(districts) == 21
    assert katalog.offices.count() >= 12
    roles = dict(Membership.objects.filter(katalog=katalog).values_list("user__username", "role"))
    assert roles == {
        "admin": "admin",
        "pengelola": "catalogue_manager",
        "auditor": "auditor",
        "penyedia": "penyedia",
        "pp": "pp",
        "ppk": "ppk",
        "pa": "budget_owner",
        "bendahara": "treasurer",
    }
    assert SizeClassChange.objects.filter(katalog=katalog).exclude(old_class="").exists()
    before = (Vendor.objects.count(), SizeClassChange.objects.count(), Membership.objects.count())
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert (Vendor.objects.count(), SizeClassChange.objects.count(), Membership.objects.count()) == before
    assert "0 registry vendors created" in out.getvalue()
    login_page = client.get("/akun/masuk/").content.decode()
    assert "pengelola" in login_page and "katalog-demo-2026" in login_page


def test_demo_users_sign_in_with_the_demo_password(db, client, settings):
    settings.KATALOG_DEMO_PASSWORD = "Sandi-Demo-Lain-1"
    call_command("demo", "--small", stdout=io.StringIO())
    page = client.get("/akun/masuk/").content.decode()
    assert "KATALOG_DEMO_PASSWORD" in page and "katalog-demo-2026" not in page
    assert client.login(username="ppk", password="Sandi-Demo-Lain-1")
