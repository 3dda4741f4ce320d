"""The versioned JSON API: one NinjaAPI, each app's router mounted under /api/v1."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Schema

from uslugi.core import problems
from uslugi.exchange.api import router as exchange_router
from uslugi.identity.api import router as identity_router

api = problems.ProblemDetailsAPI(
    title="Uslugi API",
    version="1",
    description=(
        "The public-services portal's API. Errors are RFC 9457 problem details "
        "(`application/problem+json`) with a stable `code`."
    ),
    urls_namespace="api-v1",
    docs_url=None,  # the hosted Swagger UI loads from a CDN, which our CSP forbids
)
problems.install(api)
api.add_router("/exchange", exchange_router)
api.add_router("/agency", "uslugi.agencies.api.router")
api.add_router("/me/applications", "uslugi.applications.api.router")
api.add_router("/me/notifications", "uslugi.notifications.api.router")
api.add_router("/me", identity_router)
api.add_router("/", "uslugi.catalog.api.router")


class PingOut(Schema):
    status: str
    version: str


@api.get("/ping", response=PingOut, tags=["meta"], summary="Check the API is reachable")
def ping(request: HttpRequest) -> dict[str, str]:
    return {"status": "ok", "version": "1"}
