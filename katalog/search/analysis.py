"""The one Indonesian text analyzer that every backend is fed from.

Every engine (SQLite FTS5, PostgreSQL tsvector, Tantivy) receives tokens that were already
analyzed here, so a query finds the same products whatever the engine: the engines only match
and count terms, they never stem.

Stemming: a dictionary-guided Snowball stemmer. Sastrawi's root-word dictionary protects real
roots from Snowball's over-stemming (`kemeja` stays `kemeja` instead of becoming `meja`), and a
light suffix peel checked against the same dictionary repairs Snowball's under-stemming
(`cetakan` -> `cetak`, not `ceta`). Sastrawi's own stemmer is correct but takes 50-110 ms on a
word outside its dictionary (a brand, a typo), which a query cannot afford; this costs a few
microseconds. The comparison is in docs/search.md.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import Sastrawi
import Stemmer

# A word of a multi-word query must have at least this many letters before one wrong letter is
# forgiven (`bika ambn`); a query of one word needs SINGLE_WORD_TYPO_MIN_LENGTH, because alone a short
# word widened one letter away lists everything that looks like it (`kopu` would find `kopi`, `kapu`,
# `topu`...), while in a longer query the other words keep the matches on topic.
TYPO_MIN_LENGTH = 4
SINGLE_WORD_TYPO_MIN_LENGTH = 5
# Longer tokens are noise (hashes, glued words); engines cap term length too.
MAX_TOKEN_LENGTH = 40

# Function words that carry no meaning in a product title or query.
STOPWORDS = frozenset(
    """
    dan atau di ke dari yang untuk dengan pada dalam ini itu juga oleh sebagai serta bagi
    per tiap setiap adalah akan agar bisa dapat tidak ada sangat lebih
    """.split()
)

_TOKEN = re.compile(r"[a-z0-9]+")
_SUFFIXES = ("kan", "an", "i", "nya", "lah", "kah", "ku", "mu")
_PREFIXES = (
    "meng",
    "meny",
    "mem",
    "men",
    "me",
    "peng",
    "peny",
    "pem",
    "pen",
    "pe",
    "ber",
    "be",
    "per",
    "ter",
    "di",
    "ke",
    "se",
)
# Nasal prefixes replace the first letter of the root (meny+apu = sapu, mem+otong = potong, ...).
_RECODE = {"meny": "s", "peny": "s", "mem": "p", "pem": "p", "men": "t", "pen": "t", "meng": "k", "peng": "k"}


@lru_cache(maxsize=1)
def _roots() -> frozenset[str]:
    """Sastrawi's list of Indonesian root words (about 30,000), loaded once."""
    path = Path(Sastrawi.__file__).parent / "Stemmer" / "data" / "kata-dasar.txt"
    return frozenset(w.strip() for w in path.read_text(encoding="utf-8").split() if w.strip())


_snowball = Stemmer.Stemmer("indonesian")


def normalize(text: str) -> str:
    """Lower-case and fold accents (`Café` -> `cafe`), so spelling variants share one token."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    """Normalized word tokens with the stopwords removed, in order."""
    return [w for w in _TOKEN.findall(normalize(text)) if w not in STOPWORDS and len(w) <= MAX_TOKEN_LENGTH]


def _peel(word: str, roots: frozenset[str]) -> str | None:
    """Strip one suffix and/or one prefix, trying each until a dictionary root appears."""
    suffix_forms = [word] + [word[: -len(s)] for s in _SUFFIXES if word.endswith(s) and len(word) - len(s) >= 3]
    for form in suffix_forms:
        if form in roots:
            return form
        for prefix in _PREFIXES:
            if form.startswith(prefix) and len(form) - len(prefix) >= 3:
                rest = form[len(prefix) :]
                if rest in roots:
                    return rest
                recoded = _RECODE.get(prefix, "") + rest
                if prefix in _RECODE and recoded in roots:
                    return recoded
    return None


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The root of one normalized word; words with digits (`a4`, `80gr`) are kept as they are."""
    if not word.isalpha() or len(word) <= 3:
        return word
    roots = _roots()
    if word in roots:
        return word
    snow = _snowball.stemWord(word)
    if snow in roots:
        return snow
    peeled = _peel(word, roots)
    return peeled if peeled is not None else snow


def analyze(text: str) -> list[str]:
    """The stems of a text, in order: what an engine indexes for a name or a description."""
    return [stem(w) for w in words(text)]


def vocabulary(text: str) -> set[tuple[str, str]]:
    """(word, stem) pairs for the typo lookup: each surface word and each stem maps to its stem."""
    pairs: set[tuple[str, str]] = set()
    for w in words(text):
        s = stem(w)
        pairs.add((w, s))
        pairs.add((s, s))
    return pairs


_ALPHABET = "abcdefghijklmnopqrstuvwxyz"


def one_letter_edits(word: str) -> set[str]:
    """Every string one deletion, insertion, substitution or swap of neighbours away."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _ALPHABET}
    inserts = {a + c + b for a, b in splits for c in _ALPHABET}
    return (deletes | swaps | replaces | inserts) - {word}


@dataclass(frozen=True)
class Clause:
    """One required part of a query: a document must contain every stem of at least one
    alternative. Alternatives come from synonyms (`atk` | `alat tulis kantor`) and typos."""

    alternatives: tuple[tuple[str, ...], ...]
    # The user's own word(s) behind the clause ("ambn", "nasi kotak"), for "tanpa: ambn". Not part of
    # equality: two spellings of the same meaning (`bolpoin pulpen`) are one clause.
    label: str = field(default="", compare=False)


def synonym_groups(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, ...], set[tuple[str, ...]]]:
    """Each analyzed side of a synonym maps to all sides it is equivalent to (both directions)."""
    groups: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
    for term, expansion in pairs:
        a, b = tuple(analyze(term)), tuple(analyze(expansion))
        if not a or not b:
            continue
        merged = groups.get(a, {a}) | groups.get(b, {b})
        for side in merged:
            groups[side] = merged
    return groups


SynonymGroups = dict[tuple[str, ...], set[tuple[str, ...]]]


def parse_query(
    q: str,
    synonyms: Sequence[tuple[str, str]] | SynonymGroups,
    lookup: Callable[[set[str]], dict[str, str]],
) -> list[Clause]:
    """Turn the user's text into clauses, each labelled with the words it came from.

    `synonyms` are (term, expansion) pairs, or their `synonym_groups` computed beforehand (the
    selectors keep them per tenant). `lookup(candidates)` answers which candidate words the tenant's
    index knows and their stems; a word that the index does not know is widened to the known words
    one letter away, each word on its own, when it has TYPO_MIN_LENGTH letters or more (a query of
    one word: SINGLE_WORD_TYPO_MIN_LENGTH). A known word is never widened, so `rotan` does not also
    match `rotas`.
    """
    tokens = words(q) or _TOKEN.findall(normalize(q))
    stems = [stem(w) for w in tokens]
    groups = synonyms if isinstance(synonyms, dict) else synonym_groups(synonyms)
    min_length = TYPO_MIN_LENGTH if len(tokens) > 1 else SINGLE_WORD_TYPO_MIN_LENGTH
    longest = max((len(side) for side in groups), default=0)
    clauses: list[Clause] = []
    typo_slots: list[tuple[int, str, str]] = []
    i = 0
    while i < len(stems):
        for size in range(min(longest, len(stems) - i), 0, -1):
            side = tuple(stems[i : i + size])
            if side in groups:
                clauses.append(Clause(tuple(sorted(groups[side])), label=" ".join(tokens[i : i + size])))
                i += size
                break
        else:
            if len(tokens[i]) >= min_length and tokens[i].isalpha():
                typo_slots.append((len(clauses), tokens[i], stems[i]))
            clauses.append(Clause(((stems[i],),), label=tokens[i]))
            i += 1
    if typo_slots:
        # Two small lookups rather than one large one: first the words themselves (most queries
        # stop here), then the one-letter edits of the unknown words only.
        known = lookup({w for _, word, root in typo_slots for w in (word, root)})
        typo_slots = [slot for slot in typo_slots if slot[1] not in known and slot[2] not in known]
        candidates: set[str] = set()
        for _, word, root in typo_slots:
            candidates |= one_letter_edits(word) | one_letter_edits(root)
        known = lookup(candidates) if candidates else {}
        for position, word, root in typo_slots:
            near = {known[c] for c in one_letter_edits(word) | one_letter_edits(root) if c in known}
            clauses[position] = Clause(tuple((s,) for s in sorted(near | {root})), label=word)
    unique: list[Clause] = []
    for clause in clauses:
        if clause not in unique:
            unique.append(clause)
    return unique
