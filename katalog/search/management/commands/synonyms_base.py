"""`katalog synonyms_base [--katalog 12.71] [--dry-run]`: give existing tenants the pairs of the
base synonym list (katalog/search/data/sinonim.csv) they do not have yet.

New tenants get the list when they are created; run this after an upgrade that brings a longer
list. Pairs a tenant has are left as they are, and a pair its Pengelola removed is not added
back. Each tenant that gets pairs gets an audit entry naming them."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from katalog.core import audit
from katalog.core.models import Katalog
from katalog.search.data import base_pairs, load_base_synonyms, removed_by_pengelola
from katalog.search.models import Synonym


class Command(BaseCommand):
    help = "Add the missing pairs of the base synonym list to existing tenants (never re-adds a removed pair)."

    def add_arguments(self, parser):
        parser.add_argument("--katalog", help="only this tenant (its region code, e.g. 12.71)")
        parser.add_argument("--dry-run", action="store_true", help="say what would be added, change nothing")

    def handle(self, *args, katalog=None, dry_run=False, **options):
        tenants = Katalog.objects.order_by("pk")
        if katalog is not None:
            tenants = tenants.filter(region_id=katalog)
            if not tenants.exists():
                raise CommandError(f"no tenant with region code {katalog}", returncode=2)
        for tenant in tenants:
            with transaction.atomic():
                if dry_run:
                    have = set(Synonym.objects.filter(tenant_id=tenant.pk).values_list("term", "expansion"))
                    skip = have | removed_by_pengelola(tenant.pk)
                    added = [p for p in dict.fromkeys(base_pairs()) if p not in skip]
                else:
                    added = load_base_synonyms(tenant.pk)
                    if added:
                        audit.record(
                            actor=None,
                            action="search.synonyms_base",
                            obj=tenant,
                            katalog=tenant,
                            added=[f"{t} = {e}" for t, e in added],
                            count=len(added),
                        )
            verb = "would add" if dry_run else "added"
            self.stdout.write(f"{tenant.region_id} {tenant.name}: {verb} {len(added)} base synonyms")
