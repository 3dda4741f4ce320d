"""Human-friendly application numbers with a check digit: `2026-00012345-7`.

The year, an 8-digit sequence per year, and a Luhn check digit over the 12 digits, so a
mistyped number (one wrong digit, two neighbours swapped) is caught before a search.
"""

from __future__ import annotations

import re

_FORMAT = re.compile(r"^\s*([0-9]{4})[-\s]?([0-9]{8})[-\s]?([0-9])\s*$")


def luhn_digit(digits: str) -> int:
    """The Luhn check digit for a string of digits."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


def format_number(year: int, sequence: int) -> str:
    body = f"{year:04d}{sequence:08d}"
    return f"{year:04d}-{sequence:08d}-{luhn_digit(body)}"


def normalize(text: str) -> str | None:
    """A typed number in canonical form, or None when it is not a valid number."""
    match = _FORMAT.match(text or "")
    if match is None:
        return None
    year, sequence, check = match.groups()
    if luhn_digit(year + sequence) != int(check):
        return None
    return f"{year}-{sequence}-{check}"
