"""Check digits of Russian identifiers, computed by their published algorithms (the
tests confirm each against python-stdnum and the core validators)."""

from __future__ import annotations

from uslugi.core.validators import snils_check_digits

_INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_1 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_2 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def _weighted(digits: str, weights: tuple[int, ...]) -> str:
    return str(sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 % 10)


def snils(first_nine: str) -> str:
    """An 11-digit SNILS from its first nine digits."""
    return first_nine + snils_check_digits(first_nine)


def inn10(first_nine: str) -> str:
    """A 10-digit INN of an organisation from its first nine digits."""
    return first_nine + _weighted(first_nine, _INN10_WEIGHTS)


def inn12(first_ten: str) -> str:
    """A 12-digit INN of a person from its first ten digits."""
    eleven = first_ten + _weighted(first_ten, _INN12_WEIGHTS_1)
    return eleven + _weighted(eleven, _INN12_WEIGHTS_2)


def ogrn(first_twelve: str) -> str:
    """A 13-digit OGRN: the 12-digit number mod 11, last digit of that."""
    return first_twelve + str(int(first_twelve) % 11 % 10)


def ogrnip(first_fourteen: str) -> str | None:
    """A 15-digit OGRNIP, or None when the number's remainder mod 13 is 10 to 12.

    The law takes the last digit of the remainder then; python-stdnum (and so our
    validators) accept only remainders 0-9, so the generator skips the others.
    """
    remainder = int(first_fourteen) % 13
    return None if remainder > 9 else first_fourteen + str(remainder)


def uin(body: str) -> str:
    """A payment UIN (GIS GMP, 20 or 25 digits) from its body: the check digit is the sum
    of digits by weights 1..10 (cycled) mod 11; 10 means weights 3..12, and 10 again 0."""
    for start in (1, 3):
        total = sum(int(d) * ((i % 10) + start) for i, d in enumerate(body)) % 11
        if total < 10:
            return body + str(total)
    return body + "0"


def vin(wmi_vds: str, tail: str) -> str:
    """A 17-character VIN from its first 8 characters and last 8, with the ISO 3779 check
    character (North American rule, 0-9 or X) in position 9."""
    draft = wmi_vds + "0" + tail
    total = sum(_VIN_VALUES[c] * w for c, w in zip(draft, _VIN_WEIGHTS, strict=True)) % 11
    return wmi_vds + ("X" if total == 10 else str(total)) + tail
