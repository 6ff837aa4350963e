"""The parts of the relevance order that do not come from the text (docs/search.md, "Ranking").

Among results of equal text relevance, products of micro and small vendors and products with a higher
TKDN come first (Perpres 12/2021 Pasal 65; Perpres 46/2025), then the remaining ties follow one of seven
daily orders, so that no vendor is always first. Every engine orders by exactly these integers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from katalog.search.analysis import Clause, analyze
from katalog.search.types import SearchDocument

# The rotation follows the calendar of Western Indonesia whatever the time zone a request runs in.
WIB = ZoneInfo("Asia/Jakarta")

UMK_CLASSES = frozenset({"mikro", "kecil"})
# Seven fixed 32-bit seeds: day r of the week orders ties by perm(product_id) XOR SEEDS[r].
SEEDS = (0x00000000, 0x9E3779B9, 0x7F4A7C15, 0xC2B2AE35, 0x27D4EB2F, 0x165667B1, 0xD3A2646C)
_KNUTH = 2654435761
_MASK = 0xFFFFFFFF


def tkdn_tier(tkdn: float | None) -> int:
    """3 for TKDN of 40% or more, 2 for 25% or more, 1 for any declared value above 0, else 0."""
    if tkdn is None or tkdn <= 0:
        return 0
    if tkdn >= 40:
        return 3
    if tkdn >= 25:
        return 2
    return 1


def preference(doc: SearchDocument) -> int:
    """0..7 = 4 x (vendor is micro or small) + TKDN tier; 0 for all when the preference is switched off."""
    if not getattr(settings, "KATALOG_SEARCH_PREFER_LOCAL", True):
        return 0
    return 4 * (doc.size_class in UMK_CLASSES) + tkdn_tier(doc.tkdn_percent)


def perm(product_id: int) -> int:
    """A fixed scrambling of product ids (a bijection on 32 bits)."""
    return (product_id * _KNUTH) & _MASK


def rotation_key(product_id: int, rotation_day: int) -> int:
    """The tie-breaking key of a product on day `rotation_day` (0..6), ordered descending."""
    return perm(product_id) ^ SEEDS[rotation_day % 7]


def rotation_day_of(day: date) -> int:
    """Which of the seven orders a (WIB) date uses."""
    return day.weekday()


def today_rotation_day(now: datetime | None = None) -> int:
    """The order of today's date in WIB (a new order every midnight in Medan, not in UTC)."""
    moment = now or datetime.now(tz=WIB)
    return rotation_day_of(moment.astimezone(WIB).date())


def prefer_local() -> bool:
    return bool(getattr(settings, "KATALOG_SEARCH_PREFER_LOCAL", True))


def _holds(alternative: tuple[str, ...], stems: set[str]) -> bool:
    return all(term in stems for term in alternative)


def score(clauses: Sequence[Clause], doc: SearchDocument, rotation_day: int) -> dict[str, Any]:
    """The sort key of `doc` for these clauses, with every part of it, computed as the engines
    compute it: a clause matches when all stems of one alternative are in the name or the
    description; it matches in the name when they are all in the name."""
    name = set(analyze(doc.name))
    body = set(analyze(doc.description))
    both = name | body
    rows = []
    for clause in clauses:
        rows.append(
            {
                "label": clause.label,
                "alternatives": [" ".join(a) for a in clause.alternatives],
                "in_name": any(_holds(a, name) for a in clause.alternatives),
                "in_description": any(_holds(a, body) for a in clause.alternatives),
                "matched": any(_holds(a, both) for a in clause.alternatives),
            }
        )
    matched = sum(r["matched"] for r in rows)
    name_hits = sum(r["in_name"] for r in rows)
    umk = doc.size_class in UMK_CLASSES
    tier = tkdn_tier(doc.tkdn_percent)
    value = preference(doc)
    rotation = rotation_key(doc.product_id, rotation_day)
    return {
        "product_id": doc.product_id,
        "clauses": rows,
        "matched": matched,
        "name_hits": name_hits,
        "preference": {
            "value": value,
            "enabled": prefer_local(),
            "size_class": doc.size_class,
            "umk": umk,
            "tkdn": doc.tkdn_percent,
            "tkdn_tier": tier,
        },
        "rotation_day": rotation_day % 7,
        "rotation_key": rotation,
        # Compared as a whole, larger first: the position among the results of the same query.
        "key": (matched, name_hits, value, rotation, doc.product_id),
    }


def explain(tenant_id: int, q: str, doc: SearchDocument, rotation_day: int | None = None) -> dict[str, Any]:
    """Why `doc` ranks where it does for query `q` of this tenant (the auditor's view): per clause
    whether it matched in the name, the description or not at all; how many clauses matched and how
    many in the name (the text relevance); the preference with its parts (size class, UMK or not,
    TKDN and its tier); and the day's rotation key. Computed in Python from the same analysis the
    engines are fed, so it is the same for every engine; `key` orders results as the engines do.
    `rotation_day` defaults to today's (WIB)."""
    from katalog.search.selectors import clauses_for  # the selectors import this module

    day = today_rotation_day() if rotation_day is None else rotation_day
    out = score(clauses_for(tenant_id, q), doc, day)
    out["query"] = q
    return out
