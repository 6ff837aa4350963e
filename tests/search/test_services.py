"""Search services: the registered loader drains the outbox after commit; the synonym list is
written by a service that takes the actor, checks the right and audits."""

import logging

import pytest

from katalog.core.errors import NotAllowed, ValidationFailed
from katalog.core.models import AuditLog
from katalog.search import services as search_services
from katalog.search.models import SearchOutbox, Synonym
from katalog.search.selectors import search
from katalog.search.services import refresh_products, set_synonyms, synonyms_replace
from tests import factories as f

from .catalogue import PRODUCTS, TENANT, document

pytestmark = pytest.mark.django_db


# --- refresh_products / apply_pending ------------------------------------------------------------


def test_refresh_queues_now_and_applies_with_the_registered_loader_after_commit(
    backend, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(search_services, "_loader", lambda ids: [document(PRODUCTS[0])] if 1 in ids else [])
    with django_capture_on_commit_callbacks(execute=True):
        assert refresh_products(TENANT, [1, 1]) == 1
        assert list(SearchOutbox.objects.values_list("product_id", flat=True)) == [1]
        assert search(TENANT, "kertas").ids == []
    assert search(TENANT, "kertas").ids == [1]
    assert not SearchOutbox.objects.exists()


def test_refreshing_nothing_schedules_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as hooks:
        assert refresh_products(TENANT, []) == 0
    assert hooks == [] and not SearchOutbox.objects.exists()


def test_without_a_loader_the_rows_wait_for_the_worker(backend, monkeypatch, caplog):
    monkeypatch.setattr(search_services, "_loader", None)
    search_services.enqueue(TENANT, [1])
    with caplog.at_level(logging.WARNING, logger="katalog.search.services"):
        assert search_services.apply_pending() == 0
    assert SearchOutbox.objects.count() == 1
    assert "no search loader registered" in caplog.text


def test_a_failing_apply_after_commit_is_logged_and_keeps_its_rows(backend, monkeypatch, caplog):
    def broken(product_ids):
        raise RuntimeError("catalogue down")

    monkeypatch.setattr(search_services, "_loader", broken)
    search_services.enqueue(TENANT, [1])
    with caplog.at_level(logging.ERROR, logger="katalog.search.services"):
        assert search_services.apply_pending() == 0  # when: no exception reaches the request
    assert SearchOutbox.objects.count() == 1
    assert "applying the search outbox failed" in caplog.text


# --- synonyms_replace ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [r for r in f.ALL_ROLES if r != "catalogue_manager"])
def test_only_the_catalogue_manager_replaces_synonyms(users, medan, role):
    set_synonyms(medan.pk, [("atk", "alat tulis kantor")])
    with pytest.raises(NotAllowed):
        synonyms_replace(actor=f.actor(users[role]), pairs=[("pdh", "pakaian dinas harian")])
    assert list(Synonym.objects.values_list("term", "expansion")) == [("atk", "alat tulis kantor")]
    assert not AuditLog.objects.filter(action="search.synonyms").exists()


def test_the_catalogue_manager_replaces_the_list_and_the_change_is_audited(manager, medan, binjai):
    set_synonyms(medan.pk, [("atk", "alat tulis kantor"), ("hp", "telepon genggam")])
    set_synonyms(binjai.pk, [("atk", "alat tulis")])
    # when
    count = synonyms_replace(
        actor=f.actor(manager),
        pairs=[(" ATK ", "Alat Tulis Kantor"), ("pdh", "pakaian dinas harian"), ("pdh", "pakaian dinas harian")],
    )
    # then
    assert count == 2
    assert sorted(Synonym.objects.filter(tenant_id=medan.pk).values_list("term", "expansion")) == [
        ("atk", "alat tulis kantor"),
        ("pdh", "pakaian dinas harian"),
    ]
    assert list(Synonym.objects.filter(tenant_id=binjai.pk).values_list("term", flat=True)) == ["atk"]
    entry = AuditLog.objects.get(action="search.synonyms")
    assert (entry.actor, entry.katalog, entry.object_type, entry.object_id) == (
        manager,
        medan,
        "core.katalog",
        str(medan.pk),
    )
    assert entry.data == {"added": ["pdh = pakaian dinas harian"], "removed": ["hp = telepon genggam"], "count": 2}


@pytest.mark.parametrize("pair", [("", "alat tulis"), ("atk", "  "), ("a" * 101, "x"), ("atk", "x" * 201)])
def test_an_invalid_synonym_changes_nothing(manager, medan, pair):
    set_synonyms(medan.pk, [("atk", "alat tulis kantor")])
    with pytest.raises(ValidationFailed) as refused:
        synonyms_replace(actor=f.actor(manager), pairs=[("hp", "telepon genggam"), pair])
    assert "synonyms" in refused.value.fields
    assert list(Synonym.objects.values_list("term", "expansion")) == [("atk", "alat tulis kantor")]
    assert not AuditLog.objects.filter(action="search.synonyms").exists()
