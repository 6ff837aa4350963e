"""Engines behind the search interface; `get_backend` picks one from the settings."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import connections

from katalog.search.backends.base import SearchBackend

_tantivy: dict[str, SearchBackend] = {}


def get_backend(name: str | None = None) -> SearchBackend:
    """The backend named by KATALOG_SEARCH_BACKEND: "database" (FTS5 or PostgreSQL, by the
    engine of the default database) or "tantivy" (one index per directory, opened once)."""
    name = name or settings.KATALOG_SEARCH_BACKEND
    if name == "tantivy":
        from katalog.search.backends.tantivy_backend import TantivyBackend

        path = str(Path(settings.KATALOG_TANTIVY_DIR))
        if path not in _tantivy:
            _tantivy[path] = TantivyBackend(path)
        return _tantivy[path]
    if name in ("database", "sqlite", "postgres"):
        from katalog.search.backends.database import PostgresBackend, SqliteBackend

        vendor = connections["default"].vendor
        if vendor == "postgresql":
            return PostgresBackend()
        if vendor == "sqlite":
            return SqliteBackend()
        raise ValueError(f"No search backend for database engine {vendor!r}")
    raise ValueError(f"Unknown KATALOG_SEARCH_BACKEND {name!r}")
