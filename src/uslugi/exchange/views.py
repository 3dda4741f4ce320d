"""The message-type docs page, and the HTTP transport for external systems."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from uslugi.core import problems
from uslugi.core.errors import DomainError
from uslugi.exchange import conf, selectors, services
from uslugi.exchange.errors import EnvelopeTooLarge

RETRY_AFTER_SECONDS = {429: 60, 503: 5}


@require_GET
def type_list(request: HttpRequest) -> HttpResponse:
    return render(request, "exchange/types.html", {"types": selectors.message_type_list()})


@require_GET
def type_detail(request: HttpRequest, key: str) -> HttpResponse:
    try:
        doc = selectors.message_type_get(key=key)
    except DomainError:
        return render(request, "core/errors/404.html", status=404)
    return render(request, "exchange/type_detail.html", {"type": doc})


def _problem(request: HttpRequest, error: DomainError) -> HttpResponse:
    response = problems.problem_response(
        request, status=error.status, code=error.code, title=error.title, detail=error.text
    )
    if error.status in RETRY_AFTER_SECONDS:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS[error.status])
    return response


@csrf_exempt  # machine-to-machine: authenticated by the envelope's signature, no cookies
@require_POST
def messages(request: HttpRequest) -> HttpResponse:
    """POST /exchange/v1/messages: a signed request envelope in, a signed response out."""
    limit = int(conf.get("EXCHANGE_MAX_BODY_BYTES"))
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return _problem(request, EnvelopeTooLarge(params={"limit": limit}))
    body = request.read(limit + 1)
    try:
        answer = services.envelope_receive(body=body)
    except DomainError as error:
        return _problem(request, error)
    return JsonResponse(answer, json_dumps_params={"ensure_ascii": False})


@require_GET
def keys(request: HttpRequest) -> HttpResponse:
    """GET /exchange/v1/keys: the public keys that verify signatures on the bus now."""
    return JsonResponse(
        {
            "keys": [
                {
                    "system": key.system.code,
                    "key_id": key.key_id,
                    "algorithm": "Ed25519",
                    "public_key": key.public_key,
                    "signing": key.active,
                }
                for key in selectors.public_key_list()
            ]
        }
    )
