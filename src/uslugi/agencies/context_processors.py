"""`agency_staff`: whether the signed-in person works in an agency (for the menu)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from uslugi.agencies.models import StaffRole


def staff(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)

    def is_staff() -> bool:
        if user is None or not user.is_authenticated:
            return False
        if getattr(request, "agency_scope", None) is not None:  # a back-office page knows
            return True
        return StaffRole.objects.filter(account_id=user.pk).exists()

    # A callable: evaluated only by a page that shows the menu.
    return {"agency_staff": is_staff}
