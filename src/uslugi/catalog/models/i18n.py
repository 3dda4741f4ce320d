"""Translated texts: one column per language (`title_ru`, `title_en`), read through a
descriptor that picks the active language and falls back to Russian (the source)."""

from __future__ import annotations

from typing import Any

from django.utils import translation

from uslugi.catalog.constants import TEXT_LANGUAGES

SOURCE_LANGUAGE = TEXT_LANGUAGES[0]


def active_text_language() -> str:
    lang = (translation.get_language() or SOURCE_LANGUAGE).split("-")[0]
    return lang if lang in TEXT_LANGUAGES else SOURCE_LANGUAGE


class Localized:
    """`title = Localized("title")`: the `title_<lang>` column in the active language,
    or the Russian text when the translation is empty."""

    def __init__(self, base: str) -> None:
        self.base = base

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        value = getattr(obj, f"{self.base}_{active_text_language()}", "")
        return value or getattr(obj, f"{self.base}_{SOURCE_LANGUAGE}", "")


def localized_field_names(base: str) -> list[str]:
    return [f"{base}_{lang}" for lang in TEXT_LANGUAGES]
