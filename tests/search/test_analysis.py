"""The analyzer alone: no database, no engine."""

import pytest

from katalog.search.analysis import Clause, analyze, normalize, one_letter_edits, parse_query, stem


@pytest.mark.parametrize(
    ("word", "root"),
    [
        ("penjahit", "jahit"),
        ("jahitan", "jahit"),
        ("menjahit", "jahit"),
        ("kerajinan", "rajin"),
        ("rotan", "rotan"),
        ("makanan", "makan"),
        ("minuman", "minum"),
        ("pakaian", "pakai"),
        ("bordiran", "bordir"),
        ("percetakan", "cetak"),
        ("cetakan", "cetak"),
        ("kemasan", "kemas"),
        ("menyapu", "sapu"),
        ("pemotong", "potong"),
        # real roots that a rule-only stemmer (Snowball) wrongly cuts
        ("kemeja", "kemeja"),
        ("keranjang", "keranjang"),
        ("sekolah", "sekolah"),
        ("keripik", "keripik"),
        ("kerudung", "kerudung"),
        ("lemari", "lemari"),
        # numbers and codes are kept whole
        ("a4", "a4"),
        ("80", "80"),
    ],
)
def test_stem(word, root):
    assert stem(word) == root


def test_case_accents_and_stopwords_are_folded():
    assert normalize("Kopí SIDIKALÀNG") == "kopi sidikalang"
    assert analyze("Kerajinan ROTAN untuk Kantor dan Café") == ["rajin", "rotan", "kantor", "cafe"]


def test_one_letter_edits():
    edits = one_letter_edits("rotan")
    assert {"rotam", "rotn", "orotan", "rtoan"} <= edits
    assert "rotan" not in edits and "roton" in edits


def _known(words):
    def lookup(candidates):
        return {w: stem(w) for w in words if w in candidates}

    return lookup


def test_synonyms_expand_both_ways():
    synonyms = [("ATK", "alat tulis kantor")]
    both = Clause((("alat", "tulis", "kantor"), ("atk",)))
    assert parse_query("atk", synonyms, _known([])) == [both]
    assert parse_query("Alat Tulis Kantor murah", synonyms, _known([])) == [both, Clause((("murah",),))]


def test_typo_widens_only_unknown_long_words():
    lookup = _known(["sepatu", "penjahit", "jahit", "kopi"])
    assert parse_query("sepato", [], lookup) == [Clause((("sepato",), ("sepatu",)))]
    assert parse_query("penjahot", [], lookup) == [Clause((("jahit",), ("jahot",)))]
    # a known word stays exact; a word under five letters is never widened
    assert parse_query("sepatu", [], lookup) == [Clause((("sepatu",),))]
    assert parse_query("kopu", [], lookup) == [Clause((("kopu",),))]


def test_query_of_stopwords_only_keeps_them():
    assert parse_query("dan", [], _known([])) == [Clause((("dan",),))]
