"""`katalog export_ocds --out FILE [--katalog 12.71] [--since ISO]`: one OCDS 1.1 release package of a
tenant's purchases (every release, oldest first, no paging), as /api/v1/ocds/releases serves them."""

import json
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from katalog.core.models import Katalog
from katalog.insights import ocds


class Command(BaseCommand):
    help = "Write the OCDS 1.1 release package of a tenant's purchases to a JSON file."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="The JSON file to write.")
        parser.add_argument("--katalog", default=settings.KATALOG_DEFAULT_TENANT, help="The tenant's region code.")
        parser.add_argument("--since", default="", help="Only releases dated at or after this ISO date-time.")

    def handle(self, *args, out, katalog, since, **options):
        tenant = Katalog.objects.filter(region_id=katalog).first()
        if tenant is None:
            raise CommandError(f"No tenant with the code {katalog!r}.")
        moment = None
        if since:
            try:
                moment = datetime.fromisoformat(since)
            except ValueError as exc:
                raise CommandError(f"--since is not an ISO date-time: {since!r}") from exc
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
        site = ocds.site_url(tenant)
        uri = f"{site}/api/v1/ocds/releases"
        if since:
            uri += "?" + urlencode({"since": since})
        package = ocds.release_package(tenant, since=moment, page=None, uri=uri, site=site)
        Path(out).write_text(json.dumps(package, ensure_ascii=False, indent=2), encoding="utf-8")
        self.stdout.write(f"{len(package['releases'])} releases written to {out}")
