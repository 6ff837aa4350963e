"""`katalog verify_audit [--katalog 12.71]`: walk the audit log's hash chains.

Prints `ok N entries` and exits 0 when every chain is whole; otherwise names the first entry that
was edited, deleted or reordered and exits 1."""

from django.core.management.base import BaseCommand, CommandError

from katalog.core.audit import NO_TENANT, chain_key, chain_keys, verify_chain
from katalog.core.models import Katalog


class Command(BaseCommand):
    help = "Check that no audit entry was edited, deleted or reordered."

    def add_arguments(self, parser):
        parser.add_argument(
            "--katalog", help='only this tenant\'s chain (its region code, e.g. 12.71; "-" for entries of no tenant)'
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args, katalog=None, database="default", **options):
        if katalog is None:
            keys = chain_keys(using=database)
        elif katalog == NO_TENANT:
            keys = [NO_TENANT]
        else:
            tenant = Katalog.objects.using(database).filter(region_id=katalog).first()
            if tenant is None:
                raise CommandError(f"no tenant with region code {katalog}", returncode=2)
            keys = [chain_key(tenant.pk)]
        total = 0
        for key in keys:
            report = verify_chain(key, using=database)
            if report.problem:
                raise CommandError(f"audit chain {self._name(key, database)}: {report.problem}", returncode=1)
            total += report.count
            if options["verbosity"] > 1:
                self.stdout.write(f"{self._name(key, database)}: {report.count} entries, head {report.head}")
        self.stdout.write(f"ok {total} entries")

    @staticmethod
    def _name(key: str, database: str) -> str:
        if key == NO_TENANT:
            return "of no tenant"
        tenant = Katalog.objects.using(database).filter(pk=int(key)).first()
        return f"of {tenant.region_id}" if tenant else f"#{key}"
