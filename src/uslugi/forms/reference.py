"""Reference data for address fields: regions and municipalities, by code.

Regions come from the catalogue's reference file (always there, even before the
catalogue is loaded); municipalities from the catalogue's table, else each region's
administrative centre. Both are cached briefly: they change with a data load, not per
request.
"""

from __future__ import annotations

from django.core.cache import cache

from uslugi.catalog import reference as catalog_reference
from uslugi.catalog import selectors as catalog_selectors

_SECONDS = 300


def _language(language: str) -> int:
    return 1 if language.startswith("ru") else 2


def region_choices(language: str) -> list[tuple[str, str]]:
    """(code, name) of the 85 regions, by code."""
    index = _language(language)
    rows = catalog_reference.read_data("regions.yaml")["regions"]
    return [(row[0], row[index]) for row in rows]


def municipality_choices(language: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Municipalities grouped by region: [(region name, [(code, name), ...]), ...]."""
    key = f"forms:municipalities:{language[:2]}"
    found: list[tuple[str, list[tuple[str, str]]]] | None = cache.get(key)
    if found is not None:
        return found
    regions = dict(region_choices(language))
    groups: dict[str, list[tuple[str, str]]] = {}
    for municipality in catalog_selectors.municipalities():
        name = municipality.name_ru if language.startswith("ru") else municipality.name_en
        groups.setdefault(municipality.region.code, []).append(
            (municipality.code, name or municipality.name_ru)
        )
    if not groups:  # the catalogue is not loaded: the administrative centres
        rows = catalog_reference.read_data("regions.yaml")["regions"]
        for row in rows:
            capital = row[4] if language.startswith("ru") else row[5]
            groups[row[0]] = [(catalog_reference.capital_code(row[0]), capital)]
    found = [(regions.get(code, code), items) for code, items in sorted(groups.items())]
    cache.set(key, found, _SECONDS)
    return found


def region_name(code: str, language: str) -> str:
    return dict(region_choices(language)).get(code, code)


def municipality_name(code: str, language: str) -> str:
    for _region, items in municipality_choices(language):
        for value, label in items:
            if value == code:
                return label
    return code


def office_choices(
    department: str, language: str, *, service_centres: bool = False
) -> list[tuple[str, list[tuple[str, str]]]]:
    """Offices of a department (and the service centres, if asked), grouped by region:
    [(region name, [(office code, office name), ...]), ...]. Empty when the catalogue
    lists none: the form then does not ask."""
    key = f"forms:offices:{department}:{int(service_centres)}:{language[:2]}"
    found: list[tuple[str, list[tuple[str, str]]]] | None = cache.get(key)
    if found is not None:
        return found
    regions = dict(region_choices(language))
    groups: dict[str, list[tuple[str, str]]] = {}
    for office in catalog_selectors.offices_of(department, service_centres=service_centres):
        name = office.name_ru if language.startswith("ru") else office.name_en
        groups.setdefault(office.region.code, []).append((str(office.code), name or office.name_ru))
    found = [(regions.get(code, code), items) for code, items in sorted(groups.items())]
    cache.set(key, found, _SECONDS)
    return found


def office_name(code: str, language: str) -> str:
    """An office's name by its code (the code itself when the catalogue has no such office)."""
    office = catalog_selectors.office_by_code(code)
    if office is None:
        return code
    return (office.name_ru if language.startswith("ru") else office.name_en) or office.name_ru
