from katalog.core.import_command import TenantImportCommand
from katalog.vendors.imports import read_path, run_import, write_import_report


class Command(TenantImportCommand):
    help = (
        "Import the Dinas UMKM registry (CSV or XLSX) into a tenant. Rows are applied at once; a row that "
        "would overwrite a claimed vendor's data or a verified vendor's name, owner or district is held back "
        "and counted in `conflicts`. --dry-run prints the preview's counts and writes nothing."
    )

    def read(self, path):
        return read_path(path)

    def run(self, *, katalog, table, source_name, dry_run):
        return run_import(katalog=katalog, table=table, source_name=source_name, dry_run=dry_run)

    def write_report(self, outcome, out):
        write_import_report(outcome.rejections, out, conflicts=outcome.conflicts, data=outcome.data)
