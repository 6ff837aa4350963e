from decimal import Decimal

import pytest

from katalog.accounts.selectors import system_actor
from katalog.buying.models import BudgetLine
from katalog.catalogue import services as catalogue_services
from katalog.catalogue.models import Category
from tests import factories as f


@pytest.fixture(autouse=True)
def _tasks(settings):
    # Expiry tasks are scheduled on commit; tests do not run a worker (they call its sweep,
    # services.expire_overdue(), where they need it: reads never expire an order).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def run_notifications() -> int:
    """The task worker's part of telling people (`buying.tasks.notify`): run the notify tasks the
    dummy backend has queued and not run yet; returns how many ran."""
    from django_tasks import default_task_backend

    from katalog.buying.tasks import notify

    queued = [r for r in default_task_backend.results if r.task.module_path == notify.module_path]
    for result in queued:
        default_task_backend.results.remove(result)
        result.task.call(*result.args, **result.kwargs)
    return len(queued)


@pytest.fixture
def worker():
    return run_notifications


def listed_product(katalog, vendor, *, name="Kemeja PDH", price="250000", stock=100, min_order=1):
    category, _ = Category.objects.get_or_create(katalog=katalog, code="PKN", defaults={"name": "Pakaian"})
    actor = system_actor(katalog)
    data = catalogue_services.ProductData(
        name=name, category=category, unit="potong", price=Decimal(price), min_order=min_order
    )
    product = catalogue_services.product_create(actor=actor, vendor=vendor, data=data, stock=stock)
    product = catalogue_services.product_submit(actor=actor, product=product)
    return catalogue_services.product_approve(actor=actor, product=product)


@pytest.fixture
def shop(medan, office, users):
    """A vendor (the `penyedia` user's), a listed product, and a budget line of the office."""
    vendor = f.make_vendor(medan, users=[users["penyedia"]])
    product = listed_product(medan, vendor)
    line = BudgetLine.objects.create(
        katalog=medan,
        office=office,
        kode_rup="RUP-2026-001",
        name="Pakaian dinas",
        fiscal_year=2026,
        ceiling=Decimal("10000000"),
    )
    return {"vendor": vendor, "product": product, "line": line}
