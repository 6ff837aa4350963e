"""What a purchasing step does once its transaction committed (its tasks queued, the next person told),
run together in one transaction of its own.

`after_commit(fn)` is `transaction.on_commit(fn)` with the same rules (nothing runs before the commit,
nothing of a rolled-back transaction or savepoint runs, outside a transaction it runs at once), except
that the callbacks registered at the same level of one transaction run one after the other inside one
`transaction.atomic()` after the commit. On PostgreSQL every statement run after the commit in
autocommit mode is a commit of its own, each waiting for the WAL to reach the disk; a submission
queued its expiry, wrote the PPK's notification and message and queued the message: four flushes,
then one batch (and, with `queue_task` below on the database queue, none). If one callback
fails, nothing of the batch stays and each runs again on its own, in order: the work before the
failing one is stored once, and the failure is logged, not raised. The step itself is committed by
then: a notification that cannot be written must not turn the saved step into an error page (as
`on_commit(..., robust=True)`).

`queue_task(task, …)` is for work handed to the task worker: with the database task queue on the
same database (as deployed), the task's row is written inside the step's own transaction, so the
worker sees it only once the step committed, a rolled-back step leaves none, and the step has no
work left after its commit (no second transaction, no second WAL flush); with any other task backend
it is enqueued with `after_commit`."""

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


def _database_queue(connection):
    """The default task backend when it writes its queue in `connection`'s database (django-tasks-db),
    else None."""
    from django.db import router
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    if isinstance(backend, DatabaseBackend) and router.db_for_write(DBTaskResult) == connection.alias:
        return backend
    return None


def _insert_task(backend, task, args: tuple, kwargs: dict, connection) -> None:
    """What `DatabaseBackend.enqueue` writes (the same row, its signal sent), in one plain INSERT: the
    ORM's `create` of the queue's 15 columns cost more than the rest of a step's queuing."""
    from django_tasks.signals import task_enqueued
    from django_tasks_db.compat import normalize_json
    from django_tasks_db.models import DBTaskResult, get_date_max

    from katalog.core import prepared

    backend.validate_task(task)
    row = DBTaskResult(
        id=backend._get_id(),
        args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
        priority=task.priority,
        task_path=task.module_path,
        queue_name=task.queue_name,
        run_after=task.run_after or get_date_max(),
        backend_name=backend.alias,
    )
    prepared.insert(row, connection)
    task_enqueued.send(type(backend), task_result=row.task_result)


def queue_task(task, *args, using: str | None = None, **kwargs) -> None:
    """`task.enqueue(*args, **kwargs)` for the task worker, to run once the current transaction
    commits: its row written in the transaction itself where the task queue is a table of the same
    database (see above), else enqueued after the commit with the step's other after-commit work (a
    failure to queue is logged: the step itself is saved)."""
    connection = transaction.get_connection(using)
    backend = _database_queue(connection) if connection.in_atomic_block else None
    if backend is not None and task.backend == backend.alias:
        _insert_task(backend, task, args, kwargs, connection)
        return

    def enqueue():
        try:
            task.enqueue(*args, **kwargs)
        except Exception:  # e.g. no task backend: the sweep, a download or the page covers it
            log.exception("could not queue %s%r", task.name, args)

    after_commit(enqueue, using=using)
