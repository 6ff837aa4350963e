"""The shape every tenant import command shares: `FILE --katalog CODE [--dry-run] [--report R.csv]`,
one summary line at the end, exit 0 when it ran (even with rejected rows), non-zero when the file
or the tenant cannot be read."""

from django.core.management.base import BaseCommand, CommandError

from .models import Katalog
from .tabular import ImportFileError, Outcome, Table, write_report


class TenantImportCommand(BaseCommand):
    # A data command: Django's system checks (URLs, templates, admin, deployment settings) are what
    # `katalog check` and every deployment run; here they cost most of a re-import's time
    # (docs/performance.md "Importing the Dinas registry") and check nothing the import uses.
    requires_system_checks = []

    def read(self, path: str) -> Table:
        raise NotImplementedError

    def run(self, *, katalog: Katalog, table: Table, source_name: str, dry_run: bool) -> Outcome:
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--katalog", required=True, help="the tenant's region code, e.g. 12.71")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument("--report", help="write the rejected rows to this CSV (baris, kolom, alasan)")

    def handle(self, *args, file, katalog, dry_run, report, **options):
        tenant = Katalog.objects.select_related("region").filter(region_id=katalog).first()
        if tenant is None:
            raise CommandError(f"no tenant with region code {katalog}")
        try:
            table = self.read(file)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        outcome = self.run(katalog=tenant, table=table, source_name=file.rsplit("/", 1)[-1], dry_run=dry_run)
        if report:
            with open(report, "w", newline="", encoding="utf-8") as out:
                self.write_report(outcome, out)
        self.stdout.write(outcome.summary())

    def write_report(self, outcome: Outcome, out) -> None:
        """The `--report` CSV; an import may add columns after `baris, kolom, alasan`."""
        write_report(outcome.rejections, out)
