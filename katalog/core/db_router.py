"""Reads from a streaming replica for the pages that can stand a second of lag.

With DATABASE_REPLICA_URL set (settings.KATALOG_REPLICA_READS), the GET requests of the public
catalogue (home, search, product, storefront, compare) and of the dashboards read their rows from
the `replica` alias. Everything else, every write, anything inside a transaction, and the tables a
request needs fresh (sessions, users and memberships, sign-in throttling, the task queue) stay on
`default`, so a user who has just signed in or just changed something never reads an old copy.
Code outside a request may opt in with `with reads_from_replica(): ...`.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

REPLICA = "replica"

# The views whose GETs may read from the replica (namespace:name, as in `reverse`): the public
# catalogue, and every dashboard (the whole `insights` namespace, /dasbor/...).
REPLICA_VIEWS = frozenset(
    {"home", "catalogue:search", "catalogue:suggest", "catalogue:product", "catalogue:storefront", "catalogue:compare"}
)
REPLICA_NAMESPACES = frozenset({"insights"})

# Apps whose tables are always read from the primary, even on a replica-readable request.
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth", "accounts", "axes", "otp_totp", "otp_static", "django_tasks_db"})

_replica_ok: ContextVar[bool] = ContextVar("katalog_replica_ok", default=False)


def replica_enabled() -> bool:
    return bool(getattr(settings, "KATALOG_REPLICA_READS", False)) and REPLICA in settings.DATABASES


@contextmanager
def reads_from_replica() -> Iterator[None]:
    """Within this block, reads may go to the replica (when one is configured)."""
    token = _replica_ok.set(True)
    try:
        yield
    finally:
        _replica_ok.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not _replica_ok.get() or not replica_enabled():
            return "default"
        if model._meta.app_label in PRIMARY_ONLY_APPS or connections["default"].in_atomic_block:
            return "default"
        return REPLICA

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"  # the replica follows the primary's schema by replication


class ReplicaReadsMiddleware:
    """Marks the GET requests of REPLICA_VIEWS as replica-readable while their view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        finally:
            token = request.__dict__.pop("_replica_token", None)
            if token is not None:
                _replica_ok.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if (
            request.method in ("GET", "HEAD")
            and match is not None
            and (match.view_name in REPLICA_VIEWS or match.namespace in REPLICA_NAMESPACES)
            and replica_enabled()
        ):
            request._replica_token = _replica_ok.set(True)
        return None
