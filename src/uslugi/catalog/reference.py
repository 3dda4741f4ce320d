"""Reference data from `catalog/data/*.yaml`: regions, municipalities (the regions'
administrative centres), categories, departments and offices. Loading is idempotent:
rows are matched by code, created when missing and updated when they differ."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.db import models, transaction

from uslugi.catalog.constants import Audience, DepartmentKind, OfficeKind
from uslugi.catalog.models import Category, Department, Municipality, Office, Region

DATA_DIR = Path(__file__).resolve().parent / "data"

# Typical (collective) departments and the per-region/-municipality body that has the
# office where a person applies in person.
TYPICAL_OFFICE_BODY = {
    "regional-zags": ("region", "zags"),
    "regional-social": ("region", "social"),
    "regional-education": ("region", "education"),
    "regional-health": ("region", "health"),
    "regional-employment": ("region", "employment"),
    "regional-nature": ("region", "nature"),
    "regional-trade": ("region", "economy"),
    "municipal-education": ("municipality", "education"),
    "municipal-administration": ("municipality", "adm"),
}


@cache
def read_data(name: str) -> Any:
    with (DATA_DIR / name).open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def capital_code(region_code: str) -> str:
    """The municipality code of a region's administrative centre."""
    return f"{region_code}-001"


def region_department_code(region_code: str, slug: str) -> str:
    return f"r{region_code}-{slug}"


def municipality_department_code(municipality_code: str, slug: str) -> str:
    return f"m{municipality_code}-{slug}"


def _upsert(model: type[models.Model], key: str, rows: Iterable[dict[str, Any]]) -> int:
    """Create missing rows and update changed ones, matched by `key`; returns the count
    of rows written."""
    rows = list(rows)
    keys = [r[key] for r in rows]
    existing = {getattr(o, key): o for o in model._default_manager.filter(**{f"{key}__in": keys})}
    create, update, fields = [], [], set()
    for row in rows:
        obj = existing.get(row[key])
        if obj is None:
            create.append(model(**row))
            continue
        changed = [f for f, v in row.items() if getattr(obj, f) != v and f != key]
        if changed:
            for f in changed:
                setattr(obj, f, row[f])
            fields.update(changed)
            update.append(obj)
    model._default_manager.bulk_create(create, batch_size=500)
    if update:
        model._default_manager.bulk_update(update, sorted(fields), batch_size=500)
    return len(create) + len(update)


@transaction.atomic
def load_reference() -> dict[str, int]:
    """Load every reference table; safe to repeat."""
    counts: dict[str, int] = {}
    region_rows = read_data("regions.yaml")["regions"]
    _upsert(
        Region,
        "code",
        (
            {
                "code": code, "name_ru": ru, "name_en": en, "name_genitive_ru": gen,
                "capital_ru": cap_ru, "capital_en": cap_en, "timezone": tz,
            }
            for code, ru, en, gen, cap_ru, cap_en, tz in region_rows
        ),
    )  # fmt: skip
    regions = {r.code: r for r in Region.objects.all()}
    counts["regions"] = len(regions)
    _upsert(
        Municipality,
        "code",
        (
            {
                "code": capital_code(r.code),
                "region_id": r.id,
                "name_ru": f"Город {r.capital_ru}",
                "name_en": f"City of {r.capital_en}",
            }
            for r in regions.values()
        ),
    )
    counts["municipalities"] = Municipality.objects.count()
    _upsert(
        Category,
        "slug",
        (
            {"slug": slug, "order": i, "name_ru": ru, "name_en": en, "audience": Audience(aud)}
            for i, (slug, ru, en, aud) in enumerate(read_data("categories.yaml")["categories"], 1)
        ),
    )
    counts["categories"] = Category.objects.count()
    counts["departments"] = _load_departments(regions)
    counts["offices"] = _load_offices(regions)
    return counts


def _department_rows(regions: dict[str, Region]) -> list[dict[str, Any]]:
    data = read_data("departments.yaml")
    rows: list[dict[str, Any]] = []

    def add(code: str, parent: str, kind: str, names: list[str], **extra: Any) -> None:
        name_ru, name_en, short_ru, short_en = names
        rows.append(
            {
                "code": code, "kind": kind, "name_ru": name_ru, "name_en": name_en,
                "short_name_ru": short_ru, "short_name_en": short_en, "_parent": parent,
                "region_id": None, "municipality_id": None, **extra,
            }
        )  # fmt: skip

    for code, parent, *names in data["federal"]:
        add(code, parent, DepartmentKind.FEDERAL, names)
    for code, parent, *names in data["other"]:
        add(code, parent, DepartmentKind.OTHER, names)
    for code, parent, *names in data["typical_regional"]:
        add(code, parent, DepartmentKind.REGIONAL, names)
    for code, parent, *names in data["typical_municipal"]:
        add(code, parent, DepartmentKind.MUNICIPAL, names)
    municipalities = {m.code: m for m in Municipality.objects.all()}
    for region in regions.values():
        fill = {"gen": region.name_genitive_ru, "en": region.name_en}
        for slug, parent, *names in data["per_region"]:
            add(
                region_department_code(region.code, slug),
                region_department_code(region.code, parent) if parent else "",
                DepartmentKind.REGIONAL,
                [n.format(**fill) for n in names],
                region_id=region.id,
            )
    for municipality in municipalities.values():
        region = next(r for r in regions.values() if r.id == municipality.region_id)
        fill = {"city": region.capital_ru, "city_en": region.capital_en}
        if municipality.code != capital_code(region.code):
            fill = {"city": str(municipality.name_ru), "city_en": str(municipality.name_en)}
        for slug, parent, *names in data["per_municipality"]:
            add(
                municipality_department_code(municipality.code, slug),
                municipality_department_code(municipality.code, parent) if parent else "",
                DepartmentKind.MUNICIPAL,
                [n.format(**fill) for n in names],
                region_id=region.id,
                municipality_id=municipality.id,
            )
    return rows


def _load_departments(regions: dict[str, Region]) -> int:
    rows = _department_rows(regions)
    parents = {r["code"]: r.pop("_parent") for r in rows}
    _upsert(Department, "code", rows)
    ids = dict(Department.objects.values_list("code", "id"))
    changed = []
    for dept in Department.objects.filter(code__in=parents.keys()):
        parent_id = ids.get(parents[dept.code]) if parents[dept.code] else None
        if dept.parent_id != parent_id:
            dept.parent_id = parent_id
            changed.append(dept)
    Department.objects.bulk_update(changed, ["parent"], batch_size=500)
    return len(ids)


def office_code(region_code: str, department_code: str) -> str:
    """An office's stable code: its region and the department (or body) it belongs to."""
    return f"{region_code}:{department_code}"


def _load_offices(regions: dict[str, Region]) -> int:
    """Service centres and department offices in every region's administrative centre.
    Names only: addresses and hours are not reference data we hold. Matched by code, so
    applications and staff roles that name an office keep it across loads."""
    departments = {d.code: d for d in Department.objects.all()}
    parents = set(Department.objects.exclude(parent=None).values_list("parent_id", flat=True))
    capitals = {m.region_id: m for m in Municipality.objects.filter(code__endswith="-001")}
    rows: list[dict[str, Any]] = []
    for region in regions.values():
        capital = capitals.get(region.id)
        mfc_code = region_department_code(region.code, "mfc")
        mfc = departments.get(mfc_code)
        rows.append(
            {
                "code": office_code(region.code, mfc_code), "kind": OfficeKind.SERVICE_CENTRE,
                "region_id": region.id, "municipality_id": capital.id if capital else None,
                "department_id": mfc.id if mfc else None,
                "name_ru": f"Центр госуслуг «Мои документы», {region.capital_ru}",
                "name_en": f"'My Documents' public service centre, {region.capital_en}",
            }
        )  # fmt: skip
        for dept in departments.values():
            if (
                dept.kind not in (DepartmentKind.FEDERAL, DepartmentKind.OTHER)
                or dept.id in parents
            ):
                continue
            rows.append(
                {
                    "code": office_code(region.code, dept.code), "kind": OfficeKind.DEPARTMENT,
                    "region_id": region.id, "municipality_id": capital.id if capital else None,
                    "department_id": dept.id,
                    "name_ru": f"{dept.short_name_ru or dept.name_ru}: территориальное подразделение, {region.capital_ru}",
                    "name_en": f"{dept.short_name_en or dept.name_en}: regional office, {region.capital_en}",
                }
            )  # fmt: skip
        for typical, (scope, slug) in TYPICAL_OFFICE_BODY.items():
            body_code = (
                region_department_code(region.code, slug)
                if scope == "region"
                else municipality_department_code(capital_code(region.code), slug)
            )
            body = departments.get(body_code)
            if body is None or typical not in departments:
                continue
            rows.append(
                {
                    "code": office_code(region.code, body_code), "kind": OfficeKind.DEPARTMENT,
                    "region_id": region.id, "municipality_id": capital.id if capital else None,
                    "department_id": departments[typical].id,
                    "name_ru": f"{body.name_ru}, {region.capital_ru}",
                    "name_en": f"{body.name_en}, {region.capital_en}",
                }
            )  # fmt: skip
    Office.objects.exclude(code__in=[r["code"] for r in rows]).delete()
    _upsert(Office, "code", rows)
    return len(rows)
