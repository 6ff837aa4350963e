from django.core.management.base import BaseCommand, CommandError

from katalog.core.models import Katalog
from katalog.vendors.invitations import invite_many
from katalog.vendors.size_class import SizeClass


class Command(BaseCommand):
    help = (
        "Invite the unclaimed registry vendors of a tenant (with a phone or e-mail, not invited within "
        "KATALOG_INVITE_INTERVAL_DAYS) to claim their record; the worker sends at KATALOG_INVITES_PER_MINUTE."
    )

    def add_arguments(self, parser):
        parser.add_argument("--katalog", required=True, help="the tenant's region code, e.g. 12.71")
        parser.add_argument("--kecamatan", help="a kecamatan code, e.g. 12.71.01")
        parser.add_argument("--sector", help="the sector, as in the registry (case is ignored)")
        parser.add_argument("--size-class", choices=SizeClass.values, help="mikro, kecil, menengah, ...")
        parser.add_argument("--limit", type=int, help="invite at most this many")
        parser.add_argument("--dry-run", action="store_true", help="count who would be invited, send nothing")

    def handle(self, *args, katalog, kecamatan, sector, size_class, limit, dry_run, **options):
        tenant = Katalog.objects.filter(region_id=katalog).first()
        if tenant is None:
            raise CommandError(f"no tenant with region code {katalog}")
        if kecamatan and not kecamatan.startswith(tenant.region_id + "."):
            raise CommandError(f"kecamatan {kecamatan} is not in {katalog}")
        if limit is not None and limit < 0:
            raise CommandError("--limit must be 0 or more")
        result = invite_many(
            katalog=tenant, kecamatan=kecamatan, sector=sector, size_class=size_class, limit=limit, dry_run=dry_run
        )
        if dry_run:
            self.stdout.write(f"would invite {result.count}")
        else:
            self.stdout.write(f"invited {result.count} (sent by the worker in about {result.minutes} min)")
