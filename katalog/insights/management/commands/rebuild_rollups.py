from django.core.management.base import BaseCommand, CommandError

from katalog.core.models import Katalog
from katalog.insights import rollups, vendor_rollups


class Command(BaseCommand):
    help = (
        "Recompute the rollups (of one tenant, or of all): spending from the orders, the UMKM counts from "
        "the vendors and their size-class history."
    )

    def add_arguments(self, parser):
        parser.add_argument("--katalog", default="", help="region code of the tenant, e.g. 12.71 (default: all)")

    def handle(self, *args, katalog, **options):
        tenant = None
        if katalog:
            tenant = Katalog.objects.filter(region_id=katalog).first()
            if tenant is None:
                raise CommandError(f"no tenant {katalog}")
        count = rollups.rebuild(tenant)
        vendor_count = vendor_rollups.rebuild(tenant)
        self.stdout.write(f"wrote {count} rollup rows, {vendor_count} vendor rollup rows")
