"""Suggestions as the buyer types, "did you mean" and the zero-result counter (docs/search.md).

Suggestions come from their own small index, kept by `katalog.search.services` whenever documents are
indexed: one `Suggestion` per distinct product name (its weight = how many indexed products carry it),
per category and per vendor, and one `SuggestionKey` per word start of its normalized phrase ("kemeja
batik pria", "batik pria", "pria"), cut to 40 characters. A typed prefix is then one range scan of the
(tenant_id, key) index, whatever the size of the catalogue. Words the buyer has finished typing are
corrected against the tenant's vocabulary first (one wrong letter), so "kemja bat" still suggests
"Kemeja Batik".
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from itertools import islice

from django.db import connection, transaction
from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from katalog.search.analysis import STOPWORDS, normalize, one_letter_edits
from katalog.search.models import (
    SearchTerm,
    Suggestion,
    SuggestionKey,
    SuggestionKind,
    SuggestionSource,
    ZeroResultQuery,
)
from katalog.search.types import SearchDocument

logger = logging.getLogger(__name__)

_TOKEN = re.compile(r"[a-z0-9]+")
PHRASE_LENGTH = 120
KEY_WORDS = 8  # keys start at most at the first 8 words of a phrase
SCAN_ROWS = 200  # keys read per lookup; the best `limit` of them are shown
MIN_PREFIX = 2  # fewer typed letters suggest nothing

# A function the app that owns categories and vendors registers (katalog/catalogue/apps.py):
# namer(tenant_id, category_ids, vendor_ids) -> [(kind, target_id, label), ...].
Namer = Callable[[int, set[int], set[int]], list[tuple[str, int, str]]]
_namer: Namer | None = None


def register_namer(namer: Namer) -> None:
    global _namer
    _namer = namer


# --- Normalized keys -----------------------------------------------------------------------------


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(normalize(text))


def phrase_of(text: str) -> str:
    return " ".join(tokens(text))[:PHRASE_LENGTH]


def keys_of(phrase: str) -> set[str]:
    """The phrase from each word start on (not from a stopword or a bare number), cut to the key length."""
    words = phrase.split()
    keys = set()
    for i, word in enumerate(words[:KEY_WORDS]):
        if i and (word in STOPWORDS or word.isdigit()):
            continue
        key = " ".join(words[i:])[: SuggestionKey.KEY_LENGTH].strip()
        if key:
            keys.add(key)
    return keys


# --- Upkeep (called by katalog.search.services) ---------------------------------------------------


def _new_suggestions(tenant_id: int, kind: str, labels: dict[str, tuple[str, int | None]]) -> dict[str, int]:
    """Make sure a suggestion exists for each phrase -> (label, target_id); returns phrase -> id."""
    if not labels:
        return {}
    phrases = sorted(labels)
    existing = dict(
        Suggestion.objects.filter(tenant_id=tenant_id, kind=kind, phrase__in=phrases).values_list("phrase", "id")
    )
    missing = [p for p in phrases if p not in existing]
    if missing:
        Suggestion.objects.bulk_create(
            [
                Suggestion(tenant_id=tenant_id, kind=kind, phrase=p, label=labels[p][0], target_id=labels[p][1])
                for p in missing
            ],
            ignore_conflicts=True,
            batch_size=500,
        )
        created = dict(
            Suggestion.objects.filter(tenant_id=tenant_id, kind=kind, phrase__in=missing).values_list("phrase", "id")
        )
        SuggestionKey.objects.bulk_create(
            [
                SuggestionKey(tenant_id=tenant_id, key=k, suggestion_id=sid)
                for p, sid in created.items()
                for k in keys_of(p)
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        existing.update(created)
    return existing


def _recount(suggestion_ids: Iterable[int]) -> None:
    """Weight = the products that carry the name now; a name nobody carries disappears."""
    ids = sorted(set(suggestion_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        carried = (
            SuggestionSource.objects.filter(suggestion=OuterRef("pk"))
            .values("suggestion")
            .annotate(n=Count("id"))
            .values("n")
        )
        Suggestion.objects.filter(pk__in=chunk).update(weight=Coalesce(Subquery(carried), Value(0)))
        Suggestion.objects.filter(pk__in=chunk, kind=SuggestionKind.PRODUCT, weight__lte=0).delete()


def remember(docs: Sequence[SearchDocument]) -> None:
    """Add or move the product names of these documents, and name their new categories and vendors.
    Runs in the caller's transaction (the one that indexes the documents)."""
    by_tenant: dict[int, list[SearchDocument]] = {}
    for doc in docs:
        by_tenant.setdefault(doc.tenant_id, []).append(doc)
    for tenant_id, group in by_tenant.items():
        names = {d.product_id: phrase_of(d.name) for d in group}
        labels: dict[str, tuple[str, int | None]] = {}
        for d in group:
            if names[d.product_id]:
                labels.setdefault(names[d.product_id], (" ".join(d.name.split())[:200], None))
        ids = _new_suggestions(tenant_id, SuggestionKind.PRODUCT, labels)
        before = dict(
            SuggestionSource.objects.filter(tenant_id=tenant_id, product_id__in=list(names)).values_list(
                "product_id", "suggestion_id"
            )
        )
        after = {pid: ids[p] for pid, p in names.items() if p}
        changed = [pid for pid in names if before.get(pid) != after.get(pid)]
        if changed:
            SuggestionSource.objects.filter(tenant_id=tenant_id, product_id__in=changed).delete()
            SuggestionSource.objects.bulk_create(
                [
                    SuggestionSource(tenant_id=tenant_id, product_id=pid, suggestion_id=after[pid])
                    for pid in changed
                    if pid in after
                ],
                batch_size=1000,
            )
            _recount({before[p] for p in changed if p in before} | {after[p] for p in changed if p in after})
        if _namer is not None:
            _remember_names(tenant_id, group)


def _remember_names(tenant_id: int, docs: Sequence[SearchDocument]) -> None:
    wanted = {
        SuggestionKind.CATEGORY: {c for d in docs for c in (d.category_ids or [d.category_id])},
        SuggestionKind.VENDOR: {d.vendor_id for d in docs},
    }
    known = set(
        Suggestion.objects.filter(
            tenant_id=tenant_id,
            kind__in=list(wanted),
            target_id__in=sorted(wanted[SuggestionKind.CATEGORY] | wanted[SuggestionKind.VENDOR]),
        ).values_list("kind", "target_id")
    )
    categories = {c for c in wanted[SuggestionKind.CATEGORY] if (SuggestionKind.CATEGORY, c) not in known}
    vendors = {v for v in wanted[SuggestionKind.VENDOR] if (SuggestionKind.VENDOR, v) not in known}
    if not categories and not vendors:
        return
    by_kind: dict[str, dict[str, tuple[str, int | None]]] = {}
    for kind, target_id, label in _namer(tenant_id, categories, vendors):  # type: ignore[misc]
        phrase = phrase_of(label)
        if phrase:
            by_kind.setdefault(kind, {}).setdefault(phrase, (" ".join(label.split())[:200], target_id))
    for kind, labels in by_kind.items():
        _new_suggestions(tenant_id, kind, labels)


def forget(tenant_id: int, product_ids: Sequence[int]) -> None:
    """Products left the index: their names lose weight, and go when no product carries them."""
    sources = SuggestionSource.objects.filter(tenant_id=tenant_id, product_id__in=list(product_ids))
    touched = set(sources.values_list("suggestion_id", flat=True))
    if touched:
        sources.delete()
        _recount(touched)


class BulkLoad:
    """The suggestion store of one tenant written anew in bulk, for a rebuild (after `clear`, in the
    rebuild's transaction). `add` gathers names while the documents stream by; `finish` writes every
    suggestion, key and source in a few large statements (COPY on PostgreSQL) instead of the ORM
    lookups and objects of `remember`, which made a 1,000,000-product rebuild take most of an hour.
    It writes what `remember` would have written for the same documents (tests/search/test_suggest.py)."""

    PARAMS = 30_000  # values per INSERT where there is no COPY (SQLite allows 32,766)

    def __init__(self, tenant_id: int) -> None:
        self.tenant_id = tenant_id
        self.labels: dict[str, str] = {}  # phrase -> label of the first product carrying it
        self.sources: dict[int, str] = {}  # product id -> phrase of its name (the last one given)
        self.categories: set[int] = set()
        self.vendors: set[int] = set()

    def add(self, docs: Iterable[SearchDocument]) -> None:
        for d in docs:
            if d.tenant_id != self.tenant_id:
                continue
            phrase = phrase_of(d.name)
            if phrase:
                if phrase not in self.labels:
                    self.labels[phrase] = " ".join(d.name.split())[:200]
                self.sources[d.product_id] = phrase
            else:
                self.sources.pop(d.product_id, None)
            self.categories.update(d.category_ids or [d.category_id])
            self.vendors.add(d.vendor_id)

    def finish(self) -> int:
        """Write the store; returns the number of suggestions written."""
        weights: dict[str, int] = {}
        for phrase in self.sources.values():
            weights[phrase] = weights.get(phrase, 0) + 1
        rows = [(SuggestionKind.PRODUCT, p, self.labels[p], None, w) for p, w in weights.items()]
        if _namer is not None and (self.categories or self.vendors):
            named: dict[tuple[str, str], tuple[str, int]] = {}
            for kind, target_id, label in _namer(self.tenant_id, self.categories, self.vendors):
                phrase = phrase_of(label)
                if phrase:
                    named.setdefault((kind, phrase), (" ".join(label.split())[:200], target_id))
            rows += [(kind, p, label, target, 0) for (kind, p), (label, target) in named.items()]
        t = self.tenant_id
        _write(Suggestion, ["tenant_id", "kind", "phrase", "label", "target_id", "weight"], [(t, *r) for r in rows])
        written = Suggestion.objects.filter(tenant_id=t).values_list("kind", "phrase", "id")
        ids = {(kind, phrase): pk for kind, phrase, pk in written.iterator(chunk_size=20_000)}
        _write(
            SuggestionKey,
            ["tenant_id", "key", "suggestion_id"],
            ((t, key, ids[(kind, p)]) for kind, p, *_rest in rows for key in keys_of(p)),
        )
        product = SuggestionKind.PRODUCT
        _write(
            SuggestionSource,
            ["tenant_id", "product_id", "suggestion_id"],
            ((t, pid, ids[(product, p)]) for pid, p in self.sources.items()),
        )
        return len(rows)


def _write(model: type, columns: list[str], rows: Iterable[tuple]) -> None:
    """Insert plain rows into `model`'s table: COPY on PostgreSQL, multi-row INSERTs elsewhere."""
    table = connection.ops.quote_name(model._meta.db_table)  # type: ignore[attr-defined]
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        iterator = iter(rows)
        row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
        while chunk := list(islice(iterator, BulkLoad.PARAMS // len(columns))):
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {', '.join([row_sql] * len(chunk))}",  # noqa: S608 (names from the model)
                [v for row in chunk for v in row],
            )


def clear(tenant_id: int) -> None:
    """Before a rebuild: every suggestion of the tenant goes (names, categories, vendors)."""
    SuggestionSource.objects.filter(tenant_id=tenant_id).delete()
    SuggestionKey.objects.filter(tenant_id=tenant_id).delete()
    Suggestion.objects.filter(tenant_id=tenant_id).delete()


# --- Reads ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggested:
    kind: str  # SuggestionKind value
    label: str
    target_id: int | None
    weight: int


def _upper(prefix: str) -> str:
    """The smallest string above every string that starts with `prefix` (keys hold [a-z0-9 ] only)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _scan(tenant_id: int, prefix: str) -> list[tuple[str, str, str, int | None, int, int]]:
    rows = (
        SuggestionKey.objects.filter(tenant_id=tenant_id, key__gte=prefix, key__lt=_upper(prefix))
        .order_by("key")
        .values_list(
            "key",
            "suggestion__kind",
            "suggestion__label",
            "suggestion__target_id",
            "suggestion__weight",
            "suggestion_id",
        )[:SCAN_ROWS]
    )
    # A database collation other than the byte order may let a neighbour in: keep true prefixes only.
    return [r for r in rows if r[0].startswith(prefix)]


def correct_words(tenant_id: int, words: Sequence[str]) -> list[str | None]:
    """For each word, the known word one letter away when the word is unknown and has 4+ letters
    (None when it is known or nothing is near): the closest by shared beginning, then alphabetically.
    One query for all the words."""
    wanted = {w: one_letter_edits(w) | {w} for w in words if len(w) >= 4 and w.isalpha()}
    if not wanted:
        return [None] * len(words)
    candidates = sorted(set().union(*wanted.values()))
    known = set(SearchTerm.objects.filter(tenant_id=tenant_id, word__in=candidates).values_list("word", flat=True))
    out: list[str | None] = []
    for word in words:
        near = known & wanted.get(word, set())
        if word not in wanted or word in near or not near:
            out.append(None)
        else:
            out.append(min(near, key=lambda w, word=word: (-_common_prefix(w, word), w)))
    return out


def correct_word(tenant_id: int, word: str) -> str | None:
    return correct_words(tenant_id, [word])[0]


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def suggestions(tenant_id: int, q: str, *, limit: int = 8) -> list[Suggested]:
    """What to offer for a partly typed query: categories and vendors first (at most 3 each), then
    product names by how many products carry them. The last word is a prefix; the words before it
    are corrected when unknown."""
    words = tokens(q)[:8]
    if not words or len(" ".join(words)) < MIN_PREFIX:
        return []
    fixed = [c or w for w, c in zip(words[:-1], correct_words(tenant_id, words[:-1]), strict=True)]

    def tries():
        # The text as typed (finished words corrected); then the last word corrected too (only when
        # nothing starts so: one query less in the usual case); then the last word alone.
        yield " ".join([*fixed, words[-1]])
        last_fixed = correct_word(tenant_id, words[-1])
        if last_fixed:
            yield " ".join([*fixed, last_fixed])
        if len(words) > 1 and len(words[-1]) >= 3:
            yield words[-1]

    rows: list = []
    for prefix in tries():
        prefix = prefix[: SuggestionKey.KEY_LENGTH]
        if len(prefix) >= MIN_PREFIX:
            rows = _scan(tenant_id, prefix)
            if rows:
                break
    seen: dict[int, Suggested] = {}
    for _key, kind, label, target_id, weight, sid in rows:
        seen.setdefault(sid, Suggested(kind=kind, label=label, target_id=target_id, weight=weight))
    found = list(seen.values())
    order = {SuggestionKind.CATEGORY: 0, SuggestionKind.VENDOR: 1, SuggestionKind.PRODUCT: 2}
    found.sort(key=lambda s: (order.get(s.kind, 3), -s.weight, s.label.lower()))
    picked: list[Suggested] = []
    caps = {SuggestionKind.CATEGORY: 3, SuggestionKind.VENDOR: 3}
    for s in found:
        if s.kind in caps:
            if caps[s.kind] == 0:
                continue
            caps[s.kind] -= 1
        picked.append(s)
    return picked[:limit]


# --- Did you mean -------------------------------------------------------------------------------------


def levenshtein(a: str, b: str, cap: int = 3) -> int:
    """Edit distance (insert, delete, substitute), stopping early above `cap`."""
    if abs(len(a) - len(b)) > cap:
        return cap + 1
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        current = [i]
        for j, y in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        if min(current) > cap:
            return cap + 1
        previous = current
    return previous[-1]


def closest_words(tenant_id: int, word: str, *, limit: int = 3) -> list[str]:
    """Known words of the tenant at edit distance 1 (any letter), or 2 for words of 5+ letters
    (sharing the first letter, as phone typos mostly do), closest first."""
    if len(word) < 3 or not word.isalpha():
        return []
    one = set(
        SearchTerm.objects.filter(tenant_id=tenant_id, word__in=sorted(one_letter_edits(word))).values_list(
            "word", flat=True
        )
    )
    two: set[str] = set()
    if len(word) >= 5 and not one:
        head = word[0]
        rows = SearchTerm.objects.filter(tenant_id=tenant_id, word__gte=head, word__lt=_upper(head)).values_list(
            "word", flat=True
        )[:20000]
        two = {w for w in rows if abs(len(w) - len(word)) <= 2 and w.isalpha() and levenshtein(w, word, 2) <= 2}
    scored = sorted(one | two, key=lambda w: (1 if w in one else levenshtein(w, word, 2), -_common_prefix(w, word), w))
    return [w for w in scored if w != word][:limit]


def did_you_mean(tenant_id: int, q: str) -> tuple[str, dict[str, list[str]]]:
    """(the query with each unknown word replaced by its closest known word, word -> closest words).
    The corrected query is "" when no word could be corrected."""
    words = tokens(q)[:8]
    if not words:
        return "", {}
    known = set(SearchTerm.objects.filter(tenant_id=tenant_id, word__in=words).values_list("word", flat=True))
    near: dict[str, list[str]] = {}
    corrected = []
    for w in words:
        options = [] if w in known or w in STOPWORDS else closest_words(tenant_id, w)
        if options:
            near[w] = options
        corrected.append(options[0] if options else w)
    return (" ".join(corrected) if near else ""), near


def closest_categories(q: str, categories: Iterable[tuple[int, str]], *, limit: int = 3) -> list[int]:
    """Ids of the categories whose name is nearest the query's words (a shared beginning of 4 letters,
    or at most one edit per 5 letters), best first."""
    words = [w for w in tokens(q) if len(w) >= 3 and w not in STOPWORDS]
    scored = []
    for pk, name in categories:
        best = 0.0
        for cw in tokens(name):
            if len(cw) < 3:
                continue
            for w in words:
                if cw == w:
                    score = 1.0
                elif min(len(cw), len(w)) >= 4 and (cw.startswith(w[:4]) and w.startswith(cw[:4])):
                    score = 0.8
                else:
                    d = levenshtein(cw, w, 2)
                    score = 0.7 if d <= (1 if min(len(cw), len(w)) <= 5 else 2) else 0.0
                best = max(best, score)
        if best:
            scored.append((-best, name.lower(), pk))
    return [pk for _s, _n, pk in sorted(scored)[:limit]]


# --- The zero-result counter -----------------------------------------------------------------------

ZERO_QUERY_LENGTH = 100
# Distinct zero-result queries kept per tenant and week; beyond it only those already counted grow
# (a robot typing random words cannot fill the table).
ZERO_QUERIES_PER_WEEK = 2000


def iso_week(moment: datetime | None = None) -> str:
    local = timezone.localtime(moment or timezone.now())
    year, week, _day = local.isocalendar()
    return f"{year}-W{week:02d}"


def zero_query_text(q: str) -> str:
    return " ".join(normalize(q).split())[:ZERO_QUERY_LENGTH]


def count_zero_result(tenant_id: int, q: str) -> None:
    """Count one search that found nothing: one UPDATE, or one INSERT for a query new this week, in
    autocommit on the primary (inside a transaction: when it commits, never as part of it). Never
    raises: a counter must not break the page."""
    text = zero_query_text(q)
    if not text:
        return
    if connection.in_atomic_block:
        transaction.on_commit(partial(_count, tenant_id, text))
    else:
        _count(tenant_id, text)


def _count(tenant_id: int, text: str) -> None:
    week, now = iso_week(), timezone.now()
    try:
        bumped = ZeroResultQuery.objects.filter(tenant_id=tenant_id, week=week, query=text).update(
            count=F("count") + 1, last_seen=now
        )
        if bumped:
            return
        if ZeroResultQuery.objects.filter(tenant_id=tenant_id, week=week).count() >= ZERO_QUERIES_PER_WEEK:
            return
        ZeroResultQuery.objects.bulk_create(
            [ZeroResultQuery(tenant_id=tenant_id, week=week, query=text, count=1, last_seen=now)],
            ignore_conflicts=True,
        )
    except Exception:
        logger.warning("could not count a zero-result search", exc_info=True)


def zero_results_of_week(tenant_id: int, week: str, *, limit: int = 200) -> list[ZeroResultQuery]:
    return list(ZeroResultQuery.objects.filter(tenant_id=tenant_id, week=week).order_by("-count", "query")[:limit])


def recent_weeks(tenant_id: int, *, limit: int = 8) -> list[str]:
    """The last weeks that had a zero-result search, newest first."""
    return list(
        ZeroResultQuery.objects.filter(tenant_id=tenant_id)
        .order_by("-week")
        .values_list("week", flat=True)
        .distinct()[:limit]
    )
