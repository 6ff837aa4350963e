import time

from django.core.management.base import BaseCommand

from katalog.catalogue.selectors import search_documents
from katalog.search.services import apply_outbox


class Command(BaseCommand):
    help = "Apply the search outbox: once (--once) or every few seconds until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true")
        parser.add_argument("--interval", type=float, default=2.0)

    def handle(self, *args, once=False, interval=2.0, **options):
        while True:
            done = apply_outbox(search_documents)
            if once:
                self.stdout.write(f"applied {done} outbox rows")
                return
            time.sleep(interval)
