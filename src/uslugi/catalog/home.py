"""What the portal's home page shows from the catalogue. core cannot import catalog, so
the project wiring passes this function to the home view (see docs/catalog.md)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from uslugi.catalog import selectors
from uslugi.catalog.regions import current_region

POPULAR = 6


def home_context(request: HttpRequest) -> dict[str, Any]:
    """`popular_services` (in the visitor's region when known) and `life_situations`, as
    items with title, url and summary, the shape core/home.html expects."""
    region = current_region(request)
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
