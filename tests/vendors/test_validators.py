import pytest
from django.core.exceptions import ValidationError

from katalog.vendors.validators import clean_kbli_list, clean_nib, clean_npwp, clean_phone


def test_nib_has_13_digits():
    assert clean_nib("8120 0000 00001") == "8120000000001"
    for bad in ["812000000000", "81200000000012", "81200000000a1", ""]:
        with pytest.raises(ValidationError):
            clean_nib(bad)


def test_npwp_check_digit_is_verified():
    assert clean_npwp("02.183.241.5-000.000") == "021832415000000"
    with pytest.raises(ValidationError, match="NPWP") as bad_digit:
        clean_npwp("02.183.241.6-000.000")
    with pytest.raises(ValidationError, match="15") as too_short:
        clean_npwp("1234")
    assert bad_digit.value.messages != too_short.value.messages  # each says what is wrong


def test_npwp_16_digit_form_is_accepted():
    assert clean_npwp("0021832415000000") == "0021832415000000"


def test_kbli_codes_have_five_digits():
    assert clean_kbli_list("10792, 47711;47711") == ["10792", "47711"]
    with pytest.raises(ValidationError, match="1079"):
        clean_kbli_list("1079, 47711")
    with pytest.raises(ValidationError):
        clean_kbli_list("")


def test_phone_numbers_are_normalised():
    assert clean_phone("+62 812-3456-7890") == "081234567890"
    assert clean_phone("0812 3456 7890") == "081234567890"
    with pytest.raises(ValidationError):
        clean_phone("12345")
