"""The bounds every input shares, in one place: quantities, money, ids, text lengths, dates, paging.

Use the annotated types in django-ninja schemas and in query or path parameters; a value outside
its bounds is a 422 naming the field, in the user's language (`katalog.core.api_errors`):

    from katalog.core.bounds import Id, LongText, Money, Quantity, ShortText, Length

    class ItemIn(Schema):
        product: Id
        quantity: Quantity

    class OfferIn(Schema):
        unit_price: Money                      # whole rupiah, 0 < x <= KATALOG_MAX_MONEY
        note: LongText = ""

    @router.get("/{order_id}")
    def get_order(request, order_id: Id): ...

Every integer type also refuses `true`/`false` (pydantic would read them as 1 and 0). Every text
type refuses a NUL character (PostgreSQL cannot store one). Limits are read from the settings when
this module is imported. In each `Annotated`, the constraints (`Field`) come before the validators:
pydantic then writes them into the OpenAPI schema as `minimum`/`maximum`.
"""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.conf import settings
from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

# --- The limits -----------------------------------------------------------------------------------

MAX_QUANTITY: int = int(settings.KATALOG_MAX_QUANTITY)  # 10,000,000 units of one product in one order
MAX_MONEY: int = int(settings.KATALOG_MAX_MONEY)  # Rp1,000,000,000,000, the most any amount may be
MAX_ID = 10**18 - 1  # 18 digits: every id the database hands out fits, and a bigint never overflows
MAX_PAGE = 10_000  # a page beyond this is never meant, and asks the search engine for a huge window
MAX_PERCENT = 100
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2100, 12, 31)
MIN_FISCAL_YEAR, MAX_FISCAL_YEAR = 2000, 2100


class Length:
    """Text lengths, as the model fields (and the forms) hold them."""

    NAME = 200  # Product.name, ProductVersion.name, Vendor.name, Office.name
    PERSON_NAME = 150  # Vendor.owner_name, bank account holder, Membership.position
    USERNAME = 150  # django.contrib.auth User.username
    PASSWORD = 4096  # Django's historical cap: hashing a longer one is a denial of service
    UNIT = 30  # ProductVersion.unit
    CODE = 30  # Category.code, Office.code, BudgetLine.kode_rup
    REGION_CODE = 13  # Region.code ("12.71.01.1001")
    NIB_INPUT = 20  # 13 digits, with the dots or spaces people type (forms allow 20)
    NPWP_INPUT = 25  # 15 or 16 digits, with dots and dashes (forms allow 25)
    PHONE = 20  # Vendor.phone
    ADDRESS = 300  # Vendor.address, DeliveryAddress.address, Office.address
    REFERENCE = 100  # Payment.reference, Claim.number
    SEARCH = 200  # a search query (the search page reads the first 200 characters)
    STATUS = 30  # every status and role code
    REASON = 1000  # a reason for refusing, cancelling, asking for a revision (the forms allow 1000)
    LONG = 2000  # a note, a comment, a reply (TextFields; the forms allow 2000)


# --- Shared checks --------------------------------------------------------------------------------


def _refuse_bool(kind: str):
    """pydantic reads true/false as 1/0 for an int or a Decimal: nobody sending a boolean meant a number."""

    def check(value: Any) -> Any:
        if isinstance(value, bool):
            raise PydanticCustomError(kind, "Input should be a valid number")
        return value

    return BeforeValidator(check)


def _refuse_nul(value: str) -> str:
    if "\x00" in value:
        raise PydanticCustomError("nul_character", "Must not contain a NUL character")
    return value


def _whole_rupiah(value: Decimal) -> Decimal:
    if value != value.to_integral_value():
        raise PydanticCustomError("whole_rupiah", "Must be whole rupiah, without sen")
    return value.quantize(Decimal(1))


def _not_too_large(value: int) -> int:
    if abs(value) > MAX_ID:
        raise PydanticCustomError("number_too_large", "This number is too large")
    return value


_NO_BOOL_INT = _refuse_bool("int_type")
_NO_BOOL_DECIMAL = _refuse_bool("decimal_type")

# --- Numbers --------------------------------------------------------------------------------------

Id = Annotated[int, Field(ge=1, le=MAX_ID), _NO_BOOL_INT]
"""A database id (path, query or body): 1 .. 10^18 - 1."""

Quantity = Annotated[int, Field(ge=1, le=MAX_QUANTITY), _NO_BOOL_INT]
"""How many units: 1 .. KATALOG_MAX_QUANTITY (10,000,000)."""

QuantityOrZero = Annotated[int, Field(ge=0, le=MAX_QUANTITY), _NO_BOOL_INT]
"""A count that may be nothing (e.g. goods received, goods refused): 0 .. KATALOG_MAX_QUANTITY."""

Money = Annotated[Decimal, Field(gt=0, le=MAX_MONEY), _NO_BOOL_DECIMAL, AfterValidator(_whole_rupiah)]
"""An amount in whole rupiah: 0 < x <= KATALOG_MAX_MONEY (Rp1 trillion). `"1500000"`, `1500000` and
`"1500000.00"` are read as Rp1.500.000; `1500000.5` is refused ("whole rupiah, without sen")."""

MoneyOrZero = Annotated[Decimal, Field(ge=0, le=MAX_MONEY), _NO_BOOL_DECIMAL, AfterValidator(_whole_rupiah)]
"""An amount in whole rupiah that may be zero (a shipping cost, a lower price bound)."""

Percent = Annotated[Decimal, Field(ge=0, le=MAX_PERCENT, decimal_places=2), _NO_BOOL_DECIMAL]
"""A percentage 0 .. 100 with at most two decimals (TKDN)."""

FiscalYear = Annotated[int, Field(ge=MIN_FISCAL_YEAR, le=MAX_FISCAL_YEAR), _NO_BOOL_INT]

Date = Annotated[date, Field(ge=MIN_DATE, le=MAX_DATE)]
"""A calendar date `YYYY-MM-DD` between 1900-01-01 and 2100-12-31 (a date with a time is refused)."""

# --- Text -----------------------------------------------------------------------------------------


def ShortText(max_length: int, *, min_length: int = 0) -> Any:
    """A one-line text of at most `max_length` characters (use the `Length` constants), no NUL.
    Not stripped: the service decides what surrounding spaces mean."""
    return Annotated[str, StringConstraints(min_length=min_length, max_length=max_length), AfterValidator(_refuse_nul)]


Reason = ShortText(Length.REASON)
"""A reason (refusing, cancelling, asking for a revision): at most 1,000 characters, no NUL."""

LongText = ShortText(Length.LONG)
"""A note, a comment, a reply: at most 2,000 characters, no NUL."""

SearchText = ShortText(Length.SEARCH)

# --- Choices ------------------------------------------------------------------------------------


def _empty_is_none(value: Any) -> Any:
    return None if value is None or (isinstance(value, str) and not value.strip()) else value


def Choice(*choices: str) -> Any:
    """One of `choices` (e.g. `Choice(*VendorStatus.values)`), or None when empty or absent; anything
    else is refused with the list of choices."""
    return Annotated[Literal[choices] | None, BeforeValidator(_empty_is_none)]  # type: ignore[valid-type]


# --- Paging (clamped into range, as the API always did; only an absurd number is refused) ----------


def Limit(maximum: int) -> Any:
    """How many rows per page: read as 1 .. `maximum` (0 or less is 1, more is `maximum`);
    a number beyond 18 digits is refused."""
    return Annotated[
        int, _NO_BOOL_INT, AfterValidator(_not_too_large), AfterValidator(lambda v: max(1, min(v, maximum)))
    ]


Offset = Annotated[int, _NO_BOOL_INT, AfterValidator(_not_too_large), AfterValidator(lambda v: max(0, v))]
"""Rows to skip: a negative offset is 0; a number beyond 18 digits is refused."""


def _page_or_first(value: Any) -> Any:
    """The search page's reading: a page that is not a number is the first page."""
    if value is None or value == "":
        return 1
    if isinstance(value, str):
        try:
            int(value)
        except ValueError:
            return 1
    return value


Page = Annotated[
    int, Field(le=MAX_PAGE), BeforeValidator(_page_or_first), _NO_BOOL_INT, AfterValidator(lambda v: max(1, v))
]
"""A page number: not a number or below 1 is the first page; beyond MAX_PAGE (10,000) is refused."""

# --- Lenient filters (the search page's reading: a value that is not understood is ignored) ---------


def _ignore_unless(parse):
    """A BeforeValidator: `None` (the filter is ignored) when the value cannot be read at all; else
    the value as read, so the bounds that follow still refuse a number out of range."""

    def before(value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return parse(value)
        except (ValueError, TypeError, ArithmeticError):
            return None

    return BeforeValidator(before)


def _read_amount(value: Any) -> Decimal:
    """`1500000`, `1.500.000`, `Rp 1.500.000` (as on the search page), or any finite decimal number
    (so that `-5` or a 40-digit number is refused by the bounds rather than ignored)."""
    from katalog.core.money import MoneyParseError, parse_rupiah

    if isinstance(value, bool):
        raise TypeError(value)
    try:
        return parse_rupiah(value)
    except (MoneyParseError, ArithmeticError):  # ArithmeticError: too many digits to round to the sen
        number = Decimal(str(value).strip())
        if not number.is_finite():
            raise ValueError(value) from None
        return number


def _read_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise TypeError(value)
    number = Decimal(str(value).strip().replace(",", "."))
    if not number.is_finite():
        raise ValueError(value)
    return number


def _read_id_or_none(value: Any) -> int | None:
    """An id filter that cannot name a row (not a number, 0, negative, beyond 18 digits) is ignored."""
    if isinstance(value, bool):
        raise TypeError(value)
    number = int(str(value).strip())
    return number if 1 <= number <= MAX_ID else None


def _read_choice(choices):
    def read(value: Any) -> Any:
        if value not in choices:
            raise ValueError(value)
        return value

    return read


def _read_yes_no(value: Any) -> bool:
    text = str(value).strip().lower()
    if text in ("1", "true", "ya", "yes"):
        return True
    if text in ("0", "false", "tidak", "no"):
        return False
    raise ValueError(value)


AmountFilter = Annotated[
    Annotated[Decimal, Field(ge=0, le=MAX_MONEY), AfterValidator(_whole_rupiah)] | None, _ignore_unless(_read_amount)
]
"""A price bound of a search: ignored when it is not a number; a number is whole rupiah 0 .. MAX_MONEY."""

PercentFilter = Annotated[Annotated[Decimal, Field(ge=0, le=MAX_PERCENT)] | None, _ignore_unless(_read_decimal)]
"""A percentage bound of a search: ignored when it is not a number; a number is 0 .. 100."""

IdFilter = Annotated[int | None, _ignore_unless(_read_id_or_none)]
"""An id filter of a search: ignored when it cannot name a row (as on the search page)."""

YesNoFilter = Annotated[bool | None, _ignore_unless(_read_yes_no)]
"""`1`/`true`/`ya` or `0`/`false`/`tidak`; anything else is ignored."""


def ChoiceFilter(*choices: str) -> Any:
    """One of `choices`, or ignored (None) for anything else."""
    return Annotated[Literal[choices] | None, _ignore_unless(_read_choice(choices))]  # type: ignore[valid-type]


# --- The same bounds for the pages' query strings --------------------------------------------------

_ADAPTERS: dict[int, Any] = {}


def read_query(params: Any, spec: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Read a page's query string (`request.GET`) with the bound types above, as the API reads its own:
    `spec` is `{name: type}` (e.g. `{"price_min": AmountFilter, "page": Page}`). Returns the values
    read (None when absent, not understood or out of bounds) and the names whose value was refused by
    its bounds, so that the page can say which filter it ignored rather than answer 500."""
    from pydantic import TypeAdapter, ValidationError

    values: dict[str, Any] = {}
    refused: list[str] = []
    for name, kind in spec.items():
        raw = params.get(name)
        if raw is None:
            values[name] = None
            continue
        adapter = _ADAPTERS.get(id(kind))
        if adapter is None:
            adapter = _ADAPTERS[id(kind)] = TypeAdapter(kind)
        try:
            values[name] = adapter.validate_python(raw)
        except ValidationError:
            values[name] = None
            refused.append(name)
    return values, refused
