"""`katalog find_flags [--katalog 12.71]`: look for red flags in one tenant's records (every tenant
when none is named) and store the new ones (katalog/insights/redflags.py)."""

from django.core.management.base import BaseCommand, CommandError

from katalog.core.models import Katalog
from katalog.insights import redflags


class Command(BaseCommand):
    help = "Find the red flags of a tenant (or of every tenant) and store the new ones."

    def add_arguments(self, parser):
        parser.add_argument("--katalog", default="", help="The tenant's region code (default: every tenant).")

    def handle(self, *args, katalog, **options):
        tenants = Katalog.objects.all()
        if katalog:
            tenants = tenants.filter(region_id=katalog)
            if not tenants.exists():
                raise CommandError(f"No tenant with the code {katalog!r}.")
        for tenant in tenants.order_by("region_id"):
            new = redflags.find(tenant)
            self.stdout.write(f"{tenant.region_id}: {new} new red flag(s)")
