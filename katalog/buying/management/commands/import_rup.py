from katalog.accounts.selectors import system_actor
from katalog.buying.imports import read_path, run_import
from katalog.core.import_command import TenantImportCommand


class Command(TenantImportCommand):
    help = "Import budget lines (RUP packages: kode_rup, nama_paket, kode_opd, pagu, ...) from CSV or XLSX."

    def read(self, path):
        return read_path(path)

    def run(self, *, katalog, table, source_name, dry_run):
        # The operator on the server acts as the tenant's desk; the audit entry has no user.
        return run_import(
            actor=system_actor(katalog), katalog=katalog, table=table, source_name=source_name, dry_run=dry_run
        )
