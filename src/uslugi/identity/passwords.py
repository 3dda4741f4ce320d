"""The portal's password rule, published to people:

at least 8 characters, with Latin upper- and lower-case letters and digits, not one of
the commonly used passwords, not containing your name, phone or email; up to 128
characters, never truncated (Argon2id hashes all of it).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from uslugi.identity.constants import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH

BLOCKLIST = Path(__file__).resolve().parent / "data" / "password_blocklist.txt"

_TRANSLIT = str.maketrans(
    {
        "а": "a",
        "б": "b",
        "в": "v",
        "г": "g",
        "д": "d",
        "е": "e",
        "ё": "e",
        "ж": "zh",
        "з": "z",
        "и": "i",
        "й": "i",
        "к": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "о": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ф": "f",
        "х": "kh",
        "ц": "ts",
        "ч": "ch",
        "ш": "sh",
        "щ": "shch",
        "ъ": "",
        "ы": "y",
        "ь": "",
        "э": "e",
        "ю": "iu",
        "я": "ia",
    }
)  # fmt: skip  (ICAO Doc 9303, as in Russian passports)


def transliterate(text: str) -> str:
    return text.lower().translate(_TRANSLIT)


class PortalRuleValidator:
    """Length 8..128, Latin upper- and lower-case letters and digits."""

    def validate(self, password: str, user: Any = None) -> None:
        errors = []
        if len(password) < PASSWORD_MIN_LENGTH:
            errors.append(
                ValidationError(
                    _("The password must have at least %(min)d characters.")
                    % {"min": PASSWORD_MIN_LENGTH},
                    code="password_too_short",
                )
            )
        if len(password) > PASSWORD_MAX_LENGTH:
            errors.append(
                ValidationError(
                    _("The password can have at most %(max)d characters.")
                    % {"max": PASSWORD_MAX_LENGTH},
                    code="password_too_long",
                )
            )
        if not (
            re.search(r"[A-Z]", password)
            and re.search(r"[a-z]", password)
            and re.search(r"\d", password)
        ):
            errors.append(
                ValidationError(
                    _(
                        "The password must contain Latin capital and small letters and digits, for example Tiger7Moon."
                    ),
                    code="password_classes",
                )
            )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return password_rule_text()


class BlocklistValidator:
    """Django's 20,000 common passwords and the portal's own blocklist."""

    def validate(self, password: str, user: Any = None) -> None:
        lowered = password.strip().lower()
        if lowered in _portal_blocklist() or lowered in _django_common():
            raise ValidationError(
                _("This password is too common: attackers try it first. Choose another one."),
                code="password_common",
            )

    def get_help_text(self) -> str:
        return _("It must not be a commonly used password.")


class PersonalDataValidator:
    """Not containing the person's names (also transliterated), phone digits or email name."""

    def __init__(self, *, words: Iterable[str] = ()) -> None:
        self.words = list(words)

    def validate(self, password: str, user: Any = None) -> None:
        words = list(self.words)
        if user is not None:
            words += [
                getattr(user, "surname", ""),
                getattr(user, "first_name", ""),
                getattr(user, "patronymic", ""),
                getattr(user, "phone", "") or "",
                getattr(user, "email", "") or "",
            ]
        if contains_personal_data(password, words):
            raise ValidationError(
                _("The password must not contain your name, phone number or email."),
                code="password_personal",
            )

    def get_help_text(self) -> str:
        return _("It must not contain your name, phone number or email.")


def contains_personal_data(password: str, words: Iterable[str]) -> bool:
    lowered = password.lower()
    digits = re.sub(r"\D", "", password)
    for raw in words:
        word = (raw or "").strip()
        if not word:
            continue
        if "@" in word:
            word = word.partition("@")[0]
        if word.startswith("+") or word.isdigit():
            phone_digits = re.sub(r"\D", "", word)
            # The subscriber part (last 7 digits) is what people reuse.
            if len(phone_digits) >= 7 and phone_digits[-7:] in digits:
                return True
            continue
        for form in {word.lower(), transliterate(word)}:
            if len(form) >= 3 and form in lowered:
                return True
    return False


@functools.cache
def _portal_blocklist() -> frozenset[str]:
    lines = BLOCKLIST.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().lower() for line in lines if line.strip() and not line.startswith("#")
    )


@functools.cache
def _django_common() -> frozenset[str]:
    return frozenset(CommonPasswordValidator().passwords)


def password_rule_text() -> str:
    return _(
        "At least 8 characters with Latin capital and small letters and digits, for example Tiger7Moon. Not a common password, and not your name, phone or email. Up to 128 characters."
    )


def validate_new_password(password: str, *, words: Iterable[str] = (), user: Any = None) -> None:
    """All the portal's password rules; ValidationError lists every one that fails."""
    errors: list[ValidationError] = []
    for validator in (
        PortalRuleValidator(),
        BlocklistValidator(),
        PersonalDataValidator(words=words),
    ):
        try:
            validator.validate(password, user)
        except ValidationError as exc:
            errors.extend(exc.error_list)
    if errors:
        raise ValidationError(errors)
