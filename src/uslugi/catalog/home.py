"""What the portal's home page shows from the catalogue. core cannot import catalog, so
the project wiring passes this function to the home view (see docs/catalog.md)."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language

from uslugi.catalog import selectors
from uslugi.catalog.models import Region
from uslugi.catalog.regions import current_region

POPULAR = 6
# The front page is the busiest page: its lists are kept per process for a minute, per
# region and language (a newly published service shows up within that minute).
HOME_CACHE_SECONDS = 60


def home_context(request: HttpRequest) -> dict[str, Any]:
    """`popular_services` (in the visitor's region when known) and `life_situations`, as
    items with title, url and summary, the shape core/home.html expects."""
    region = current_region(request)
    key = f"catalog:home:{get_language()}:{region.code if region else '-'}"
    context: dict[str, Any] | None = cache.get(key)
    if context is None:
        # The key also names the rendered sections in the page's fragment cache.
        context = {**_home_lists(region), "home_fragment_key": key}
        cache.set(key, context, HOME_CACHE_SECONDS)
    return context


def _home_lists(region: Region | None) -> dict[str, Any]:
    return {
        "popular_services": [
            {
                "title": service.display_title,
                "url": reverse("catalog-service", args=[service.code]),
                "summary": service.description,
            }
            for service in selectors.popular_services(region, limit=POPULAR)
        ],
        "life_situations": [
            {
                "title": situation.title,
                "url": reverse("catalog-situation", args=[situation.slug]),
                "summary": situation.description,
            }
            for situation in selectors.life_situations()
        ],
    }
