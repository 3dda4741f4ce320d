"""Catalogue pages: landing, search, browse by category/department/life situation, the
service passport and the region chooser. Thin: parse, call a selector, render."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.module_loading import import_string
from django.views.decorators.http import require_GET, require_http_methods

from uslugi.catalog import errors, selectors
from uslugi.catalog.constants import Availability, DepartmentKind
from uslugi.catalog.forms import RegionForm, SearchForm
from uslugi.catalog.models import Region, Service
from uslugi.catalog.regions import current_region, remember_region
from uslugi.core.errors import NotFound

PER_PAGE = 20


def apply_url(form_code: str) -> str:
    """The electronic form's page when the forms app has a published version of it
    (asked through settings.ONLINE_FORM_URL, since catalog may not import forms); empty
    otherwise, so no link points nowhere."""
    if not form_code or not settings.ONLINE_FORM_URL:
        return ""
    return str(import_string(settings.ONLINE_FORM_URL)(form_code))


def _page(request: HttpRequest, items: Any) -> Any:
    paginator = Paginator(items, PER_PAGE)
    return paginator.get_page(request.GET.get("page"))


@require_GET
def catalog_home(request: HttpRequest) -> HttpResponse:
    region = current_region(request)
    return render(
        request,
        "catalog/home.html",
        {
            "region": region,
            "form": SearchForm(),
            "popular": selectors.popular_services(region, limit=8),
            "categories": selectors.categories(),
            "situations": selectors.life_situations(),
        },
    )


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    region = current_region(request)
    form = SearchForm(request.GET or None)
    results = None
    page = None
    category = department = None
    if form.is_valid() and form.cleaned_data["q"]:
        data = form.cleaned_data
        try:
            category = selectors.category_get(slug=data["category"]) if data["category"] else None
            department = (
                selectors.department_get(code=data["department"]) if data["department"] else None
            )
        except NotFound:
            category = department = None
        results = selectors.service_search(
            data["q"],
            region=region,
            category=category,
            department=department,
            level=data["level"],
            online_only=data["online"],
            only_available=data["available"] and region is not None,
        )
        page = _page(request, results.ranked)
        results.page(page.start_index() - 1 if len(results) else 0, PER_PAGE)
    return render(
        request,
        "catalog/search.html",
        {
            "form": form,
            "results": results,
            "page": page,
            "region": region,
            "department": department,
        },
    )


@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """Autocomplete: a short list of links (an htmx fragment; plain HTML without JS)."""
    query = request.GET.get("q", "")[:200]
    services = selectors.service_suggest(query, region=current_region(request)) if query else []
    return render(request, "catalog/partials/suggestions.html", {"services": services})


@require_GET
def category_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "catalog/category_list.html",
        {"categories": selectors.categories(), "region": current_region(request)},
    )


@require_GET
def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    region = current_region(request)
    try:
        category = selectors.category_get(slug=slug)
    except errors.CategoryNotFound as exc:
        raise Http404(exc.text) from exc
    page = _page(request, selectors.services_in_category(category, region=region))
    selectors.mark_availability(page.object_list, region)
    return render(
        request,
        "catalog/category_detail.html",
        {"category": category, "page": page, "region": region},
    )


@require_GET
def department_list(request: HttpRequest) -> HttpResponse:
    region = current_region(request)
    return render(
        request,
        "catalog/department_list.html",
        {
            "federal": selectors.departments_with_services(kind=DepartmentKind.FEDERAL),
            "typical": selectors.departments_with_services(
                kind=(DepartmentKind.REGIONAL, DepartmentKind.MUNICIPAL), region=None
            ),
            "regional": (
                selectors.departments_with_services(
                    kind=(DepartmentKind.REGIONAL, DepartmentKind.MUNICIPAL), region=region
                )
                if region
                else []
            ),
            "other": selectors.departments_with_services(kind=DepartmentKind.OTHER),
            "region": region,
        },
    )


@require_GET
def department_detail(request: HttpRequest, code: str) -> HttpResponse:
    region = current_region(request)
    try:
        department = selectors.department_get(code=code)
    except errors.DepartmentNotFound as exc:
        raise Http404(exc.text) from exc
    page = _page(request, selectors.services_of_department(department, region=region))
    selectors.mark_availability(page.object_list, region)
    return render(
        request,
        "catalog/department_detail.html",
        {"department": department, "page": page, "region": region},
    )


@require_GET
def situation_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "catalog/situation_list.html",
        {"situations": selectors.life_situations(), "region": current_region(request)},
    )


@require_GET
def situation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    region = current_region(request)
    try:
        situation = selectors.life_situation_get(slug=slug)
    except errors.LifeSituationNotFound as exc:
        raise Http404(exc.text) from exc
    return render(
        request,
        "catalog/situation_detail.html",
        {
            "situation": situation,
            "steps": selectors.life_situation_steps(situation, region=region),
            "region": region,
        },
    )


class PassportPage:
    """What the passport page shows beyond the passport, computed only when the template
    asks: the page's content is cached by passport version, language and region, so on
    a cache hit none of this runs."""

    def __init__(self, service: Service, region: Region | None) -> None:
        self.service = service
        self.region = region

    @cached_property
    def available(self) -> bool | None:
        if self.region is None:
            return None
        return selectors.service_is_available(self.service, self.region)

    @cached_property
    def everywhere(self) -> bool:
        return self.service.availability == Availability.ALL_REGIONS

    @cached_property
    def can_apply_here(self) -> bool:
        # "Apply online" only where the service can be received.
        return self.available is True or (self.region is None and self.everywhere)

    @cached_property
    def online_url(self) -> str:
        service = self.service
        if service.channel_online and service.online_form_code and self.can_apply_here:
            return apply_url(service.online_form_code)
        return ""

    @cached_property
    def variants(self) -> list[dict[str, Any]]:
        return [
            {"variant": v, "url": apply_url(v.online_form_code) if self.can_apply_here else ""}
            for v in self.service.variants.all()
        ]

    @cached_property
    def documents_bring(self) -> list[Any]:
        return [d for d in self.service.documents.all() if not d.obtained_by_agency]

    @cached_property
    def documents_obtained(self) -> list[Any]:
        return [d for d in self.service.documents.all() if d.obtained_by_agency]

    @cached_property
    def regions(self) -> list[Region]:
        if self.service.availability == Availability.REGIONS and self.available is not True:
            return list(selectors.service_regions(self.service))
        return []

    @cached_property
    def municipalities(self) -> list[Any]:
        if self.service.availability != Availability.MUNICIPALITIES:
            return []
        region = self.region if self.available else None
        return list(selectors.service_municipalities(self.service, region=region)[:20])

    @cached_property
    def offices(self) -> list[Any]:
        return selectors.offices_for(self.service, region=self.region) if self.available else []

    @cached_property
    def categories(self) -> list[Any]:
        return list(self.service.categories.all())


@require_GET
def service_detail(request: HttpRequest, code: str) -> HttpResponse:
    region = current_region(request)
    try:
        head = selectors.passport_head(code=code)
    except errors.ServiceNotFound as exc:
        raise Http404(exc.text) from exc
    # The whole passport is read only when the cached content must be rendered again.
    service = SimpleLazyObject(lambda: selectors.service_for_page(code=code))
    return render(
        request,
        "catalog/service_detail.html",
        {
            "head": head,
            "service": service,
            "region": region,
            "page": SimpleLazyObject(lambda: PassportPage(service, region)),  # type: ignore[arg-type]
            "region_key": region.code if region else "-",
        },
    )


def _safe_next(request: HttpRequest, target: str) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("catalog")


@require_http_methods(["GET", "POST"])
def region_choose(request: HttpRequest) -> HttpResponse:
    """Choose a region (no JavaScript: a form; POST, then back where the person was)."""
    if request.method == "POST":
        form = RegionForm(request.POST)
        if form.is_valid():
            region = selectors.region_get(code=form.cleaned_data["region"])
            response = HttpResponseRedirect(_safe_next(request, form.cleaned_data["next"]))
            remember_region(request, response, region)
            return response
    else:
        chosen = current_region(request)
        form = RegionForm(
            initial={"region": chosen.code if chosen else "", "next": request.GET.get("next", "")}
        )
    return render(request, "catalog/region.html", {"form": form, "region": current_region(request)})
