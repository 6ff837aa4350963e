"""The hottest queries of a request, compiled once per process (docs/performance.md, "Fifth pass").

The ORM compiles a queryset into SQL on every evaluation; for the handful of statements every API
request or purchasing step runs (the caller's token and memberships, the order asked for, the
budget line, the order's lock and items) that compilation cost more CPU than the database took to
answer. `fetch(Model, build, *values)` runs `build(*values)` -- a function whose queryset depends on
its arguments alone -- and keeps its SQL: later calls put their own values in the same places and
run it, without building or compiling anything, and the rows become model instances by Django's
own `ModelIterable`.

Where each value goes is learnt, not assumed: the first call compiles `build` twice, with its values
and with every value changed (`_probe`, a different change per position), and keeps the SQL only
when both compilations give the same text and every parameter is either a constant (equal in both,
equal to no value) or exactly one of the values (it moved with it). A value Django transforms (a
datetime on SQLite, a LIKE pattern) or one that changes the SQL keeps that query on the ORM for
good, which is always correct; a value of a kind `_probe` cannot change, or a constant that happens
to equal a value, leaves it to be learnt at a later call. Kept per database alias and `shape` (what
besides the values decides the query, e.g. the caller's permissions, a list's length)."""

from __future__ import annotations

import copy
import datetime
import functools
import weakref
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.fields import AutoFieldMixin
from django.db.models.query import ModelIterable

_ORM = object()  # the query stays on the ORM
_kept: dict[tuple, Any] = {}
_MAX_KEPT = 1000


def _probe(value: Any, position: int) -> Any:
    """A value of the same type, different from `value` and from the probes of the other positions,
    or _ORM when there is none to make."""
    kind, step = type(value), position + 1
    if kind is int:
        return -value - 7919 * step
    if kind is str:
        return value + "\u2063" * step
    if kind is datetime.datetime:
        return value + datetime.timedelta(microseconds=step)
    if kind is datetime.date:
        return value + datetime.timedelta(days=step)
    if kind is Decimal:
        return value + step
    return _ORM


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


class _Prepared:
    __slots__ = ("compiler", "sql", "places", "converters")

    def __init__(self, compiler, sql: str, places: list[tuple[bool, Any]]):
        self.compiler, self.sql, self.places = compiler, sql, places
        # The converters of the columns (`get_converters`, as costly as the compilation was), per
        # connection: the backend's are methods of its connection's operations.
        self.converters: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def params(self, values: tuple) -> list[Any]:
        return [values[what] if is_value else what for is_value, what in self.places]


def _compiled(queryset: QuerySet, alias: str):
    compiler = queryset.query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    return compiler, sql, list(params)


_AGAIN = object()  # not learnt from these values (a value of no known kind, a coincidence): next time


def _learn(queryset: QuerySet, build: Callable[..., QuerySet], values: tuple, alias: str) -> Any:
    """The prepared query, _ORM for good, or _AGAIN."""
    if queryset._iterable_class is not ModelIterable or queryset._prefetch_related_lookups:
        return _ORM
    if queryset._known_related_objects:
        return _ORM
    probes = tuple(_probe(v, j) for j, v in enumerate(values))
    if any(p is _ORM for p in probes):
        return _AGAIN
    try:
        compiler, sql, params = _compiled(queryset, alias)
        _other, other_sql, other_params = _compiled(build(*probes), alias)
    except Exception:  # e.g. an empty result known before any SQL, a probe the field refuses
        return _AGAIN
    if sql != other_sql or len(params) != len(other_params):
        return _ORM
    places: list[tuple[bool, Any]] = []
    for a, b in zip(params, other_params, strict=True):
        mine = {j for j, v in enumerate(values) if _same(a, v)}
        theirs = {j for j, v in enumerate(probes) if _same(b, v)}
        if len(mine & theirs) == 1:
            places.append((True, (mine & theirs).pop()))
        elif mine or theirs:
            return _AGAIN  # a constant equal to a value, this time
        elif _same(a, b):
            places.append((False, a))
        else:
            return _ORM  # a value Django transforms
    return _Prepared(compiler, sql, places)


class _Run:
    """What `ModelIterable` reads of a queryset, around a compiler that already holds its SQL."""

    _known_related_objects: dict = {}

    def __init__(self, compiler, alias: str, model: type[Model]):
        self.compiler, self.db, self.model, self.query = compiler, alias, model, self

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        return self.compiler


def fetch(
    model: type[Model], build: Callable[..., QuerySet], *values: Any, shape: Any = None, for_write: bool = False
) -> list:
    """`list(build(*values))`, its SQL compiled once per process (see above): `model`'s instances,
    with what the queryset selects related. `build` must depend on its arguments alone. `shape`:
    what else decides the query's form (flags, how many values a list holds), part of the key and,
    when given, passed first: `build(shape, *values)`. `for_write`: the query reads for a write
    (`select_for_update`), from the database writes go to."""
    alias = router.db_for_write(model) if for_write else router.db_for_read(model)
    key = (build, shape, alias)
    if shape is not None:
        build = functools.partial(build, shape)
    prepared = _kept.get(key)
    if prepared is None:
        queryset = build(*values)
        prepared = _learn(queryset, build, values, alias)
        if prepared is not _AGAIN:
            if len(_kept) >= _MAX_KEPT:
                _kept.clear()
            _kept[key] = prepared
        if not isinstance(prepared, _Prepared):
            return list(queryset.using(alias))
    if prepared is _ORM:
        return list(build(*values).using(alias))
    connection = connections[alias]
    compiler = copy.copy(prepared.compiler)
    compiler.connection, compiler.using = connection, alias
    sql, params = prepared.sql, prepared.params(values)
    compiler.as_sql = lambda *args, **kwargs: (sql, params)
    converters = prepared.converters.get(connection)
    if converters is None:
        fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
        converters = prepared.converters[connection] = compiler.get_converters(fields)
    compiler.get_converters = lambda fields: converters
    return list(ModelIterable(_Run(compiler, alias, model)))


_INSERTS: dict[tuple, tuple[str, list]] = {}


def insert(instance: Model, connection) -> None:
    """INSERT `instance` as one new row in one plain statement (no `save`, no signals), inside the
    caller's transaction: every concrete column but an id the database assigns (a caller that needs
    it wraps `insert_statement`, e.g. `… RETURNING id`)."""
    sql, params = insert_statement(instance, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    instance._state.adding, instance._state.db = False, connection.alias


def insert_statement(instance: Model, connection) -> tuple[str, list]:
    """The plain INSERT of `insert` and its parameters; the SQL kept per model and database."""
    model = type(instance)
    kept = _INSERTS.get((model, connection.vendor))
    if kept is None:
        fields = [f for f in model._meta.concrete_fields if not isinstance(f, AutoFieldMixin)]
        quote = connection.ops.quote_name
        columns, values = ", ".join(quote(f.column) for f in fields), ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({values})"  # noqa: S608
        kept = _INSERTS[(model, connection.vendor)] = (sql, fields)
    sql, fields = kept
    return sql, [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
