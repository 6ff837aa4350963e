from katalog.core.import_command import TenantImportCommand
from katalog.vendors.imports import read_path, run_import


class Command(TenantImportCommand):
    help = "Import the Dinas UMKM registry (CSV or XLSX) into a tenant."

    def read(self, path):
        return read_path(path)

    def run(self, *, katalog, table, source_name, dry_run):
        return run_import(katalog=katalog, table=table, source_name=source_name, dry_run=dry_run)
