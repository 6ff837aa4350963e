from django.core.management.base import BaseCommand, CommandError

from katalog.catalogue.selectors import all_search_documents
from katalog.core.models import Katalog
from katalog.search.services import rebuild


class Command(BaseCommand):
    help = "Rebuild the search index of one tenant (or all) from the products in the database."

    def add_arguments(self, parser):
        parser.add_argument("--katalog", help="the tenant's region code; all tenants when left out")

    def handle(self, *args, katalog=None, **options):
        tenants = Katalog.objects.all()
        if katalog:
            tenants = tenants.filter(region_id=katalog)
            if not tenants:
                raise CommandError(f"no tenant with region code {katalog}")
        for tenant in tenants:
            count = rebuild(tenant.pk, all_search_documents(tenant))
            self.stdout.write(f"{tenant.region_id}: {count} products indexed")
