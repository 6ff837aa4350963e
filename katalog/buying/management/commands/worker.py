"""`katalog worker`: the background task worker (django-tasks' database worker) with the sweep of
overdue orders every minute beside it. Reads never expire an order; this sweep and each order's own
deadline task do (a worker stopped for a while catches up at its first sweep)."""

import logging
import threading

from django.db import close_old_connections, connection
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker

from katalog.buying.services import expire_overdue
from katalog.core.idempotency import purge_expired
from katalog.insights import redflags

logger = logging.getLogger(__name__)


def sweep_forever(every: float, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            close_old_connections()
            expired = expire_overdue()
            if expired:
                logger.warning("expired %s overdue order(s)", expired)
            purge_expired()  # idempotency keys past their lifetime (katalog/core/idempotency.py)
            redflags.sweep_if_due()  # red flags for the auditor, at most every KATALOG_FLAG_SWEEP_HOURS
        except Exception:  # the sweep must outlive a database hiccup
            logger.exception("the sweep of overdue orders failed; trying again in %s s", every)
        finally:
            connection.close()
        stop.wait(every)


class Command(DatabaseWorker):
    help = "Run the background task worker and the sweep of overdue orders (every minute)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--sweep-every", type=float, default=60.0, help="seconds between sweeps (default 60)")

    def handle(self, *args, sweep_every: float, **options):
        stop = threading.Event()
        thread = threading.Thread(target=sweep_forever, args=(sweep_every, stop), name="sweep", daemon=True)
        thread.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
