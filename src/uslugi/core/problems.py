"""RFC 9457 problem details: the API's one error format.

Every error an endpoint can produce (domain errors, validation, 404, auth, unexpected
crashes) is turned into `application/problem+json` with a stable `code` that matches
the one the HTML forms use, plus the request id so a person can quote it to support.
"""

from __future__ import annotations

import json
from typing import Any

import structlog
from django.core.exceptions import BadRequest, ObjectDoesNotExist, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, RawPostDataException
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from pydantic import ConfigDict

from uslugi.core.errors import DomainError

log = structlog.get_logger("uslugi.api")

CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:uslugi:problem:"
API_PATH = "/api/"


class FieldProblem(Schema):
    field: str = Field(examples=["body.status"])
    code: str = Field(examples=["missing"])
    message: str


class Problem(Schema):
    """The body of every error answer (`application/problem+json`), as `problem_response`
    builds it; documented on each operation through `responses(...)`."""

    model_config = ConfigDict(extra="allow")  # an error may add members of its own

    type: str = Field(examples=[TYPE_PREFIX + "not_found"])
    title: str
    status: int = Field(examples=[404])
    code: str = Field(examples=["not_found"])
    detail: str = ""
    instance: str = Field(examples=["/api/v1/me/applications/0b9c…"])
    request_id: str = ""
    errors: list[FieldProblem] = Field(default_factory=list)


def responses(*statuses: int) -> dict[int, type[Problem]]:
    """The problem answers an operation documents: `response={200: Out, **responses(404)}`."""
    return dict.fromkeys(statuses, Problem)


class ProblemDetailsAPI(NinjaAPI):
    """A NinjaAPI whose OpenAPI document gives error answers their real media type,
    `application/problem+json` (ninja labels every response with the renderer's)."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, answer in operation.get("responses", {}).items():
                    content = answer.get("content", {})
                    if int(status) >= 400 and self.renderer.media_type in content:
                        content[CONTENT_TYPE] = content.pop(self.renderer.media_type)
        return schema


def problem_response(
    request: HttpRequest,
    *,
    status: int,
    code: str,
    title: str,
    detail: str | None = None,
    **extra: Any,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + code,
        "title": title,
        "status": status,
        "code": code,
    }
    if detail:
        body["detail"] = detail
    body["instance"] = request.path
    request_id = getattr(request, "request_id", "")
    if request_id:
        body["request_id"] = request_id
    body.update(extra)
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, default=str), status=status, content_type=CONTENT_TYPE
    )


def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    extra: dict[str, Any] = {}
    if exc.field:
        extra["errors"] = [{"field": exc.field, "code": exc.code, "message": exc.text}]
    return problem_response(
        request, status=exc.status, code=exc.code, title=exc.title, detail=exc.text, **extra
    )


def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {
            "field": ".".join(str(p) for p in err.get("loc", ())),
            "code": err.get("type", "invalid"),
            "message": err.get("msg", ""),
        }
        for err in exc.errors
    ]
    return problem_response(
        request,
        status=422,
        code="validation_failed",
        title=_("The request is not valid."),
        detail=_("Correct the fields listed in errors and send the request again."),
        errors=errors,
    )


def _bad_request(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A body that cannot be parsed (e.g. multipart without a boundary) fails when request.POST
    # is first read, which authentication and the CSRF check do before any schema runs.
    return problem_response(
        request, status=400, code="bad_request", title=_("The request could not be read.")
    )


def _not_json(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A form or multipart body sent to a JSON operation: authentication read it as a form
    # (request.POST), so the raw body the schema wants is gone.
    return problem_response(
        request,
        status=400,
        code="bad_request",
        title=_("The request could not be read."),
        detail=_("Send the body as JSON, with Content-Type: application/json."),
    )


def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(request, status=404, code="not_found", title=_("Not found."))


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem_response(
        request,
        status=exc.status_code,
        code=f"http_{exc.status_code}",
        title=str(exc.message),
    )


def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(
        request, status=401, code="unauthenticated", title=_("Authentication is required.")
    )


def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(
        request,
        status=403,
        code="permission_denied",
        title=_("You do not have permission to do this."),
    )


def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("api.unexpected_error", error=type(exc).__name__)
    return problem_response(
        request,
        status=500,
        code="internal_error",
        title=_("Something went wrong on our side."),
        detail=_(
            "Nothing was changed. Try again later; quote the request id if you contact support."
        ),
    )


_HANDLERS: list[tuple[type[Exception], Any]] = [
    (Exception, _unexpected),
    (DomainError, _domain_error),
    (ValidationError, _validation_error),
    (MultiPartParserError, _bad_request),
    (RawPostDataException, _not_json),
    (BadRequest, _bad_request),
    (SuspiciousOperation, _bad_request),
    (Http404, _not_found),
    (ObjectDoesNotExist, _not_found),
    (HttpError, _http_error),
    (AuthenticationError, _unauthenticated),
    (DjangoPermissionDenied, _forbidden),
]


def install(api: NinjaAPI) -> None:
    """Route every kind of error an endpoint can raise to a problem response."""
    for exc_class, handler in _HANDLERS:
        api.add_exception_handler(exc_class, handler)


class MethodNotAllowedMiddleware:
    """Ninja answers a method a path does not have with a plain-text 405; under the API,
    a problem like every other error (with its Allow header)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = self.get_response(request)
        if (
            response.status_code == 405
            and request.path.startswith(API_PATH)
            and not response.get("Content-Type", "").startswith(CONTENT_TYPE)
        ):
            problem = problem_response(
                request,
                status=405,
                code="method_not_allowed",
                title=_("This method is not allowed here."),
                detail=_("Allowed: %(methods)s.") % {"methods": response.get("Allow", "")},
            )
            problem["Allow"] = response.get("Allow", "")
            return problem
        return response
