import pytest

from katalog.search.backends import get_backend
from katalog.search.models import Synonym
from katalog.search.services import index_documents

from .catalogue import SYNONYMS, TENANT, documents

BACKENDS = ["database", "tantivy"]


@pytest.fixture(params=BACKENDS)
def backend(request, settings, tmp_path):
    """Every test that asks for `backend` runs once per engine, each with its own empty index."""
    settings.KATALOG_SEARCH_BACKEND = request.param
    settings.KATALOG_TANTIVY_DIR = tmp_path / "tantivy"
    return get_backend()


@pytest.fixture
def catalogue(backend, db):
    """The Medan fixture catalogue, indexed, with the demo synonyms."""
    for term, expansion in SYNONYMS:
        Synonym.objects.create(tenant_id=TENANT, term=term, expansion=expansion)
    index_documents(documents(), backend=backend)
    return backend


@pytest.fixture
def postgres_engine(db):
    """The PostgreSQL backend holding the generated catalogue of test_backends_agree (skipped on
    another database)."""
    from django.db import connection

    from katalog.search.backends.database import PostgresBackend

    from .test_backends_agree import DOCS

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL backend only")
    backend = PostgresBackend()
    index_documents(DOCS, backend=backend)
    return backend
