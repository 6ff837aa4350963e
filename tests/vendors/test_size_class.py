from decimal import Decimal

import pytest

from katalog.vendors.size_class import classify

B = Decimal("1000000000")  # one billion rupiah


@pytest.mark.parametrize(
    ("capital", "sales", "expected"),
    [
        (B, None, "mikro"),  # Rp1.000.000.000 of capital is still micro
        (B + 1, None, "kecil"),  # one rupiah more is small
        (5 * B, None, "kecil"),
        (5 * B + 1, None, "menengah"),
        (10 * B, None, "menengah"),
        (10 * B + 1, None, "besar"),
        (None, 2 * B, "mikro"),
        (None, 2 * B + 1, "kecil"),
        (None, 15 * B, "kecil"),
        (None, 15 * B + 1, "menengah"),
        (None, 50 * B, "menengah"),
        (None, 50 * B + 1, "besar"),
        (Decimal("50000000"), 3 * B, "kecil"),  # the higher of the two criteria
        (6 * B, Decimal("100000000"), "menengah"),
        (None, None, "mikro"),
    ],
)
def test_size_class_follows_pp_7_2021_boundaries(capital, sales, expected):
    assert classify(capital=capital, annual_sales=sales) == expected
