from django.core.management.base import BaseCommand, CommandError

from katalog.accounts.selectors import system_actor
from katalog.catalogue.imports import COLUMNS, REQUIRED, run_import
from katalog.core.models import Katalog
from katalog.core.tabular import ImportFileError, read_path, write_report
from katalog.vendors.models import Vendor
from katalog.vendors.validators import digits


class Command(BaseCommand):
    help = "Import a vendor's products (CSV or XLSX)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--vendor", required=True, help="the vendor's NIB")
        parser.add_argument("--katalog", help="the tenant's region code (may be left out when there is one tenant)")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--submit", action="store_true", help="send the products to the curation queue")
        mode.add_argument("--approve", action="store_true", help="list them at once (assisted, curated)")
        parser.add_argument("--report", help="write the rejected rows to this CSV (baris, kolom, alasan)")

    def handle(self, *args, file, vendor, katalog, submit, approve, report, **options):
        tenants = Katalog.objects.select_related("region")
        if katalog:
            tenant = tenants.filter(region_id=katalog).first()
        else:
            tenant = tenants.first() if tenants.count() == 1 else None
            if tenant is None:
                raise CommandError("there are several tenants: name one with --katalog")
        if tenant is None:
            raise CommandError(f"no tenant with region code {katalog}")
        seller = Vendor.objects.filter(katalog=tenant, nib=digits(vendor)).first()
        if seller is None:
            raise CommandError(f"no vendor with NIB {vendor} in {tenant.region_id}")
        try:
            table = read_path(file, columns=COLUMNS, required=REQUIRED)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        mode = "approve" if approve else "submit" if submit else "draft"
        outcome = run_import(actor=system_actor(tenant), vendor=seller, table=table, mode=mode)
        if report:
            with open(report, "w", newline="", encoding="utf-8") as out:
                write_report(outcome.rejections, out)
        self.stdout.write(outcome.summary())
