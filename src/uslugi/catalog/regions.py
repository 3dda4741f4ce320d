"""The person's chosen region: remembered in the session and a long-lived cookie, or
taken from the signed-in person's profile address (an account attribute `region_code`,
which the identity app provides; catalog does not import identity)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from uslugi.catalog import selectors
from uslugi.catalog.models import Region

SESSION_KEY = "catalog.region"
COOKIE_NAME = "uslugi_region"
COOKIE_AGE = 365 * 24 * 3600


def current_region(request: HttpRequest) -> Region | None:
    """The region chosen on this device, else the one from the profile address."""
    if hasattr(request, "_catalog_region"):
        return request._catalog_region
    code = ""
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        code = session.get(SESSION_KEY, "")
    code = code or request.COOKIES.get(COOKIE_NAME, "")
    if not code:
        user = getattr(request, "user", None)
        code = str(getattr(user, "region_code", "") or "") if user is not None else ""
    region = selectors.region_find(code)
    request._catalog_region = region  # type: ignore[attr-defined]
    return region


def remember_region(request: HttpRequest, response: HttpResponse, region: Region) -> None:
    request.session[SESSION_KEY] = region.code
    response.set_cookie(
        COOKIE_NAME,
        region.code,
        max_age=COOKIE_AGE,
        samesite="Lax",
        httponly=True,
        secure=request.is_secure(),
    )
    request._catalog_region = region  # type: ignore[attr-defined]
