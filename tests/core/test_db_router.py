"""The read-replica router (katalog/core/db_router.py). In the tests `replica` is a second alias
of the test database (TEST MIRROR): its own connection, which sees only committed rows, so the
tests commit (`transaction=True`; the factories put the migrations' regions back after a flush),
and what goes where is counted per alias."""

import pytest
from django.contrib.sessions.models import Session
from django.db import connections, router, transaction
from django.test.utils import CaptureQueriesContext

from katalog.catalogue.models import Product
from katalog.core.db_router import reads_from_replica
from katalog.vendors.models import Vendor
from tests import factories as f

pytestmark = pytest.mark.django_db(databases=["default", "replica"], transaction=True)


@pytest.fixture
def replica_on(settings):
    settings.KATALOG_REPLICA_READS = True


def test_without_a_replica_everything_reads_and_writes_the_primary(db):
    with reads_from_replica():
        assert router.db_for_read(Product) == "default"
    assert router.db_for_write(Product) == "default"


def test_with_a_replica_only_marked_reads_go_there_and_writes_never(replica_on):
    assert router.db_for_read(Product) == "default"  # not marked
    with reads_from_replica():
        assert router.db_for_read(Product) == "replica"
        assert router.db_for_read(Vendor) == "replica"
        assert router.db_for_write(Product) == "default"
        # What a request needs fresh stays on the primary: sessions, users, throttling.
        assert router.db_for_read(Session) == "default"
        from django.contrib.auth import get_user_model

        assert router.db_for_read(get_user_model()) == "default"
        with transaction.atomic():
            assert router.db_for_read(Product) == "default"  # a transaction reads what it wrote
    assert router.db_for_read(Product) == "default"
    assert not router.allow_migrate("replica", "catalogue")
    assert router.allow_migrate("default", "catalogue")


def _queries(client, url):
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(connections["replica"]) as rep:
        response = client.get(url)
    assert response.status_code == 200, url
    return [q["sql"] for q in primary.captured_queries], [q["sql"] for q in rep.captured_queries]


def test_the_dashboard_and_the_public_pages_read_from_the_replica(replica_on, client, medan, users):
    vendor = f.make_vendor(medan)
    product = f.make_product(vendor, name="Ulos Ragi Hotang")
    client.force_login(users["catalogue_manager"])

    primary, replica = _queries(client, "/dasbor/umkm/")
    assert any("vendors_vendor" in sql for sql in replica), "the UMKM counts come from the replica"
    assert not any("vendors_vendor" in sql for sql in primary)
    assert any("django_session" in sql for sql in primary), "the session is read from the primary"
    assert not any("django_session" in sql for sql in replica)

    primary, replica = _queries(client, "/dasbor/belanja/")  # every dashboard
    assert replica

    primary, replica = _queries(client, f"/produk/{product.pk}/")
    assert any("catalogue_product" in sql for sql in replica)

    primary, replica = _queries(client, "/cari/?q=ulos")
    assert replica


def test_pages_that_act_read_from_the_primary(replica_on, client, medan, users):
    client.force_login(users["pp"])
    primary, replica = _queries(client, "/belanja/pesanan/")
    assert primary and not replica
