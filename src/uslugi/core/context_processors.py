from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, object]:
    """Values every page of the design system needs."""
    return {
        "portal_name": "Uslugi",
        "admin_url": "/" + settings.ADMIN_URL,
        "request_id": getattr(request, "request_id", ""),
    }
