import pytest

from katalog.vendors import services
from katalog.vendors.models import VendorStatus
from tests import factories as f


def test_the_auditor_reads_every_change_of_the_tenant_only(client_as, medan, binjai, users):
    vendor = f.make_vendor(medan, status=VendorStatus.SUBMITTED, name="Toko Uji Audit")
    services.vendor_reject(actor=f.actor(users["catalogue_manager"]), vendor=vendor, reason="Foto buram")
    other = f.make_vendor(binjai, status=VendorStatus.SUBMITTED)
    services.vendor_approve(actor=f.actor(f.make_user(binjai, "catalogue_manager")), vendor=other)
    page = client_as(users["auditor"]).get("/dasbor/audit/?action=vendor.").content.decode()
    assert "vendor.reject" in page and "Foto buram" in page and "medan-catalogue_manager" in page
    assert "vendor.approve" not in page  # Binjai's approval is not Medan's to read


@pytest.mark.parametrize("role", [r for r in f.ALL_ROLES if r not in ("auditor", "admin")])
def test_other_roles_cannot_read_the_audit_log(client_as, users, role):
    assert client_as(users[role]).get("/dasbor/audit/").status_code == 403
