import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from katalog.catalogue.selectors import all_search_documents
from katalog.core.models import Katalog
from katalog.demo.synthetic import generate, generate_orders
from katalog.search.services import rebuild


def analyze_all() -> None:
    """Fresh planner statistics for every table after a bulk load (PostgreSQL; issue 12: after a
    load the planner expected one row and sorted on disk until ANALYZE)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


class Command(BaseCommand):
    help = "Add a synthetic catalogue (listed products of verified vendors) for benchmarks, then reindex."

    def add_arguments(self, parser):
        parser.add_argument("--products", type=int, default=0)
        parser.add_argument("--vendors", type=int, default=0)
        parser.add_argument("--orders", type=int, default=0, help="also add orders in every state over 3 years")
        parser.add_argument("--katalog", default="12.71")
        parser.add_argument("--no-index", action="store_true", help="skip rebuilding the search index")

    def handle(self, *args, products, vendors, orders, katalog, no_index, **options):
        tenant = Katalog.objects.filter(region_id=katalog).first()
        if tenant is None:
            raise CommandError(f"no tenant {katalog}: run `katalog demo` first")
        if orders < 0:
            raise CommandError("--orders must be ≥ 0")
        if orders and not products and not vendors:
            self._orders(tenant, orders)
            return
        if products < 0 or vendors < 1:
            raise CommandError("--products must be ≥ 0 and --vendors ≥ 1")
        started = time.perf_counter()
        try:
            generate(tenant, products=products, vendors=vendors)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"generated {vendors} vendors, {products} products in {time.perf_counter() - started:.1f} s")
        analyze_all()
        if not no_index:
            started = time.perf_counter()
            count = rebuild(tenant.pk, all_search_documents(tenant))
            self.stdout.write(f"indexed {count} products in {time.perf_counter() - started:.1f} s")
        if orders:
            self._orders(tenant, orders)

    def _orders(self, tenant, orders):
        started = time.perf_counter()
        try:
            generate_orders(tenant, orders=orders)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        analyze_all()
        self.stdout.write(f"generated {orders} orders in {time.perf_counter() - started:.1f} s")
