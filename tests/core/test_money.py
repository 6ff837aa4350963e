from decimal import Decimal

import pytest

from katalog.core.money import MoneyParseError, format_rupiah, parse_rupiah


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("1250000"), "Rp1.250.000"),
        (0, "Rp0"),
        (Decimal("999"), "Rp999"),
        (Decimal("1000"), "Rp1.000"),
        (Decimal("1500000.5"), "Rp1.500.000,50"),
        (Decimal("-25000"), "-Rp25.000"),
        (Decimal("27763000000"), "Rp27.763.000.000"),
    ],
)
def test_rupiah_is_written_the_indonesian_way(value, shown):
    assert format_rupiah(value) == shown


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1.500.000", Decimal("1500000")),
        ("1500000", Decimal("1500000")),
        ("Rp 1.500.000", Decimal("1500000")),
        ("Rp1.500.000", Decimal("1500000")),
        ("rp. 2.000", Decimal("2000")),
        ("1.500.000,50", Decimal("1500000.50")),
        ("1500000.25", Decimal("1500000.25")),
        (1500000, Decimal("1500000")),
        (1500000.0, Decimal("1500000")),
    ],
)
def test_amounts_are_read_as_people_write_them(text, amount):
    assert parse_rupiah(text) == amount


@pytest.mark.parametrize("text", ["", "satu juta", "1,5 juta", "1.50.000", "Rp", "12a", True])
def test_unreadable_amounts_are_refused(text):
    with pytest.raises(MoneyParseError):
        parse_rupiah(text)


def test_a_forty_digit_amount_is_refused_not_crashed(client, medan):
    for text in ("9" * 40, 10**40, Decimal("1e40")):
        with pytest.raises(MoneyParseError):
            parse_rupiah(text)
    assert client.get("/cari/", {"q": "kemeja", "price_min": "9" * 40}).status_code in (200, 400)
