from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from uslugi.core import validators as v


def _error(func: object, value: str) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        func(value)  # type: ignore[operator]
    return info.value


@pytest.mark.parametrize(
    "value", ["112-233-445 95", "11223344595", "001-001-998 00", " 112 233 445 95 "]
)
def test_valid_snils(value: str) -> None:
    v.validate_snils(value)


def test_snils_wrong_length_says_how_many_digits() -> None:
    with translation.override("en"):
        err = _error(v.validate_snils, "112-233-445")
        assert err.code == "snils_format"
        assert "11 digits" in str(err.message)


def test_snils_wrong_checksum_is_told_apart_from_format() -> None:
    err = _error(v.validate_snils, "112-233-445 96")
    assert err.code == "snils_checksum"


@given(st.from_regex(r"\A[0-9]{9}\Z"))
def test_snils_check_digits_always_validate(first_nine: str) -> None:
    number = first_nine + v.snils_check_digits(first_nine)
    v.validate_snils(number)
    assert len(v.snils_check_digits(first_nine)) == 2


def test_snils_masking_and_formatting() -> None:
    assert v.mask_snils("11223344595") == "***-***-*** 95"
    assert v.format_snils("11223344595") == "112-233-445 95"


@pytest.mark.parametrize("value", ["7707083893", "500100732259", "7830002293"])
def test_valid_inn(value: str) -> None:
    v.validate_inn(value)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("123", "inn_format"),
        ("77070838", "inn_format"),
        ("7707083894", "inn_checksum"),
        ("500100732250", "inn_checksum"),
        ("abcdefghij", "inn_format"),
    ],
)
def test_invalid_inn(value: str, code: str) -> None:
    assert _error(v.validate_inn, value).code == code


def test_personal_inn_refuses_organisation_inn() -> None:
    assert _error(v.validate_personal_inn, "7707083893").code == "inn_format"
    v.validate_personal_inn("500100732259")


def test_ogrn_and_ogrnip() -> None:
    v.validate_ogrn("1027700132195")
    v.validate_ogrnip("304500116000157")
    assert _error(v.validate_ogrn, "1027700132196").code == "ogrn_checksum"
    assert _error(v.validate_ogrn, "304500116000157").code == "ogrn_format"
    assert _error(v.validate_ogrnip, "1027700132195").code == "ogrnip_format"
    assert _error(v.validate_ogrnip, "304500116000158").code == "ogrnip_checksum"


@pytest.mark.parametrize("value", ["45 08 123456", "4508 123456", "4508123456"])
def test_valid_passport(value: str) -> None:
    v.validate_passport_series_number(value)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("4508 12345", "passport_format"),
        ("4508 000000", "passport_number"),
        ("45AB123456", "passport_format"),
    ],
)
def test_invalid_passport(value: str, code: str) -> None:
    assert _error(v.validate_passport_series_number, value).code == code


def test_passport_parts_and_division_code() -> None:
    v.validate_passport_series("45 08")
    v.validate_passport_number("123456")
    v.validate_division_code("770-001")
    assert _error(v.validate_passport_series, "450").code == "passport_series"
    assert _error(v.validate_passport_number, "000000").code == "passport_number"
    assert _error(v.validate_division_code, "77-001").code == "division_code"


def test_messages_are_translated_to_russian() -> None:
    with translation.override("ru"):
        err = _error(v.validate_snils, "1")
        assert "СНИЛС" in str(err.message)
