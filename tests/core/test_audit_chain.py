"""The audit log is append-only and tamper-evident: each entry carries the hash of the one before it
in its tenant's chain, and `katalog verify_audit` finds any entry edited, deleted or reordered
directly in the database (the same tests run on SQLite and, with DATABASE_URL, on PostgreSQL)."""

import importlib
import threading
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction

from katalog.core import audit
from katalog.core.models import AuditChain, AuditLog, AuditLogIsAppendOnly
from tests import factories as f

TABLE = AuditLog._meta.db_table


def verify(*args) -> str:
    out = StringIO()
    call_command("verify_audit", *args, stdout=out)
    return out.getvalue().strip()


def verify_fails(*args) -> str:
    with pytest.raises(CommandError) as failure:
        verify(*args)
    assert failure.value.returncode == 1
    return str(failure.value)


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.fixture
def entries(medan, binjai, users):
    """Five entries in Medan's chain, two in Binjai's, one of no tenant."""
    made = []
    for n in range(5):
        made.append(audit.record(actor=users["admin"], action="test.write", obj=medan, katalog=medan, n=n))
    for n in range(2):
        audit.record(actor=None, action="test.write", obj=binjai, katalog=binjai, n=n)
    audit.record(actor=None, action="test.platform", obj=medan, katalog=None)
    return made


def test_a_whole_log_verifies_per_tenant_and_in_all(entries):
    assert verify() == "ok 8 entries"
    assert verify("--katalog", "12.71") == "ok 5 entries"
    assert verify("--katalog", "12.75") == "ok 2 entries"
    assert verify("--katalog", "-") == "ok 1 entries"
    first, second = entries[0], entries[1]
    assert first.prev_hash == "" and len(first.hash) == 64
    assert second.prev_hash == first.hash


def test_an_entry_edited_in_the_database_is_named(entries):
    sql(f"UPDATE {TABLE} SET object_id = %s WHERE id = %s", ["999", entries[2].pk])
    message = verify_fails("--katalog", "12.71")
    assert f"entry {entries[2].pk} was edited" in message
    # Binjai's chain is untouched.
    assert verify("--katalog", "12.75") == "ok 2 entries"


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(entries):
    """Whoever edits an entry and rewrites its hash still breaks the link of the entry after it."""
    entry = AuditLog.objects.get(pk=entries[1].pk)
    entry.action = "test.forged"
    forged = audit.entry_hash(entry)
    sql(f"UPDATE {TABLE} SET action = %s, hash = %s WHERE id = %s", ["test.forged", forged, entry.pk])
    message = verify_fails()
    assert f"between entry {entries[1].pk} and entry {entries[2].pk}" in message


def test_the_time_of_an_entry_moved_is_an_edit(entries):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT at FROM {TABLE} WHERE id = %s", [entries[0].pk])
        (at,) = cursor.fetchone()
    sql(f"UPDATE {TABLE} SET at = %s WHERE id = %s", [at, entries[3].pk])
    assert f"entry {entries[3].pk} was edited" in verify_fails()


def test_a_deleted_entry_is_found(entries):
    sql(f"DELETE FROM {TABLE} WHERE id = %s", [entries[2].pk])
    message = verify_fails("--katalog", "12.71")
    assert f"between entry {entries[1].pk} and entry {entries[3].pk} was deleted" in message


def test_the_first_and_the_last_entries_deleted_are_found(entries):
    sql(f"DELETE FROM {TABLE} WHERE id = %s", [entries[4].pk])
    assert f"entries after entry {entries[3].pk} were deleted" in verify_fails("--katalog", "12.71")
    sql(f"DELETE FROM {TABLE} WHERE id = %s", [entries[0].pk])
    assert f"before entry {entries[1].pk} was deleted" in verify_fails("--katalog", "12.71")


def test_reordered_entries_are_found(entries):
    a, b = entries[1].pk, entries[3].pk
    sql(f"UPDATE {TABLE} SET id = %s WHERE id = %s", [-1, a])
    sql(f"UPDATE {TABLE} SET id = %s WHERE id = %s", [a, b])
    sql(f"UPDATE {TABLE} SET id = %s WHERE id = %s", [b, -1])
    assert f"entry {a} was reordered" in verify_fails("--katalog", "12.71")


def test_the_orm_refuses_to_change_or_delete_an_entry(entries):
    entry = AuditLog.objects.get(pk=entries[0].pk)
    entry.action = "test.changed"
    with pytest.raises(AuditLogIsAppendOnly):
        entry.save()
    with pytest.raises(AuditLogIsAppendOnly):
        entry.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditLog.objects.filter(pk=entry.pk).update(action="test.changed")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditLog.objects.filter(pk=entry.pk).delete()
    assert AuditLog.objects.get(pk=entry.pk).action == "test.write"
    assert verify() == "ok 8 entries"


def test_bulk_created_entries_are_chained(medan, users):
    audit.record(actor=users["admin"], action="test.one", obj=medan, katalog=medan)
    with transaction.atomic():
        AuditLog.objects.bulk_create(
            [
                AuditLog(katalog=medan, actor=users["admin"], action="test.bulk", object_type="x", object_id=str(n))
                for n in range(3)
            ]
        )
    assert verify("--katalog", "12.71") == "ok 4 entries"
    bulk = AuditLog.objects.filter(action="test.bulk").order_by("id")
    assert all(e.actor_name == "medan-admin" for e in bulk)


def test_each_entry_keeps_the_actors_name_as_it_was(medan, users):
    user = users["admin"]
    user.first_name, user.last_name = "Butet", "Siregar"
    user.save()
    entry = audit.record(actor=user, action="test.write", obj=medan, katalog=medan)
    user.first_name, user.username = "Renamed", "renamed"
    user.save()
    assert AuditLog.objects.get(pk=entry.pk).actor_name == "Butet Siregar (medan-admin)"
    assert entry.actor_address == ""  # no request: a command or the worker


def test_the_migration_chains_entries_written_before(medan, users):
    """Entries written before the chain existed (no hash) are chained by the data migration."""
    from django.db.migrations.loader import MigrationLoader

    for n in range(3):
        sql(
            f"INSERT INTO {TABLE} (katalog_id, actor_id, actor_name, actor_address, action, object_type, object_id, "
            "data, at, prev_hash, hash) VALUES (%s, %s, '', '', 'old.write', 'core.katalog', %s, '{}', %s, '', '')",
            [
                medan.pk,
                users["admin"].pk,
                str(n),
                f"2026-01-0{n + 1} 08:00:00",
            ],
        )
    AuditChain.objects.all().delete()
    assert "edited" in verify_fails()
    migration = importlib.import_module("katalog.core.migrations.0007_chain_existing_audit_entries")
    state = MigrationLoader(connection).project_state(("core", "0007_chain_existing_audit_entries"))
    # The function reads only the schema editor's connection (a schema editor cannot open inside
    # the test's transaction on SQLite).
    migration.chain(state.apps, SimpleNamespace(connection=connection))
    assert verify() == "ok 3 entries"
    assert set(AuditLog.objects.values_list("actor_name", flat=True)) == {"medan-admin"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises every write transaction")
@pytest.mark.django_db(transaction=True)
def test_two_transactions_appending_to_one_chain_keep_it_whole():
    """Four threads, each with its own connection, append 25 entries each to Medan's chain at once."""
    medan = f.make_katalog("12.71")
    barrier = threading.Barrier(4)
    errors = []

    def append():
        try:
            barrier.wait()
            for n in range(25):
                with transaction.atomic():
                    audit.record(actor=None, action="test.concurrent", obj=medan, katalog=medan, n=n)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert verify("--katalog", "12.71") == "ok 100 entries"
