from dataclasses import dataclass, fields

from django.db.models import Max

from katalog.core.collector import few_collections, run_from_command_line
from katalog.core.import_command import TenantImportCommand
from katalog.vendors.imports import ImportOutcome, read_path, run_import, write_import_report


@dataclass
class InvitedOutcome(ImportOutcome):
    """The import's outcome with how many owners of new records `--invite` invited."""

    invited: int = 0

    def summary(self) -> str:
        return f"{super().summary()}, invited {self.invited}"


class Command(TenantImportCommand):
    help = (
        "Import the Dinas UMKM registry (CSV or XLSX) into a tenant. Rows are applied at once; a row that "
        "would overwrite a claimed vendor's data or a verified vendor's name, owner or district is held back "
        "and counted in `conflicts`. --dry-run prints the preview's counts and writes nothing. --invite "
        "invites the owners of the new records that have a phone or e-mail (at most once a week, sent by "
        "the worker at KATALOG_INVITES_PER_MINUTE) and appends `, invited N` to the summary."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--invite",
            action="store_true",
            help="invite the owners of the new records that have a phone or e-mail",
        )

    def run_from_argv(self, argv):
        run_from_command_line(super().run_from_argv, argv)  # the process ends after it: see there

    def handle(self, *args, invite=False, **options):
        self.invite = invite
        with few_collections():  # reading the file and the import: see core.collector.few_collections
            return super().handle(*args, **options)

    def read(self, path):
        return read_path(path)

    def run(self, *, katalog, table, source_name, dry_run):
        from katalog.vendors.models import Vendor
        from katalog.vendors.services import import_invite_new

        invite = getattr(self, "invite", False)
        since = (Vendor.objects.filter(katalog=katalog).aggregate(last=Max("pk"))["last"] or 0) if invite else 0
        outcome = run_import(katalog=katalog, table=table, source_name=source_name, dry_run=dry_run)
        if not invite:
            return outcome
        invited = 0 if dry_run else import_invite_new(katalog=katalog, since_pk=since)
        return InvitedOutcome(**{f.name: getattr(outcome, f.name) for f in fields(outcome)}, invited=invited)

    def write_report(self, outcome, out):
        write_import_report(outcome.rejections, out, conflicts=outcome.conflicts, data=outcome.data)
