from django.core.management.base import BaseCommand, CommandError

from katalog.core.models import Katalog
from katalog.insights import rollups


class Command(BaseCommand):
    help = "Recompute the spending rollup from the orders (of one tenant, or of all)."

    def add_arguments(self, parser):
        parser.add_argument("--katalog", default="", help="region code of the tenant, e.g. 12.71 (default: all)")

    def handle(self, *args, katalog, **options):
        tenant = None
        if katalog:
            tenant = Katalog.objects.filter(region_id=katalog).first()
            if tenant is None:
                raise CommandError(f"no tenant {katalog}")
        count = rollups.rebuild(tenant)
        self.stdout.write(f"wrote {count} rollup rows")
