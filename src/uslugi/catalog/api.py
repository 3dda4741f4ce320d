"""The catalogue API: services (search, filters, stable cursor pagination), one service's
passport, categories, departments, regions. Public: only published services appear."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core import signing
from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema

from uslugi.catalog import errors, register, selectors
from uslugi.catalog.constants import DepartmentKind, Level
from uslugi.catalog.models import Department, Service
from uslugi.core.problems import responses

router = Router(tags=["catalogue"])

_CURSOR_SALT = "uslugi.catalog.cursor"
MAX_LIMIT = 100


class DepartmentRef(Schema):
    code: str
    name: str


class ServiceOut(Schema):
    code: str
    title: str
    short_title: str
    level: str
    department: DepartmentRef
    availability: str
    online: bool
    available_in_region: bool | None = None
    url: str


class ServicePage(Schema):
    items: list[ServiceOut]
    next_cursor: str | None = None


class ServiceFilters(Schema):
    query: str = ""
    region: str = ""
    category: str = ""
    department: str = ""
    level: Level | None = None
    cursor: str = ""
    limit: int = 20


class CategoryOut(Schema):
    slug: str
    name_ru: str
    name_en: str
    audience: str


class RegionOut(Schema):
    code: str
    name_ru: str
    name_en: str
    capital_ru: str
    capital_en: str
    timezone: str


class DepartmentOut(Schema):
    code: str
    kind: str
    name_ru: str
    name_en: str
    short_name_ru: str
    short_name_en: str
    parent: str | None = None
    region: str | None = None


class DepartmentPage(Schema):
    items: list[DepartmentOut]
    next_cursor: str | None = None


class SuggestionOut(Schema):
    code: str
    title: str
    url: str


def _encode(position: dict[str, Any]) -> str:
    return signing.dumps(position, salt=_CURSOR_SALT, compress=True)


def _decode(cursor: str, fingerprint: str) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        position = signing.loads(cursor, salt=_CURSOR_SALT)
    except signing.BadSignature as exc:
        raise errors.InvalidCursor(field="cursor") from exc
    if not isinstance(position, dict) or position.get("f") != fingerprint:
        raise errors.InvalidCursor(field="cursor")
    return position


def _fingerprint(filters: ServiceFilters) -> str:
    data = filters.dict(exclude={"cursor", "limit"})
    raw = json.dumps(data, sort_keys=True, default=str).encode()
    return hashlib.sha256(raw).hexdigest()[:16]


def _service_out(service: Service, available: bool | None) -> dict[str, Any]:
    return {
        "code": service.code,
        "title": service.title,
        "short_title": service.short_title,
        "level": service.level,
        "department": {"code": service.department.code, "name": service.department.name},
        "availability": service.availability,
        "online": bool(service.channel_online and service.online_form_code),
        "available_in_region": available,
        "url": reverse("catalog-service", args=[service.code]),
    }


def _lookup(filters: ServiceFilters) -> tuple[Any, Any, Any]:
    region = selectors.region_get(code=filters.region) if filters.region else None
    category = selectors.category_get(slug=filters.category) if filters.category else None
    department = selectors.department_get(code=filters.department) if filters.department else None
    return region, category, department


@router.get(
    "/services",
    response={200: ServicePage, **responses(404, 422)},
    summary="List or search published services",
    description=(
        "Without `query`: services by code. With `query`: ranked by relevance, popularity "
        "and availability in `region`. `region` keeps only services available there "
        "(federal ones everywhere, regional ones in their regions, municipal ones in their "
        "municipalities' regions). Pass `next_cursor` back as `cursor` for the next page: "
        "pages neither repeat nor skip a service while the register does not change."
    ),
)
def list_services(request: HttpRequest, filters: Query[ServiceFilters]) -> dict[str, Any]:
    limit = max(1, min(filters.limit, MAX_LIMIT))
    fingerprint = _fingerprint(filters)
    position = _decode(filters.cursor, fingerprint)
    region, category, department = _lookup(filters)
    level = filters.level.value if filters.level else ""
    if filters.query.strip():
        results = selectors.service_search(
            filters.query,
            region=region,
            category=category,
            department=department,
            level=level,
            only_available=region is not None,
        )
        ranked = results.ranked
        start = 0
        if position is not None:
            after = (-float(position["s"]), str(position["c"]))
            start = next(
                (i for i, h in enumerate(ranked) if (-h.score, h.code) > after), len(ranked)
            )
        hits = results.page(start, limit)
        items = [_service_out(h.service, h.available) for h in hits if h.service is not None]
        more = start + limit < len(ranked)
        next_cursor = (
            _encode({"f": fingerprint, "s": hits[-1].score, "c": hits[-1].code})
            if more and hits
            else None
        )
        return {"items": items, "next_cursor": next_cursor}
    departments = selectors.department_subtree_ids([department]) if department else ()
    qs = selectors.services_for_api(
        region=region, category=category, departments=list(departments), level=level
    ).order_by("code")
    if position is not None:
        qs = qs.filter(code__gt=str(position["c"]))
    page = list(qs[: limit + 1])
    services = page[:limit]
    if region is not None:
        selectors.mark_availability(services, region)
    items = [_service_out(s, getattr(s, "available", None)) for s in services]
    next_cursor = _encode({"f": fingerprint, "c": services[-1].code}) if len(page) > limit else None
    return {"items": items, "next_cursor": next_cursor}


@router.get(
    "/services/suggest",
    response={200: list[SuggestionOut], **responses(422)},
    summary="Autocomplete titles",
)
def suggest(request: HttpRequest, q: str = "", region: str = "") -> list[dict[str, str]]:
    region_obj = selectors.region_find(region)
    return [
        {
            "code": s.code,
            "title": s.display_title,
            "url": reverse("catalog-service", args=[s.code]),
        }
        for s in selectors.service_suggest(q[:200], region=region_obj)
    ]


@router.get(
    "/services/{code}",
    response={200: dict[str, Any], **responses(404)},
    summary="A published service's passport",
    description="The register record (texts in Russian and English) plus its page URL.",
)
def get_service(request: HttpRequest, code: str) -> dict[str, Any]:
    service = selectors.service_get_published(code=code)
    data = register.snapshot(register.services_for_snapshot([service.id])[0])
    data["url"] = reverse("catalog-service", args=[service.code])
    data["version"] = service.version
    data["published_at"] = service.published_at
    return data


@router.get("/categories", response=list[CategoryOut], summary="Categories of the catalogue")
def list_categories(request: HttpRequest) -> Any:
    return list(selectors.categories())


@router.get("/regions", response=list[RegionOut], summary="The regions")
def list_regions(request: HttpRequest) -> Any:
    return list(selectors.regions())


@router.get(
    "/departments",
    response={200: DepartmentPage, **responses(404, 422)},
    summary="Departments that provide services",
)
def list_departments(
    request: HttpRequest,
    kind: DepartmentKind | None = None,
    region: str = "",
    cursor: str = "",
    limit: int = 50,
) -> dict[str, Any]:
    limit = max(1, min(limit, MAX_LIMIT))
    fingerprint = f"{kind or ''}:{region}"
    position = _decode(cursor, fingerprint)
    qs = Department.objects.select_related("parent", "region").order_by("code")
    if kind:
        qs = qs.filter(kind=kind.value)
    if region:
        qs = qs.filter(region=selectors.region_get(code=region))
    if position is not None:
        qs = qs.filter(code__gt=str(position["c"]))
    page = list(qs[: limit + 1])
    items = [
        {
            "code": d.code, "kind": d.kind, "name_ru": d.name_ru, "name_en": d.name_en,
            "short_name_ru": d.short_name_ru, "short_name_en": d.short_name_en,
            "parent": d.parent.code if d.parent else None,
            "region": d.region.code if d.region else None,
        }
        for d in page[:limit]
    ]  # fmt: skip
    more = len(page) > limit
    return {
        "items": items,
        "next_cursor": _encode({"f": fingerprint, "c": page[limit - 1].code}) if more else None,
    }
