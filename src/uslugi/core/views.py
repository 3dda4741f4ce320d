"""Core pages: home, errors."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils.module_loading import import_string

from uslugi.core import problems


@functools.cache
def _home_providers() -> list[Callable[[HttpRequest], dict[str, Any]]]:
    return [import_string(path) for path in settings.HOME_CONTEXT_PROVIDERS]


def home(request: HttpRequest) -> HttpResponse:
    """The front page; higher apps fill it through settings.HOME_CONTEXT_PROVIDERS, since
    core may not import them."""
    context: dict[str, Any] = {}
    for provider in _home_providers():
        context.update(provider(request))
    return render(request, "core/home.html", context)


def _wants_problem(request: HttpRequest) -> bool:
    return request.path.startswith(("/api/", "/exchange/"))


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_problem(request):
        return problems.problem_response(request, status=404, code="not_found", title="Not found.")
    return render(request, "core/errors/404.html", status=404)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_problem(request):
        return problems.problem_response(
            request, status=403, code="permission_denied", title="Forbidden."
        )
    return render(request, "core/errors/403.html", status=403)


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_problem(request):
        return problems.problem_response(
            request, status=400, code="bad_request", title="Bad request."
        )
    return render(request, "core/errors/400.html", status=400)


def error_500(request: HttpRequest) -> HttpResponse:
    if _wants_problem(request):
        return problems.problem_response(
            request, status=500, code="internal_error", title="Something went wrong on our side."
        )
    # Rendered without the request, so no context processor can fail a second time.
    return HttpResponse(loader.get_template("core/errors/500.html").render({}), status=500)
