from django.core.management.base import BaseCommand, CommandError

from katalog.accounts.selectors import system_actor
from katalog.buying.imports import ImportFileError, read_path, run_import, write_report
from katalog.core.models import Katalog


class Command(BaseCommand):
    help = "Import budget lines (RUP packages: kode_rup, nama_paket, kode_opd, pagu, ...) from CSV or XLSX."

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
            table = read_path(file)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        # The operator on the server acts as the tenant's desk; the audit entry has no user.
        outcome = run_import(
            actor=system_actor(tenant),
            katalog=tenant,
            table=table,
            source_name=file.rsplit("/", 1)[-1],
            dry_run=dry_run,
        )
        if report:
            with open(report, "w", newline="", encoding="utf-8") as out:
                write_report(outcome.rejections, out)
        self.stdout.write(outcome.summary())
