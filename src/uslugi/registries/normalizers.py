"""Normalisers of the registries' look-up keys (importable: blind indexes name them in
migrations). Names are compared without case and with ё read as е, as people type them."""

from __future__ import annotations

import re

_SPACES = re.compile(r"[\s\-\u2013\u2014.]")


def normalize_name(value: object) -> str:
    """One name part as compared: trimmed, case-folded, ё → е, inner spaces collapsed."""
    return " ".join(str(value or "").split()).casefold().replace("ё", "е")


def name_key(surname: object, first_name: object) -> str:
    """The indexed search key of a person by name: `surname first_name`, normalised."""
    return f"{normalize_name(surname)} {normalize_name(first_name)}"


def normalize_document(value: object) -> str:
    """A document number without spaces, dashes or dots, in capitals (licences, STS,
    foreign documents: their series may hold letters)."""
    return _SPACES.sub("", str(value or "")).upper()
