"""The KBLI 2020 list (Peraturan BPS Nomor 2 Tahun 2020): the 5-digit codes (kelompok) with their
titles and category letters, shipped as a fixture in `data/kbli2020.csv` (its source is in
`data/kbli2020.SOURCE.md`). Loaded once per process; searched in memory (about 1,800 rows).

    search("kerupuk")      -> [Kbli("10794", "Industri Kerupuk, Keripik, Peyek Dan Sejenisnya", "C"), ...]
    title("10794")         -> "Industri Kerupuk, Keripik, Peyek Dan Sejenisnya"
    is_valid("10794")      -> True
"""

import csv
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

DATA = Path(__file__).with_name("data") / "kbli2020.csv"
CATEGORIES = Path(__file__).with_name("data") / "kbli2020_kategori.csv"
MAX_QUERY_WORDS = 8  # a longer query is cut: nobody describes a business in more words


class Kbli(NamedTuple):
    code: str
    title: str
    category: str

    @property
    def label(self) -> str:
        return f"{self.code} — {self.title}"


def fold(text: str) -> str:
    """Lower case, accents removed: what the search compares."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _words(text: str) -> list[str]:
    return re.findall(r"[0-9a-z]+", fold(text))


@lru_cache(maxsize=1)
def entries() -> tuple[Kbli, ...]:
    with DATA.open(encoding="utf-8", newline="") as fh:
        return tuple(Kbli(row["kode"], row["judul"], row["kategori"]) for row in csv.DictReader(fh))


@lru_cache(maxsize=1)
def _by_code() -> dict[str, Kbli]:
    return {e.code: e for e in entries()}


@lru_cache(maxsize=1)
def _index() -> tuple[tuple[Kbli, tuple[str, ...]], ...]:
    return tuple((e, tuple(_words(e.title))) for e in entries())


@lru_cache(maxsize=1)
def categories() -> dict[str, str]:
    """The 21 categories (kategori) A..U with their titles."""
    with CATEGORIES.open(encoding="utf-8", newline="") as fh:
        return {row["kategori"]: row["judul"] for row in csv.DictReader(fh)}


def get(code: str) -> Kbli | None:
    return _by_code().get(str(code or "").strip())


def is_valid(code: str) -> bool:
    return get(code) is not None


def title(code: str) -> str:
    """The title of a code, or "" when the code is not in the list."""
    entry = get(code)
    return entry.title if entry else ""


def _word_score(word: str, title_words: tuple[str, ...]) -> int | None:
    """How well one query word matches a title: 0 the title starts with it, 1 a title word starts
    with it, 2 a title word contains it ("jahit" in "Penjahitan"); None when it does not match."""
    if title_words and title_words[0].startswith(word):
        return 0
    if any(w.startswith(word) for w in title_words):
        return 1
    if len(word) >= 3 and any(word in w for w in title_words):
        return 2
    return None


def search(q: str, limit: int = 10) -> list[Kbli]:
    """The entries matching every word of `q` (case and accents ignored; each word is a prefix of
    a title word, or inside one when it has 3 letters or more; a number is a code prefix), best
    first: titles starting with the first word, then whole-word matches, then shorter titles."""
    words = _words(q)[:MAX_QUERY_WORDS]
    if not words or limit <= 0:
        return []
    digits = [w for w in words if w.isdigit()]
    text = [w for w in words if not w.isdigit()]
    scored = []
    for entry, title_words in _index():
        if any(not entry.code.startswith(d) for d in digits):
            continue
        scores = []
        for word in text:
            score = _word_score(word, title_words)
            if score is None:
                break
            scores.append(score)
        else:
            rank = (scores[0], sum(scores), len(entry.title)) if scores else (0, 0, 0)  # codes alone: in order
            scored.append(((*rank, entry.code), entry))
    scored.sort(key=lambda pair: pair[0])
    return [entry for _key, entry in scored[:limit]]


def split_input(value: str) -> tuple[list[str], list[str]]:
    """What an owner typed in the KBLI field: the 5-digit codes, and the rest (words to search, or
    an incomplete code), one query per comma- or semicolon-separated part."""
    codes: list[str] = []
    queries: list[str] = []
    for part in re.split(r"[,;\n]+", str(value or "")):
        part = part.strip()
        if not part:
            continue
        tokens = part.split()
        if all(re.fullmatch(r"\d{5}", t) for t in tokens):
            codes.extend(tokens)
        else:
            queries.append(part)
    return codes, queries
