"""Validators for Russian identifiers, each with a clear message saying how to fix it.

Every validator normalises first (spaces, dashes), then checks the format, then the
checksum, so the person learns whether they typed too few digits or mistyped one.
`normalize_*` return the canonical digits-only form stored and indexed.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.ru import inn as stdnum_inn
from stdnum.ru import ogrn as stdnum_ogrn

_SEPARATORS = re.compile("[\\s\\-\u2013\u2014.]")


def _digits(value: object) -> str:
    return _SEPARATORS.sub("", str(value or ""))


# --- SNILS (individual pension account number) ---------------------------------------------


def snils_check_digits(first_nine: str) -> str:
    """The two check digits of a SNILS from its first nine digits."""
    total = sum(int(d) * (9 - i) for i, d in enumerate(first_nine))
    if total > 101:
        total %= 101
    return "00" if total in (100, 101) else f"{total:02d}"


def normalize_snils(value: object) -> str:
    return _digits(value)


def validate_snils(value: object) -> None:
    digits = normalize_snils(value)
    if not re.fullmatch(r"\d{11}", digits):
        raise ValidationError(
            _("Enter SNILS as 11 digits, for example 112-233-445 95."), code="snils_format"
        )
    # Numbers up to 001-001-998 were issued before check digits existed.
    if int(digits[:9]) > 1001998 and snils_check_digits(digits[:9]) != digits[9:]:
        raise ValidationError(
            _(
                "This SNILS has a mistake: its check digits do not match. Compare it with your SNILS document."
            ),
            code="snils_checksum",
        )


def format_snils(value: str) -> str:
    d = normalize_snils(value)
    return f"{d[:3]}-{d[3:6]}-{d[6:9]} {d[9:]}" if len(d) == 11 else value


def mask_snils(value: str) -> str:
    """Masked for display: ***-***-*** 95."""
    d = normalize_snils(value)
    return f"***-***-*** {d[9:]}" if len(d) == 11 else "***"


# --- INN (taxpayer number) --------------------------------------------------------------------


def normalize_inn(value: object) -> str:
    return _digits(value)


def validate_inn(value: object) -> None:
    """INN of an organisation (10 digits) or of a person or entrepreneur (12 digits)."""
    digits = normalize_inn(value)
    if not re.fullmatch(r"\d{10}|\d{12}", digits):
        raise ValidationError(
            _("Enter INN as 10 digits (organisation) or 12 digits (person)."), code="inn_format"
        )
    try:
        stdnum_inn.validate(digits)
    except StdnumError:
        raise ValidationError(
            _(
                "This INN has a mistake: its check digits do not match. Compare it with your tax certificate."
            ),
            code="inn_checksum",
        ) from None


def validate_personal_inn(value: object) -> None:
    """INN of a person: exactly 12 digits."""
    if len(normalize_inn(value)) == 10:
        raise ValidationError(
            _("A person's INN has 12 digits; 10 digits is an organisation's INN."),
            code="inn_format",
        )
    validate_inn(value)


# --- OGRN / OGRNIP (state registration numbers) ----------------------------------------------


def _validate_ogrn_like(value: object, *, length: int, format_message: str, code: str) -> None:
    digits = _digits(value)
    if not re.fullmatch(rf"\d{{{length}}}", digits):
        raise ValidationError(format_message, code=f"{code}_format")
    try:
        stdnum_ogrn.validate(digits)
    except StdnumError:
        raise ValidationError(
            _(
                "This number has a mistake: its check digit does not match. Compare it with the registration certificate."
            ),
            code=f"{code}_checksum",
        ) from None


def validate_ogrn(value: object) -> None:
    """OGRN of a legal entity: 13 digits."""
    _validate_ogrn_like(
        value,
        length=13,
        format_message=str(_("Enter OGRN as 13 digits.")),
        code="ogrn",
    )


def validate_ogrnip(value: object) -> None:
    """OGRNIP of an individual entrepreneur: 15 digits."""
    _validate_ogrn_like(
        value,
        length=15,
        format_message=str(_("Enter OGRNIP as 15 digits.")),
        code="ogrnip",
    )


# --- Russian internal passport ----------------------------------------------------------------


def normalize_passport(value: object) -> str:
    return _digits(value)


def validate_passport_series_number(value: object) -> None:
    """Series (4 digits) and number (6 digits) of a Russian passport, e.g. 45 08 123456."""
    digits = normalize_passport(value)
    if not re.fullmatch(r"\d{10}", digits):
        raise ValidationError(
            _("Enter the passport series and number as 10 digits, for example 45 08 123456."),
            code="passport_format",
        )
    if digits[4:] == "000000":
        raise ValidationError(
            _("A passport number cannot be 000000. Check the number in your passport."),
            code="passport_number",
        )


def validate_passport_series(value: object) -> None:
    if not re.fullmatch(r"\d{4}", _digits(value)):
        raise ValidationError(
            _("Enter the passport series as 4 digits, for example 45 08."), code="passport_series"
        )


def validate_passport_number(value: object) -> None:
    digits = _digits(value)
    if not re.fullmatch(r"\d{6}", digits) or digits == "000000":
        raise ValidationError(
            _("Enter the passport number as 6 digits, for example 123456."), code="passport_number"
        )


def validate_division_code(value: object) -> None:
    """Code of the issuing division, e.g. 770-001."""
    if not re.fullmatch(r"\d{6}", _digits(value)):
        raise ValidationError(
            _("Enter the division code as 6 digits, for example 770-001."), code="division_code"
        )
