"""Contacts and login identifiers: phone numbers, email addresses, SNILS.

Phones are stored in E.164 (`+79123456789`), emails lower-cased. Both are kept in clear
(they are the channels the portal writes to and staff search by, see docs/identity.md);
SNILS is encrypted and found through its blind index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from uslugi.core.validators import normalize_snils, validate_snils
from uslugi.identity.constants import Channel
from uslugi.identity.errors import ContactInvalid

_PHONE_NOISE = re.compile(r"[\s\-().\u2013\u2014]")
_SNILS_SHAPE = re.compile(r"^\d{3}-\d{3}-\d{3}[ -]\d{2}$")


def normalize_phone(value: str) -> str | None:
    """E.164 form of a mobile number, or None if it is not one.

    Russian numbers may be written 8 912 ..., 7 912 ... or +7 912 ...; they must be
    mobile (+7 9xx). Other countries need the leading + and 8 to 15 digits.
    """
    text = _PHONE_NOISE.sub("", value or "")
    if not text:
        return None
    if text.startswith("+"):
        digits = text[1:]
        if not digits.isdigit():
            return None
    elif text.isdigit() and len(text) == 11 and text[0] in "78":
        digits = "7" + text[1:]
    elif text.isdigit() and len(text) == 10 and text[0] == "9":
        digits = "7" + text
    else:
        return None
    if digits.startswith("7"):
        return f"+{digits}" if len(digits) == 11 and digits[1] == "9" else None
    return f"+{digits}" if 8 <= len(digits) <= 15 else None


def normalize_email(value: str) -> str | None:
    text = (value or "").strip().lower()
    if "@" not in text or len(text) > 254:
        return None
    try:
        validate_email(text)
    except ValidationError:
        return None
    return text


@dataclass(frozen=True)
class Contact:
    channel: Channel
    value: str

    @property
    def masked(self) -> str:
        return mask_contact(self.channel, self.value)


def parse_contact(value: str) -> Contact:
    """A phone or an email typed by a person; ContactInvalid if it is neither."""
    if "@" in (value or ""):
        email = normalize_email(value)
        if email:
            return Contact(Channel.EMAIL, email)
    else:
        phone = normalize_phone(value)
        if phone:
            return Contact(Channel.PHONE, phone)
    raise ContactInvalid(field="contact")


def mask_phone(phone: str) -> str:
    """+7 *** ***-**-89"""
    return f"{phone[:2]} *** ***-**-{phone[-2:]}" if len(phone) > 4 else "***"


def mask_email(email: str) -> str:
    """iv***@example.ru"""
    local, _, domain = email.partition("@")
    keep = 2 if len(local) > 3 else 1
    return f"{local[:keep]}***@{domain}"


def mask_contact(channel: str, value: str) -> str:
    return mask_email(value) if channel == Channel.EMAIL else mask_phone(value)


@dataclass(frozen=True)
class Identifier:
    """What a person typed into the login or recovery form, read as every kind it can be."""

    email: str | None = None
    phone: str | None = None
    snils: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.email or self.phone or self.snils)

    @property
    def throttle_key(self) -> str:
        """One key per typed identifier (used when no account matches it)."""
        return self.email or self.phone or self.snils or ""


def parse_identifier(value: str) -> Identifier:
    """Phone, email or SNILS. Eleven bare digits may be a phone or a SNILS: both are tried."""
    text = (value or "").strip()
    if "@" in text:
        return Identifier(email=normalize_email(text))
    if _SNILS_SHAPE.match(text):
        return Identifier(snils=_valid_snils(text))
    phone = normalize_phone(text)
    snils = _valid_snils(text) if not text.startswith("+") else None
    return Identifier(phone=phone, snils=snils)


def _valid_snils(text: str) -> str | None:
    try:
        validate_snils(text)
    except ValidationError:
        return None
    return normalize_snils(text)


def normalize_document_number(value: object) -> str:
    """A document's series and number as one upper-case string without spaces or dashes."""
    return re.sub(r"[\s\-\u2013\u2014.№#]", "", str(value or "")).upper()


def format_ru_passport(number: str) -> str:
    """4508123456 -> 45 08 123456"""
    return f"{number[:2]} {number[2:4]} {number[4:]}" if len(number) == 10 else number


def mask_document(number: str) -> str:
    """Only the last three characters: ****** 456"""
    return f"{'*' * max(len(number) - 3, 3)} {number[-3:]}" if len(number) > 3 else "***"
