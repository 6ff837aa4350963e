"""Errors of the API, always JSON: `{"code": "...", "message": "..."}`, with `fields` for a request that
does not validate: `{"code": "invalid", "message": "...", "fields": {"items.0.quantity": ["..."]}}`.

Every message is in the user's language (Indonesian unless the language cookie chose English,
`katalog.core.language`): pydantic's English ("Field required", "Input should be less than or
equal to 10000000") is replaced by a sentence of our own for each pydantic error type, with the
limit written as the user writes numbers ("10.000.000").

`install(api)` registers the handlers on a NinjaAPI; `safe_rows(rows, fn, Schema)` serializes a list
so that one bad row is skipped and logged instead of turning the whole list into a 500.
"""

import logging
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from django.db import DatabaseError, DataError
from django.http import Http404
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from katalog.core.errors import DomainError

logger = logging.getLogger("katalog.api")

# --- pydantic error type → a sentence -------------------------------------------------------------

REQUIRED = gettext_lazy("This field is required.")
WHOLE_NUMBER = gettext_lazy("Must be a whole number.")
NUMBER = gettext_lazy("Must be a number.")
TOO_LARGE = gettext_lazy("This number is too large.")
AT_MOST = gettext_lazy("Must be at most %(limit)s.")
LESS_THAN = gettext_lazy("Must be less than %(limit)s.")
AT_LEAST = gettext_lazy("Must be at least %(limit)s.")
MORE_THAN = gettext_lazy("Must be more than %(limit)s.")
ON_OR_BEFORE = gettext_lazy("Must be on or before %(limit)s.")
ON_OR_AFTER = gettext_lazy("Must be on or after %(limit)s.")
MULTIPLE_OF = gettext_lazy("Must be a multiple of %(limit)s.")
WHOLE_RUPIAH = gettext_lazy("Must be whole rupiah, without sen.")
DECIMAL_PLACES = gettext_lazy("Must have at most %(limit)s decimal places.")
DIGITS = gettext_lazy("Must have at most %(limit)s digits.")
TEXT = gettext_lazy("Must be text.")
NOT_EMPTY = gettext_lazy("Must not be empty.")
CHARS_AT_MOST = gettext_lazy("Must be at most %(limit)s characters.")
CHARS_AT_LEAST = gettext_lazy("Must be at least %(limit)s characters.")
FORMAT = gettext_lazy("Has an invalid format.")
NUL = gettext_lazy("Must not contain a NUL character.")
DATE = gettext_lazy("Must be a date in the form YYYY-MM-DD.")
DATE_WITHOUT_TIME = gettext_lazy("Must be a date without a time.")
DATETIME = gettext_lazy("Must be a date and time in the form YYYY-MM-DDTHH:MM:SS.")
BOOLEAN = gettext_lazy("Must be true or false.")
JSON = gettext_lazy("Must be valid JSON.")
LIST = gettext_lazy("Must be a list.")
ITEMS_AT_MOST = gettext_lazy("Must have at most %(limit)s items.")
ITEMS_AT_LEAST = gettext_lazy("Must have at least %(limit)s items.")
OBJECT = gettext_lazy("Must be a JSON object.")
ONE_OF = gettext_lazy("Must be one of: %(expected)s.")
UNKNOWN_FIELD = gettext_lazy("Unknown field.")
INVALID = gettext_lazy("This value is not valid.")
BODY_NOT_JSON = gettext_lazy("The request body is not valid JSON.")

MESSAGES = {
    "missing": REQUIRED,
    "missing_argument": REQUIRED,
    "missing_keyword_only_argument": REQUIRED,
    "missing_positional_only_argument": REQUIRED,
    "int_parsing": WHOLE_NUMBER,
    "int_type": WHOLE_NUMBER,
    "int_from_float": WHOLE_NUMBER,
    "int_parsing_size": TOO_LARGE,
    "number_too_large": TOO_LARGE,
    "float_parsing": NUMBER,
    "float_type": NUMBER,
    "finite_number": NUMBER,
    "decimal_parsing": NUMBER,
    "decimal_type": NUMBER,
    "whole_rupiah": WHOLE_RUPIAH,
    "decimal_max_digits": DIGITS,
    "decimal_whole_digits": TOO_LARGE,
    "multiple_of": MULTIPLE_OF,
    "string_type": TEXT,
    "string_unicode": TEXT,
    "string_sub_type": TEXT,
    "string_too_long": CHARS_AT_MOST,
    "string_pattern_mismatch": FORMAT,
    "nul_character": NUL,
    "date_type": DATE,
    "date_parsing": DATE,
    "date_from_datetime_parsing": DATE,
    "date_from_datetime_inexact": DATE_WITHOUT_TIME,
    "date_future": INVALID,
    "date_past": INVALID,
    "datetime_type": DATETIME,
    "datetime_parsing": DATETIME,
    "datetime_from_date_parsing": DATETIME,
    "datetime_object_invalid": DATETIME,
    "timezone_aware": DATETIME,
    "timezone_naive": DATETIME,
    "bool_parsing": BOOLEAN,
    "bool_type": BOOLEAN,
    "json_invalid": JSON,
    "json_type": JSON,
    "list_type": LIST,
    "tuple_type": LIST,
    "set_type": LIST,
    "frozen_set_type": LIST,
    "iterable_type": LIST,
    "dict_type": OBJECT,
    "mapping_type": OBJECT,
    "model_type": OBJECT,
    "model_attributes_type": OBJECT,
    "dataclass_type": OBJECT,
    "literal_error": ONE_OF,
    "enum": ONE_OF,
    "extra_forbidden": UNKNOWN_FIELD,
}

# Types whose ctx carries the limit, under which key (the message then says it).
_LIMITS = {
    "less_than_equal": ("le", AT_MOST, ON_OR_BEFORE),
    "less_than": ("lt", LESS_THAN, ON_OR_BEFORE),
    "greater_than_equal": ("ge", AT_LEAST, ON_OR_AFTER),
    "greater_than": ("gt", MORE_THAN, ON_OR_AFTER),
    "multiple_of": ("multiple_of", MULTIPLE_OF, MULTIPLE_OF),
    "string_too_long": ("max_length", CHARS_AT_MOST, CHARS_AT_MOST),
    "string_too_short": ("min_length", CHARS_AT_LEAST, CHARS_AT_LEAST),
    "too_long": ("max_length", ITEMS_AT_MOST, ITEMS_AT_MOST),
    "too_short": ("min_length", ITEMS_AT_LEAST, ITEMS_AT_LEAST),
    "decimal_max_places": ("decimal_places", DECIMAL_PLACES, DECIMAL_PLACES),
    "decimal_max_digits": ("max_digits", DIGITS, DIGITS),
}

_SOURCES = ("body", "query", "path", "header", "cookie", "form", "file")


def _shown(limit: Any) -> str:
    """A limit as the user writes it: 10.000.000 (Indonesian) or 10,000,000 (English); a date in words."""
    if isinstance(limit, bool):
        return str(limit)
    if isinstance(limit, datetime | date):
        return formats.date_format(limit, "j F Y")
    if isinstance(limit, int | Decimal | float):
        return formats.number_format(limit, force_grouping=True)
    return str(limit)


def _as_date(limit: Any) -> Any:
    """pydantic gives a date limit as its ISO text ("1900-01-01")."""
    if isinstance(limit, str) and len(limit) == 10:
        try:
            return date.fromisoformat(limit)
        except ValueError:
            return limit
    return limit


def message_for(error: dict) -> str:
    """One pydantic error (`{"type", "loc", "msg", "ctx"}`) as a sentence in the active language."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind in _LIMITS:
        key, for_numbers, for_dates = _LIMITS[kind]
        limit = ctx.get(key)
        if limit is None:
            return str(INVALID)
        if kind == "string_too_short" and limit == 1:
            return str(NOT_EMPTY)
        if kind == "decimal_max_places" and limit == 0:
            return str(WHOLE_NUMBER)
        limit = _as_date(limit)
        template = for_dates if isinstance(limit, date) else for_numbers
        return str(template) % {"limit": _shown(limit)}
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", "")).replace(" or ", ", ")
        return str(ONE_OF) % {"expected": expected}
    if kind in ("value_error", "assertion_error"):
        # Raised by our own validators: their message is already a sentence in the user's language.
        reason = ctx.get("error")
        return str(reason) if reason else str(INVALID)
    message = MESSAGES.get(kind)
    if message is None:
        logger.debug("no message for the pydantic error type %r", kind)
        return str(INVALID)
    return str(message)


def field_name(loc: Iterable[Any], kind: str = "") -> str:
    """`("body", "payload", "items", 0, "quantity")` → `items.0.quantity`; `("query", "limit")` → `limit`.
    The source goes, and for a body the parameter's own name; an error of the body as a whole
    (missing, not an object) is the field `body`."""
    parts = [str(p) for p in loc]
    source = parts.pop(0) if parts and parts[0] in _SOURCES else ""
    if source == "body" and parts:
        if len(parts) == 1 and kind in ("missing", "model_type", "dict_type", "model_attributes_type"):
            return "body"
        if len(parts) > 1:
            parts.pop(0)
    return ".".join(parts) or "request"


def field_errors(errors: Iterable[dict]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for err in errors:
        name = field_name(err.get("loc", ()), err.get("type", ""))
        message = message_for(err)
        if message not in fields.setdefault(name, []):
            fields[name].append(message)
    return fields


# --- One bad row does not fail a list --------------------------------------------------------------

Row = TypeVar("Row")
Out = TypeVar("Out")


def safe_rows(rows: Iterable[Row], fn: Callable[[Row], Any], schema: type[Out] | None = None) -> list[Out]:
    """`[schema.model_validate(fn(row)) for row in rows]`, except that a row whose serialization fails
    (a stored value the schema refuses, a missing relation) is skipped and logged, so that one bad
    row never turns the whole list into a 500. Database errors are not swallowed.

        return {"count": qs.count(), "results": safe_rows(qs[:50], _out, VendorOut)}
    """
    out: list[Out] = []
    for row in rows:
        try:
            value = fn(row)
            out.append(schema.model_validate(value) if schema is not None else value)  # type: ignore[attr-defined]
        except DatabaseError:
            raise
        except Exception:
            logger.exception(
                "skipped a %s that cannot be serialized (pk=%s)",
                type(row).__name__,
                getattr(row, "pk", None),
            )
    return out


# --- The handlers -----------------------------------------------------------------------------------


def error_response(api, request, status: int, code: str, message: Any, **extra):
    return api.create_response(request, {"code": code, "message": str(message), **extra}, status=status)


def install(api) -> None:
    """Register the API's error handlers on `api` (a NinjaAPI)."""

    @api.exception_handler(DomainError)
    def on_domain_error(request, exc: DomainError):
        return api.create_response(request, exc.as_dict(), status=exc.status)

    @api.exception_handler(NinjaValidationError)
    def on_validation_error(request, exc: NinjaValidationError):
        return error_response(
            api, request, 422, "invalid", _("Some fields need fixing."), fields=field_errors(exc.errors)
        )

    @api.exception_handler(AuthenticationError)
    def on_auth_error(request, exc):
        return error_response(api, request, 401, "unauthenticated", _("Sign in first: send a valid token."))

    @api.exception_handler(Http404)
    def on_not_found(request, exc):
        return error_response(api, request, 404, "not_found", _("Not found."))

    @api.exception_handler(DataError)
    def on_data_error(request, exc):
        # A value the database cannot hold (e.g. a NUL character inside a JSON string): the request is wrong.
        return error_response(api, request, 422, "invalid", _("A value in the request cannot be stored."))

    @api.exception_handler(OverflowError)
    def on_overflow(request, exc):
        # A number beyond what the database stores (e.g. an id of 30 digits): the request is wrong.
        return error_response(api, request, 422, "invalid", _("A number in the request is too large."))

    @api.exception_handler(HttpError)
    def on_http_error(request, exc: HttpError):
        if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
            # ninja's own words when the body is not JSON at all (or not UTF-8, or nested too deep)
            message = str(BODY_NOT_JSON)
            return error_response(api, request, 400, "invalid", message, fields={"body": [message]})
        return error_response(api, request, exc.status_code, "error", str(exc))


# The Indonesian text of each message above, for katalog/locale/id/LC_MESSAGES/django.po (the catalogue
# is the truth; this is the list to paste, kept here so a reviewer sees both languages side by side).
TRANSLATIONS_ID = {
    "This field is required.": "Isian ini wajib diisi.",
    "Must be a whole number.": "Harus berupa bilangan bulat.",
    "Must be a number.": "Harus berupa angka.",
    "This number is too large.": "Angka ini terlalu besar.",
    "Must be at most %(limit)s.": "Tidak boleh lebih dari %(limit)s.",
    "Must be less than %(limit)s.": "Harus kurang dari %(limit)s.",
    "Must be at least %(limit)s.": "Tidak boleh kurang dari %(limit)s.",
    "Must be more than %(limit)s.": "Harus lebih dari %(limit)s.",
    "Must be on or before %(limit)s.": "Paling lambat %(limit)s.",
    "Must be on or after %(limit)s.": "Paling cepat %(limit)s.",
    "Must be a multiple of %(limit)s.": "Harus kelipatan %(limit)s.",
    "Must be whole rupiah, without sen.": "Harus dalam rupiah bulat, tanpa sen.",
    "Must have at most %(limit)s decimal places.": "Paling banyak %(limit)s angka di belakang koma.",
    "Must have at most %(limit)s digits.": "Paling banyak %(limit)s digit.",
    "Must be text.": "Harus berupa teks.",
    "Must not be empty.": "Tidak boleh kosong.",
    "Must be at most %(limit)s characters.": "Paling banyak %(limit)s karakter.",
    "Must be at least %(limit)s characters.": "Paling sedikit %(limit)s karakter.",
    "Has an invalid format.": "Formatnya tidak valid.",
    "Must not contain a NUL character.": "Tidak boleh berisi karakter NUL.",
    "Must be a date in the form YYYY-MM-DD.": "Harus berupa tanggal dengan format YYYY-MM-DD.",
    "Must be a date without a time.": "Harus berupa tanggal tanpa jam.",
    "Must be a date and time in the form YYYY-MM-DDTHH:MM:SS.": "Harus berupa tanggal dan jam dengan format YYYY-MM-DDTHH:MM:SS.",
    "Must be true or false.": "Harus bernilai true atau false.",
    "Must be valid JSON.": "Harus berupa JSON yang valid.",
    "Must be a list.": "Harus berupa daftar (list).",
    "Must have at most %(limit)s items.": "Paling banyak %(limit)s butir.",
    "Must have at least %(limit)s items.": "Paling sedikit %(limit)s butir.",
    "Must be a JSON object.": "Harus berupa objek JSON.",
    "Must be one of: %(expected)s.": "Harus salah satu dari: %(expected)s.",
    "Unknown field.": "Isian tidak dikenal.",
    "This value is not valid.": "Nilai ini tidak valid.",
    "The request body is not valid JSON.": "Isi permintaan bukan JSON yang valid.",
}
