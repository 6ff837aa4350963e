"""What a purchasing step does once its transaction committed (its tasks queued, the next person told),
run together in one transaction of its own.

`after_commit(fn)` is `transaction.on_commit(fn)` with the same rules (nothing runs before the commit,
nothing of a rolled-back transaction or savepoint runs, outside a transaction it runs at once), except
that the callbacks registered at the same level of one transaction run one after the other inside one
`transaction.atomic()` after the commit. On PostgreSQL every statement run after the commit in
autocommit mode is a commit of its own, each waiting for the WAL to reach the disk; a submission
queued its expiry, wrote the PPK's notification and message and queued the message: four flushes,
now two (the message's task is queued by `messaging` once the batch committed). If one callback
fails, nothing of the batch stays and each runs again on its own, in order: the work before the
failing one is stored once, and the failure is logged, not raised. The step itself is committed by
then: a notification that cannot be written must not turn the saved step into an error page (as
`on_commit(..., robust=True)`)."""

import logging

from django.db import transaction

log = logging.getLogger(__name__)


class _Batch:
    def __init__(self, savepoints: tuple[str, ...]):
        self.savepoints = savepoints
        self.callbacks: list = []

    def __call__(self) -> None:
        callbacks, self.callbacks = self.callbacks, []
        if len(callbacks) > 1:
            try:
                with transaction.atomic():
                    for callback in callbacks:
                        callback()
                return
            except Exception:
                log.warning("after-commit work failed together; running each on its own", exc_info=True)
        for callback in callbacks:
            try:
                with transaction.atomic():
                    callback()
            except Exception:
                log.exception("after-commit work %r failed; the step itself is saved", callback)


def after_commit(callback, *, using: str | None = None) -> None:
    """Run `callback` after the current transaction commits, with the step's other after-commit work."""
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        callback()
        return
    savepoints = tuple(connection.savepoint_ids)
    # A batch is joined only at the savepoint level it was registered at, so it is discarded with what
    # it holds, and only while Django still holds it (not run yet, not dropped with a rollback).
    held = {id(entry[1]) for entry in connection.run_on_commit}
    batches = {
        level: batch for level, batch in getattr(connection, "_katalog_after_commit", {}).items() if id(batch) in held
    }
    batch = batches.get(savepoints)
    if batch is None:
        batch = batches[savepoints] = _Batch(savepoints)
        connection.on_commit(batch)
    connection._katalog_after_commit = batches
    batch.callbacks.append(callback)
