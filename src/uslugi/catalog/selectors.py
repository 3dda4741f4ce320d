"""Queries of the catalogue. Every public read goes through here, so what is public
(published services only) and who may edit what (department roles) is decided once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from uslugi.catalog import errors
from uslugi.catalog.constants import Availability, EditorRole, Status
from uslugi.catalog.models import (
    Category,
    Department,
    DepartmentEditor,
    LifeSituation,
    LifeSituationStep,
    Municipality,
    Office,
    Region,
    SearchDocument,
    Service,
)
from uslugi.catalog.models.i18n import active_text_language
from uslugi.catalog.search import engine
from uslugi.catalog.search.backends import Filters

ServiceRegion = Service.regions.through

# --- Reference data -------------------------------------------------------------------------


def regions() -> QuerySet[Region]:
    return Region.objects.order_by("code")


def region_get(*, code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise errors.RegionNotFound()
    return region


def region_find(code: str | None) -> Region | None:
    """The region with this code, or None (for values from cookies and profiles)."""
    if not code:
        return None
    return Region.objects.filter(code=str(code)[:2]).first()


def municipalities() -> QuerySet[Municipality]:
    return Municipality.objects.select_related("region").order_by("region__code", "code")


def categories() -> QuerySet[Category]:
    return Category.objects.order_by("order", "slug")


def category_choices() -> list[tuple[str, str]]:
    """(slug, name) of every category in the active language, cached for a while (reference
    data that changes with a deployment, not by editors)."""
    key = f"catalog:category-choices:{active_text_language()}"
    choices = cache.get(key)
    if choices is None:
        choices = [(c.slug, str(c.name)) for c in categories()]
        cache.set(key, choices, 300)
    return choices


def category_get(*, slug: str) -> Category:
    category = Category.objects.filter(slug=slug).first()
    if category is None:
        raise errors.CategoryNotFound()
    return category


def departments(*, kind: str = "", region: Region | None = None) -> QuerySet[Department]:
    """Departments, top-level bodies first; regional and municipal ones of one region."""
    qs = Department.objects.select_related("parent", "region")
    if kind:
        qs = qs.filter(kind=kind)
    if region is not None:
        qs = qs.filter(region=region)
    return qs.order_by("kind", "name_ru")


def departments_with_services(
    *, kind: str | tuple[str, ...], region: Region | None = None
) -> list[Department]:
    """Departments that provide published services, with `service_count`; for regional
    and municipal bodies, those of one region (or the typical ones, with no region)."""
    kinds = (kind,) if isinstance(kind, str) else kind
    qs = Department.objects.filter(kind__in=kinds)
    qs = qs.filter(region=region) if region is not None else qs.filter(region__isnull=True)
    qs = qs.annotate(
        service_count=Count("services", filter=Q(services__status=Status.PUBLISHED))
    ).filter(service_count__gt=0)
    return list(qs.order_by("name_ru"))


def department_get(*, code: str) -> Department:
    department = Department.objects.select_related("parent", "region").filter(code=code).first()
    if department is None:
        raise errors.DepartmentNotFound()
    return department


def department_subtree_ids(departments: Iterable[Department | Any]) -> set[Any]:
    """The ids of these departments and every body below them."""
    frontier = {d.id if isinstance(d, Department) else d for d in departments}
    found = set(frontier)
    while frontier:
        frontier = set(
            Department.objects.filter(parent_id__in=frontier)
            .exclude(id__in=found)
            .values_list("id", flat=True)
        )
        found |= frontier
    return found


def life_situations() -> QuerySet[LifeSituation]:
    """Life situations in their display order (for the home page and the catalogue)."""
    return LifeSituation.objects.order_by("order", "slug")


def life_situation_get(*, slug: str) -> LifeSituation:
    situation = LifeSituation.objects.filter(slug=slug).first()
    if situation is None:
        raise errors.LifeSituationNotFound()
    return situation


def life_situation_steps(
    situation: LifeSituation, *, region: Region | None
) -> list[LifeSituationStep]:
    """The published services of a life situation in order, each marked with its
    availability in the region (`step.service.available`)."""
    steps = list(
        situation.steps.filter(service__status=Status.PUBLISHED)
        .select_related("service__department")
        .order_by("order")
    )
    mark_availability([s.service for s in steps], region)
    return steps


# --- Services: the public view ------------------------------------------------------------


def published_services() -> QuerySet[Service]:
    return Service.objects.filter(status=Status.PUBLISHED)


def available_in(region: Region) -> Q:
    """Services that can be received in a region: federal ones everywhere, regional ones
    in their regions, municipal ones in their municipalities' regions."""
    listed = ServiceRegion.objects.filter(service_id=OuterRef("pk"), region_id=region.id)
    return Q(availability=Availability.ALL_REGIONS) | Q(Exists(listed))


def mark_availability(services: Sequence[Service], region: Region | None) -> None:
    """Set `service.available` (True/False, or None without a region) in one query."""
    if region is None:
        for service in services:
            service.available = None  # type: ignore[attr-defined]
        return
    listed = set(
        ServiceRegion.objects.filter(
            service_id__in=[s.id for s in services], region_id=region.id
        ).values_list("service_id", flat=True)
    )
    for service in services:
        service.available = (  # type: ignore[attr-defined]
            service.availability == Availability.ALL_REGIONS or service.id in listed
        )


def service_get_published(*, code: str) -> Service:
    """A published service with everything its page shows; unpublished ones do not exist."""
    service = (
        published_services()
        .select_related("department__parent")
        .prefetch_related("categories", "documents", "variants")
        .filter(code=code)
        .first()
    )
    if service is None:
        raise errors.ServiceNotFound()
    return service


# The passport page's data, cached in each process for a short time: a public reference
# page read far more often than it changes. Commands that change a passport forget it
# (in this process; other processes see the change within PAGE_CACHE_SECONDS).
PAGE_CACHE_SECONDS = 30


def _page_cache_key(code: str) -> str:
    return f"catalog:passport:{code}"


def service_for_page(*, code: str) -> Service:
    """Like `service_get_published`, served from the cache when it can be."""
    key = _page_cache_key(code)
    service = cache.get(key)
    if service is None:
        service = service_get_published(code=code)
        cache.set(key, service, PAGE_CACHE_SECONDS)
    return service


@dataclass(frozen=True)
class PassportHead:
    """What a passport page needs before its cached content: cheap to keep and read."""

    code: str
    version: int
    titles: dict[str, str]

    @property
    def title(self) -> str:
        return self.titles.get(active_text_language()) or self.titles["ru"]


def passport_head(*, code: str) -> PassportHead:
    """The code, version and title of a published passport (cached like the page)."""
    key = _page_cache_key(code) + ":head"
    head = cache.get(key)
    if head is None:
        service = service_for_page(code=code)
        head = PassportHead(
            code=service.code,
            version=service.version,
            titles={
                "ru": service.short_title_ru or service.title_ru,
                "en": service.short_title_en or service.title_en,
            },
        )
        cache.set(key, head, PAGE_CACHE_SECONDS)
    return head


def forget_service_page(code: str) -> None:
    cache.delete_many([_page_cache_key(code), _page_cache_key(code) + ":head"])


def service_is_available(service: Service, region: Region) -> bool:
    if service.availability == Availability.ALL_REGIONS:
        return True
    return ServiceRegion.objects.filter(service_id=service.id, region_id=region.id).exists()


def service_regions(service: Service) -> QuerySet[Region]:
    return service.regions.order_by("code")


def service_municipalities(service: Service, *, region: Region | None) -> QuerySet[Municipality]:
    qs = service.municipalities.select_related("region").order_by("code")
    return qs.filter(region=region) if region is not None else qs


def offices_for(service: Service, *, region: Region | None) -> list[Office]:
    """Where to apply in person in a region: service centres (if the service is offered
    there) and the department's own offices."""
    if region is None:
        return []
    kinds = Q(department=service.department) | Q(department_id=service.department.parent_id)
    if service.channel_service_centre:
        kinds |= Q(kind="mfc")
    return list(Office.objects.filter(kinds, region=region).order_by("kind", "name_ru")[:10])


def offices_of(department_code: str, *, service_centres: bool = False) -> QuerySet[Office]:
    """The offices of a department (by code), with their regions; the service centres too
    if asked. Offices without a code (an old reference load) are left out."""
    which = Q(department__code=department_code)
    if service_centres:
        which |= Q(kind="mfc")
    return (
        Office.objects.filter(which, code__isnull=False)
        .select_related("region")
        .order_by("region__code", "kind", "name_ru")
    )


def office_by_code(code: str) -> Office | None:
    if not code:
        return None
    return Office.objects.filter(code=code).select_related("region", "department").first()


def popular_services(region: Region | None = None, *, limit: int = 8) -> list[Service]:
    """The most used published services, those available in the region first (for the
    home page and the catalogue landing)."""
    qs = published_services().select_related("department")
    if region is not None:
        qs = qs.filter(available_in(region))
    services = list(qs.order_by("-popularity", "code")[:limit])
    mark_availability(services, region)
    return services


def services_in_category(category: Category, *, region: Region | None) -> QuerySet[Service]:
    qs = published_services().filter(categories=category).select_related("department")
    return _region_first(qs, region)


def services_of_department(department: Department, *, region: Region | None) -> QuerySet[Service]:
    ids = department_subtree_ids([department])
    qs = published_services().filter(department_id__in=ids).select_related("department")
    return _region_first(qs, region)


def _region_first(qs: QuerySet[Service], region: Region | None) -> QuerySet[Service]:
    """Services available in the region only (all of them without a region), popular first."""
    if region is not None:
        qs = qs.filter(available_in(region))
    return qs.order_by("-popularity", "code")


def services_for_api(
    *, region: Region | None, category: Category | None, departments: Sequence[Any], level: str
) -> QuerySet[Service]:
    qs = published_services().select_related("department")
    if region is not None:
        qs = qs.filter(available_in(region))
    if category is not None:
        qs = qs.filter(categories=category)
    if departments:
        qs = qs.filter(department_id__in=departments)
    if level:
        qs = qs.filter(level=level)
    return qs


# --- Search ---------------------------------------------------------------------------------


# What a list of services shows (search results, suggestions): loading no more is faster.
LIST_FIELDS = (
    "id", "code", "status", "level", "availability", "channel_online", "online_form_code",
    "title_ru", "title_en", "short_title_ru", "short_title_en", "department__code",
    "department__name_ru", "department__name_en", "department__short_name_ru",
    "department__short_name_en",
)  # fmt: skip


@dataclass
class SearchHit:
    """One ranked result; `service` is loaded only for the results shown."""

    service_id: Any
    code: str
    score: float
    available: bool | None
    service: Service | None = None


@dataclass
class SearchResults:
    query: str
    ranked: list[SearchHit] = field(default_factory=list)
    corrections: dict[str, str] = field(default_factory=dict)

    @property
    def corrected(self) -> bool:
        return bool(self.corrections)

    @property
    def codes(self) -> list[str]:
        return [h.code for h in self.ranked]

    def __len__(self) -> int:
        return len(self.ranked)

    def page(self, offset: int, limit: int) -> list[SearchHit]:
        """A slice of the results with their services loaded (two queries)."""
        hits = self.ranked[offset : offset + limit]
        services = {
            s.id: s
            for s in Service.objects.filter(id__in=[h.service_id for h in hits])
            .select_related("department")
            .only(*LIST_FIELDS)
        }
        for hit in hits:
            hit.service = services.get(hit.service_id)
            if hit.service is not None:
                hit.service.available = hit.available  # type: ignore[attr-defined]
        return [h for h in hits if h.service is not None]


def service_search(
    query: str,
    *,
    region: Region | None = None,
    category: Category | None = None,
    department: Department | None = None,
    level: str = "",
    online_only: bool = False,
    only_available: bool = False,
    include_unpublished: bool = False,
    limit: int = engine.CANDIDATES,
) -> SearchResults:
    """Published services matching a query in Russian or English, best first: relevance,
    popularity and availability in the region. The same results on SQLite and PostgreSQL."""
    plan = engine.plan_query(query)
    results = SearchResults(query=query, corrections=plan.corrections)
    if plan.empty:
        return results
    filters = Filters(
        category_id=category.id if category else None,
        department_ids=sorted(department_subtree_ids([department]), key=str) if department else (),
        level=level,
        online_only=online_only,
        region_id=region.id if (region and only_available) else None,
        include_unpublished=include_unpublished,
    )
    results.ranked = _rank(plan, engine.candidates_for(plan, filters), region)[:limit]
    return results


def service_suggest(query: str, *, region: Region | None = None, limit: int = 6) -> list[Service]:
    """A few titles for autocomplete: the last word may be unfinished."""
    plan = engine.plan_query(query, suggest=True)
    if plan.empty:
        return []
    candidates = engine.candidates_for(plan, Filters(), limit=60)
    results = SearchResults(query=query, ranked=_rank(plan, candidates, region))
    return [hit.service for hit in results.page(0, limit) if hit.service is not None]


def _rank(
    plan: engine.QueryPlan, candidates: Sequence[Any], region: Region | None
) -> list[SearchHit]:
    """Score the candidates in Python (plain rows, no model objects: this runs for up to
    a few hundred documents per query)."""
    if not candidates:
        return []
    ids = [c.service_id for c in candidates]
    rows = SearchDocument.objects.filter(service_id__in=ids).values_list(
        "service_id", "service__code", "service__popularity", "service__availability",
        "title_ru_terms", "title_en_terms", "keyword_terms", "body_terms",
    )  # fmt: skip
    listed: set[Any] = set()
    if region is not None:
        listed = set(
            ServiceRegion.objects.filter(service_id__in=ids, region_id=region.id).values_list(
                "service_id", flat=True
            )
        )
    hits = []
    for service_id, code, popularity, availability, t_ru, t_en, keywords, body in rows:
        available = (
            None
            if region is None
            else availability == Availability.ALL_REGIONS or service_id in listed
        )
        value = engine.score(
            plan,
            engine.DocumentTerms.parse(t_ru, t_en, keywords, body),
            popularity=popularity,
            availability=availability,
            available=available,
        )
        hits.append(SearchHit(service_id=service_id, code=code, score=value, available=available))
    hits.sort(key=lambda h: (-h.score, h.code))
    return hits


# --- Editors ----------------------------------------------------------------------------------


def editor_roles(account: Any) -> QuerySet[DepartmentEditor]:
    if not getattr(account, "is_authenticated", False):
        return DepartmentEditor.objects.none()
    return DepartmentEditor.objects.filter(account_id=account.pk).select_related("department")


def editable_department_ids(account: Any, *, publishing: bool = False) -> set[Any] | None:
    """Departments whose services the account may edit (or publish); None means all (a
    superuser)."""
    if getattr(account, "is_superuser", False) and account.is_active:
        return None
    roles = editor_roles(account)
    if publishing:
        roles = roles.filter(role=EditorRole.PUBLISHER)
    return department_subtree_ids([r.department_id for r in roles])


def services_editable_by(account: Any) -> QuerySet[Service]:
    """Every service (any status) the account may edit."""
    ids = editable_department_ids(account)
    qs = Service.objects.select_related("department")
    return qs if ids is None else qs.filter(department_id__in=ids)


def departments_editable_by(account: Any) -> QuerySet[Department]:
    ids = editable_department_ids(account)
    return Department.objects.all() if ids is None else Department.objects.filter(id__in=ids)


def in_department_scope(account: Any, service: Service) -> bool:
    """May the account see this service in the editors' interface (any status)?"""
    ids = editable_department_ids(account)
    return ids is None or service.department_id in ids


def can_edit_service(account: Any, service: Service) -> bool:
    """Editors change drafts and withdrawn passports of their departments; a published
    passport is changed only by a publisher (publishing is the moderation step)."""
    if not in_department_scope(account, service):
        return False
    return service.status != Status.PUBLISHED or can_publish_service(account, service)


def can_publish_service(account: Any, service: Service) -> bool:
    ids = editable_department_ids(account, publishing=True)
    return ids is None or service.department_id in ids


def is_catalog_editor(account: Any) -> bool:
    if getattr(account, "is_superuser", False):
        return True
    return editor_roles(account).exists()


def service_versions(service: Service) -> QuerySet[Any]:
    return service.versions.select_related("author").order_by("-number")


def situations_with_services() -> QuerySet[LifeSituation]:
    return life_situations().prefetch_related(
        Prefetch(
            "steps",
            queryset=LifeSituationStep.objects.filter(service__status=Status.PUBLISHED)
            .select_related("service")
            .order_by("order"),
        )
    )
