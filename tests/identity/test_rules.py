"""Contacts, identifiers and the password rule, on their own."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from uslugi.identity.contacts import (
    mask_email,
    mask_phone,
    normalize_phone,
    parse_contact,
    parse_identifier,
)
from uslugi.identity.errors import ContactInvalid
from uslugi.identity.passwords import transliterate, validate_new_password


@pytest.mark.parametrize(
    ("typed", "phone"),
    [
        ("+7 (912) 345-67-89", "+79123456789"),
        ("8 912 345 67 89", "+79123456789"),
        ("9123456789", "+79123456789"),
        ("+998 90 123 45 67", "+998901234567"),
        ("+7 495 123-45-67", None),  # a landline: no SMS
        ("12345", None),
        ("+7912abc", None),
    ],
)
def test_phone_numbers(typed: str, phone: str | None) -> None:
    assert normalize_phone(typed) == phone


def test_contact_is_a_phone_or_an_email() -> None:
    assert parse_contact(" Name@Example.RU ").value == "name@example.ru"
    assert parse_contact("89123456789").value == "+79123456789"
    with pytest.raises(ContactInvalid):
        parse_contact("name@")


def test_eleven_digits_may_be_a_phone_or_a_snils() -> None:
    both = parse_identifier("79123456789")
    assert both.phone == "+79123456789"
    snils = parse_identifier("112-233-445 95")
    assert (snils.snils, snils.phone) == ("11223344595", None)
    assert parse_identifier("112-233-445 96").empty  # wrong check digits: nothing to find


def test_masks() -> None:
    assert mask_phone("+79123456789") == "+7 *** ***-**-89"
    assert mask_email("ivanova@example.ru") == "iv***@example.ru"


def test_names_are_checked_transliterated() -> None:
    assert transliterate("Щукина") == "shchukina"
    with pytest.raises(ValidationError, match="must not contain your name"):
        validate_new_password("Shchukina2026", words=["Щукина"])


def test_every_failed_rule_is_reported_at_once() -> None:
    with pytest.raises(ValidationError) as error:
        validate_new_password("abc")
    codes = {e.code for e in error.value.error_list}
    assert {"password_too_short", "password_classes"} <= codes


def test_a_good_password_passes() -> None:
    validate_new_password("Harbour9Lights", words=["Иванова", "+79123456789"])
