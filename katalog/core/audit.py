"""The one way a service writes its audit entry, and the hash chain that makes the log tamper-evident.

Each tenant (Katalog) has its own chain; entries of no tenant form one more chain (key "-"). An
entry's `hash` is the SHA-256 of a canonical JSON of its fields and of `prev_hash`, the hash of the
entry before it in the same chain (by id). `AuditChain` keeps each chain's head (last hash, count);
appending locks the head row, so concurrent transactions append one after the other. Editing,
deleting or reordering rows in the database breaks the chain, which `verify_chain` (and
`katalog verify_audit`) finds.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import connections, models, router, transaction
from django.utils import timezone

from . import prepared
from .models import AuditChain, AuditLog, Katalog
from .request_context import current_client_address

NO_TENANT = "-"


def record(*, actor: Any, action: str, obj: models.Model, katalog: Katalog | None, **data: Any) -> AuditLog:
    """Write an audit entry inside the caller's transaction. `actor` may be None (the system).

    On PostgreSQL two statements: the chain's head read and locked, then the entry inserted and the
    head moved in one statement (a data-modifying `WITH`); elsewhere the model's `save` (three)."""
    entry = AuditLog(
        katalog=katalog,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        data={
            k: (str(v) if not isinstance(v, int | float | bool | str | type(None) | list | dict) else v)
            for k, v in data.items()
        },
    )
    using = router.db_for_write(AuditLog, instance=entry)
    connection = connections[using]
    if connection.vendor != "postgresql":
        entry.save(using=using)
        return entry
    with transaction.atomic(using=using, savepoint=False):
        (head,) = _chain([entry], using=using).values()
        insert, params = prepared.insert_statement(entry, connection)
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH head AS ({_move_head_sql(connection)}) {insert} RETURNING id",
                [head.last_hash, head.count, head.key, *params],
            )
            (entry.pk,) = cursor.fetchone()
    entry._state.adding, entry._state.db = False, using
    return entry


def actor_name(user: Any) -> str:
    """The name an entry keeps of its actor: "Full Name (username)", or the user name alone."""
    if user is None:
        return ""
    full = (user.get_full_name() or "").strip()
    return f"{full} ({user.get_username()})" if full else user.get_username()


def chain_key(katalog_id: int | None) -> str:
    return NO_TENANT if katalog_id is None else str(katalog_id)


def _json_value(value: Any) -> Any:
    # What the JSON column gives back: tuples become lists, keys become strings.
    return json.loads(json.dumps(value))


def entry_hash(entry: AuditLog) -> str:
    """SHA-256 over a canonical JSON of the entry's fields and its `prev_hash` (never its id)."""
    at = entry.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    fields = {
        "katalog": entry.katalog_id,
        "actor": entry.actor_id,
        "actor_name": entry.actor_name,
        "actor_address": entry.actor_address,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "data": entry.data,
        "at": at,
        "prev_hash": entry.prev_hash,
    }
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def chain_entries(entries: list[AuditLog], *, using: str = "default") -> None:
    """Fill in the actor's name and address, the time, `prev_hash` and `hash` of new entries, in
    order, and move their chains' heads. Must run in the transaction that inserts them: the heads
    stay locked until it ends."""
    heads = _chain(entries, using=using)
    if heads:
        with connections[using].cursor() as cursor:
            for head in heads.values():
                cursor.execute(_move_head_sql(connections[using]), [head.last_hash, head.count, head.key])


def _move_head_sql(connection) -> str:
    """Store a chain's moved head: parameters last hash, count, key."""
    table = connection.ops.quote_name(AuditChain._meta.db_table)
    return f"UPDATE {table} SET last_hash = %s, count = %s WHERE key = %s"  # noqa: S608


def _lock_head(key: str, *, using: str) -> AuditChain | None:
    """The chain's head, locked (`FOR UPDATE` where the database has it), in one plain statement."""
    connection = connections[using]
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    table = connection.ops.quote_name(AuditChain._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT last_hash, count FROM {table} WHERE key = %s{lock}", [key])  # noqa: S608
        row = cursor.fetchone()
    return None if row is None else AuditChain(key=key, last_hash=row[0], count=row[1])


def _chain(entries: list[AuditLog], *, using: str) -> dict[str, AuditChain]:
    """`chain_entries` without storing the heads: returns them, moved, for the caller to store."""
    if not entries:
        return {}
    if not transaction.get_connection(using).in_atomic_block:
        raise RuntimeError("Audit entries are chained inside a transaction.")
    heads: dict[str, AuditChain] = {}
    address = current_client_address()
    for entry in entries:
        if entry.actor_id and not entry.actor_name:
            entry.actor_name = actor_name(entry.actor)
        if not entry.actor_address:
            entry.actor_address = address
        if entry.at is None:
            entry.at = timezone.now()
        entry.data = _json_value(entry.data if entry.data is not None else {})
        key = chain_key(entry.katalog_id)
        if key not in heads:
            head = _lock_head(key, using=using)
            if head is None:  # the chain's first entry (a concurrent first one waits on the key)
                AuditChain.objects.using(using).get_or_create(key=key)
                head = _lock_head(key, using=using)
            heads[key] = head
        head = heads[key]
        entry.prev_hash = head.last_hash
        entry.hash = entry_hash(entry)
        head.last_hash = entry.hash
        head.count += 1
    return heads


@dataclass
class ChainReport:
    key: str
    count: int
    problem: str = ""  # empty: the chain is whole
    head: str = ""  # the last entry's hash


def verify_chain(key: str, *, using: str = "default") -> ChainReport:
    """Walk one chain in id order; name the first entry edited, deleted or reordered."""
    qs = AuditLog.objects.using(using).order_by("id")
    qs = qs.filter(katalog__isnull=True) if key == NO_TENANT else qs.filter(katalog_id=int(key))
    prev_hash, prev_id, count = "", None, 0
    for entry in qs.iterator(chunk_size=2000):
        if entry_hash(entry) != entry.hash:
            return ChainReport(key, count, f"entry {entry.id} was edited (its content no longer matches its hash)")
        if entry.prev_hash != prev_hash:
            where = f"between entry {prev_id} and entry {entry.id}" if prev_id else f"before entry {entry.id}"
            moved = entry.prev_hash and AuditLog.objects.using(using).filter(hash=entry.prev_hash).exists()
            if moved:
                return ChainReport(
                    key, count, f"entry {entry.id} was reordered (it does not follow the entry it names)"
                )
            return ChainReport(key, count, f"an entry {where} was deleted or altered")
        prev_hash, prev_id = entry.hash, entry.id
        count += 1
    head = AuditChain.objects.using(using).filter(key=key).first()
    expected_hash, expected_count = (head.last_hash, head.count) if head else ("", 0)
    if (prev_hash, count) != (expected_hash, expected_count):
        after = f"after entry {prev_id}" if prev_id else "at the start"
        return ChainReport(
            key, count, f"entries {after} were deleted ({count} found, the chain's head records {expected_count})"
        )
    return ChainReport(key, count, head=prev_hash)


def chain_keys(*, using: str = "default") -> list[str]:
    """Every chain with a head or with entries."""
    keys = set(AuditChain.objects.using(using).values_list("key", flat=True))
    for katalog_id in AuditLog.objects.using(using).order_by().values_list("katalog_id", flat=True).distinct():
        keys.add(chain_key(katalog_id))
    return sorted(keys, key=lambda k: (k != NO_TENANT, int(k) if k != NO_TENANT else 0))
