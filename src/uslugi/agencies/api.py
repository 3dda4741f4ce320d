"""The integration API for agency systems (`/api/v1/agency/...`).

OAuth2 client credentials (django-oauth-toolkit, token at `/o/token/`): each request's
Bearer token must be valid, unexpired, of an active `AgencySystem`, and carry the scope
the endpoint needs (`applications:read` to read, `applications:write` to lease,
acknowledge, report statuses and upload results). Everything is bound to the system's
department subtree and test flag (`agencies.integration`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core import signing
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.security import HttpBearer
from oauth2_provider.oauth2_backends import get_oauthlib_core
from pydantic import Field

from uslugi.agencies import integration
from uslugi.agencies.integration import SCOPE_READ, SCOPE_WRITE, SystemScope
from uslugi.applications.models import Application, Attachment, Event
from uslugi.core.problems import responses
from uslugi.forms import files as form_files
from uslugi.forms.models import Upload

router = Router(tags=["agency systems"])

_CURSOR_SALT = "uslugi.agencies.cursor"
MAX_PAGE = 100


class SystemAuth(HttpBearer):
    """A Bearer access token of an active agency system, with the scope needed."""

    def __init__(self, scope: str) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> SystemScope | None:
        valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
        if not valid or oauth_request.access_token is None:
            return None  # unknown, expired or revoked: 401
        access_token = oauth_request.access_token
        system = integration.system_for(access_token.application)
        if not access_token.allow_scopes([self.scope]):
            raise integration.InsufficientScope(params={"scope": self.scope})
        return integration.system_scope(system)


READ = SystemAuth(SCOPE_READ)
WRITE = SystemAuth(SCOPE_WRITE)


def _scope(request: HttpRequest) -> SystemScope:
    scope: SystemScope = request.auth  # type: ignore[attr-defined]
    return scope


# --- Schemas ------------------------------------------------------------------------------------


class ApplicationRef(Schema):
    id: uuid.UUID
    number: str
    service_code: str
    submitted_at: dt.datetime
    url: str


class AgencyApplicationPage(Schema):
    items: list[ApplicationRef]
    next_cursor: str | None = None


class LeaseOut(Schema):
    items: list[ApplicationRef]
    leased_until: dt.datetime


class AgencyApplicationOut(Schema):
    id: uuid.UUID
    number: str
    service_code: str
    version: int
    title: str
    department_code: str
    office_code: str = Field(
        description="The office the applicant chose (catalogue code `<region>:<department>`), or empty"
    )
    region_code: str = Field(description="The region the application is handled in, or empty")
    is_test: bool
    status: str
    submitted_at: dt.datetime
    status_changed_at: dt.datetime
    payload: dict[str, Any] = Field(
        description="Exactly as the service definition's agency JSON Schema says"
    )


class AckOut(Schema):
    id: uuid.UUID
    acknowledged_at: dt.datetime


class AcksIn(Schema):
    ids: list[uuid.UUID] = Field(
        min_length=1, max_length=100, description="The applications to acknowledge (1 to 100)"
    )


class AckRefused(Schema):
    id: uuid.UUID
    code: str = Field(
        description="`agency_application_not_found` or `agency_leased_elsewhere`, as the "
        "single acknowledgement would answer"
    )
    detail: str


class AcksOut(Schema):
    items: list[AckOut] = Field(description="The acknowledged ones (now or before)")
    refused: list[AckRefused] = Field(description="The others, each with its reason")


class FileOut(Schema):
    id: uuid.UUID
    kind: str
    name: str
    content_type: str
    size: int
    sha256: str
    url: str


class ResultOut(Schema):
    id: uuid.UUID
    name: str
    content_type: str
    size: int
    sha256: str


class ListIn(Schema):
    cursor: str = Field("", description="`next_cursor` of the previous page")
    limit: int = Field(50, ge=1, le=MAX_PAGE)


class LeaseIn(Schema):
    limit: int = Field(10, ge=1, le=integration.MAX_LEASE)


class EventIn(Schema):
    event_id: str = Field(
        min_length=1, max_length=120, pattern=r"^[\x21-\x7e]+$", examples=["crm-7f3a-0001"],
        description="Your id of the event (printable ASCII, no spaces): the same id again "
        "is the same event",
    )  # fmt: skip
    status: str = Field(
        json_schema_extra={"enum": [str(s) for s in integration.EVENT_STATUSES]},
        examples=["accepted"],
    )
    comment: str = Field(default="", max_length=4000)
    result_ids: list[uuid.UUID] = Field(
        default_factory=list,
        description="For `approved`: result documents uploaded to `.../results` first",
    )


class AgencyEventOut(Schema):
    event_id: str
    status: str
    previous: str
    comment: str
    created_at: dt.datetime
    result_ids: list[uuid.UUID]


# --- Helpers ------------------------------------------------------------------------------------


def _ref(application: Application) -> dict[str, Any]:
    return {
        "id": application.pk,
        "number": application.number,
        "service_code": application.service_code,
        "submitted_at": application.submitted_at,
        "url": reverse("api-v1:agency_application", args=[application.pk]),
    }


def _encode(scope: SystemScope, application: Application) -> str:
    position = {
        "s": str(scope.system.pk),
        "t": application.submitted_at.isoformat(),
        "i": str(application.pk),
    }
    return signing.dumps(position, salt=_CURSOR_SALT, compress=True)


def _decode(scope: SystemScope, cursor: str) -> tuple[dt.datetime, uuid.UUID] | None:
    if not cursor:
        return None
    try:
        position = signing.loads(cursor, salt=_CURSOR_SALT)
        if position["s"] != str(scope.system.pk):
            raise integration.InvalidCursor(field="cursor")
        return dt.datetime.fromisoformat(position["t"]), uuid.UUID(position["i"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise integration.InvalidCursor(field="cursor") from exc


def _file_out(application: Application, attachment: Attachment) -> dict[str, Any]:
    upload = attachment.upload
    return {
        "id": attachment.pk,
        "kind": attachment.kind,
        "name": str(upload.name),
        "content_type": upload.content_type,
        "size": upload.size,
        "sha256": upload.sha256,
        "url": reverse("api-v1:agency_file", args=[application.pk, attachment.pk]),
    }


def _event_out(event: Event) -> dict[str, Any]:
    return {
        "event_id": event.external_id,
        "status": event.status,
        "previous": event.previous,
        "comment": str(event.comment),
        "created_at": event.created_at,
        "result_ids": [a.upload_id for a in event.attachments.all()],
    }


# --- Endpoints ----------------------------------------------------------------------------------


@router.get(
    "/applications",
    response={200: AgencyApplicationPage, **responses(401, 403, 422)},
    auth=READ,
    summary="New applications (pull)",
    description=(
        "Delivered applications of the system's department (and the bodies below it) that "
        "are neither acknowledged nor under a running lease, oldest first. Pass "
        "`next_cursor` back as `cursor` for the next page. Test credentials see only test "
        "applications; real ones only real ones."
    ),
)
def applications_list(request: HttpRequest, query: Query[ListIn]) -> dict[str, Any]:
    scope = _scope(request)
    limit = query.limit
    after = _decode(scope, query.cursor)
    page = list(integration.applications_new(scope, after=after)[: limit + 1])
    shown = page[:limit]
    more = len(page) > limit
    return {
        "items": [_ref(a) for a in shown],
        "next_cursor": _encode(scope, shown[-1]) if more and shown else None,
    }


@router.post(
    "/applications/lease",
    response={200: LeaseOut, **responses(400, 401, 403, 422)},
    auth=WRITE,
    summary="Lease new applications",
    description=(
        "Takes up to `limit` (at most 100) new applications, oldest first, for "
        "`AGENCY_LEASE_SECONDS`: no other puller gets them until the lease ends. "
        "Acknowledge each one (`.../ack`) once it is safely stored; an unacknowledged one "
        "is offered again when its lease ends."
    ),
)
def applications_lease(request: HttpRequest, query: Query[LeaseIn]) -> dict[str, Any]:
    taken, until = integration.lease_take(_scope(request), limit=query.limit)
    return {"items": [_ref(a) for a in taken], "leased_until": until}


@router.post(
    "/applications/ack",
    response={200: AcksOut, **responses(400, 401, 403, 422)},
    auth=WRITE,
    summary="Acknowledge several applications (idempotent)",
    description=(
        "Acknowledges each of `ids` as `.../{id}/ack` would, in one request: a leased batch "
        "stored, one call. Each one stands alone: one unknown to the system or under "
        "another system's running lease is listed in `refused` with its reason, and the "
        "rest are acknowledged. 200 whenever the request itself is valid."
    ),
)
def applications_ack(request: HttpRequest, body: AcksIn) -> dict[str, Any]:
    done, refused = integration.leases_ack(_scope(request), body.ids)
    asked = list(dict.fromkeys(body.ids))  # answered in the order asked
    return {
        "items": [{"id": pk, "acknowledged_at": done[pk]} for pk in asked if pk in done],
        "refused": [
            {"id": pk, "code": refused[pk].code, "detail": refused[pk].text}
            for pk in asked
            if pk in refused
        ],
    }


@router.get(
    "/applications/{application_id}",
    response={200: AgencyApplicationOut, **responses(401, 403, 404, 422)},
    auth=READ,
    url_name="agency_application",
    summary="One application with its payload",
)
def application_detail(request: HttpRequest, application_id: uuid.UUID) -> dict[str, Any]:
    application = integration.application_get(_scope(request), application_id)
    return {
        "id": application.pk,
        "number": application.number,
        "service_code": application.service_code,
        "version": application.version.number,
        "title": application.title,
        "department_code": application.department_code,
        "office_code": application.office_code,
        "region_code": application.region_code,
        "is_test": application.is_test,
        "status": application.status,
        "submitted_at": application.submitted_at,
        "status_changed_at": application.status_changed_at,
        "payload": application.payload,
    }


@router.post(
    "/applications/{application_id}/ack",
    response={200: AckOut, **responses(400, 401, 403, 404, 409, 422)},
    auth=WRITE,
    summary="Acknowledge an application (idempotent)",
    description="It is never offered again. 409 while another system's lease runs.",
)
def application_ack(request: HttpRequest, application_id: uuid.UUID) -> dict[str, Any]:
    scope = _scope(request)
    at = integration.lease_ack(scope, integration.application_get(scope, application_id))
    return {"id": application_id, "acknowledged_at": at}


@router.get(
    "/applications/{application_id}/files",
    response={200: list[FileOut], **responses(401, 403, 404, 422)},
    auth=READ,
    summary="The application's files (the applicant's, replies, results)",
)
def application_files(request: HttpRequest, application_id: uuid.UUID) -> list[dict[str, Any]]:
    scope = _scope(request)
    application = integration.application_get(scope, application_id)
    return [_file_out(application, a) for a in integration.files_of(scope, application)]


@router.get(
    "/applications/{application_id}/files/{file_id}",
    auth=READ,
    url_name="agency_file",
    summary="Download one file",
    response={200: None, **responses(401, 403, 404, 422)},
)
def application_file(
    request: HttpRequest, application_id: uuid.UUID, file_id: uuid.UUID
) -> HttpResponseBase:
    scope = _scope(request)
    application = integration.application_get(scope, application_id)
    attachment = integration.file_get(scope, application, file_id)
    return form_files.download(
        integration.file_read(attachment),
        content_type=attachment.upload.content_type,
        filename=str(attachment.upload.name),
    )


@router.post(
    "/applications/{application_id}/results",
    response={201: list[ResultOut], **responses(400, 401, 403, 404, 422)},
    auth=WRITE,
    summary="Upload result documents",
    description=(
        "Multipart `files`: PDF (told by content), up to 5, 10 MB each. Reference their "
        "ids in the `approved` event's `result_ids`."
    ),
)
def application_results(
    request: HttpRequest, application_id: uuid.UUID, files: File[list[UploadedFile]]
) -> Status[list[dict[str, Any]]]:
    scope = _scope(request)
    application = integration.application_get(scope, application_id)
    uploads: list[Upload] = integration.result_accept(scope, application, list(files))
    return Status(
        201,
        [
            {
                "id": u.pk,
                "name": str(u.name),
                "content_type": u.content_type,
                "size": u.size,
                "sha256": u.sha256,
            }
            for u in uploads
        ],
    )


@router.post(
    "/applications/{application_id}/events",
    response={200: AgencyEventOut, 201: AgencyEventOut, **responses(400, 401, 403, 404, 409, 422)},
    auth=WRITE,
    summary="Report a status",
    description=(
        "One lifecycle transition, idempotent by `event_id`: the same id again answers 200 "
        "with the event already recorded and changes nothing (201 the first time). A "
        "transition the lifecycle does not allow answers 409. `info_requested` and "
        "`refused` need a `comment` (the applicant reads it); `approved` needs "
        "`result_ids`."
    ),
)
def application_event(
    request: HttpRequest, application_id: uuid.UUID, body: EventIn
) -> Status[dict[str, Any]]:
    if body.status not in integration.EVENT_STATUSES:
        raise integration.BadStatus(field="status")
    scope = _scope(request)
    application = integration.application_get(scope, application_id)
    recorded = integration.event_record(
        scope,
        application,
        event_id=body.event_id,
        status=body.status,
        comment=body.comment,
        result_ids=list(body.result_ids),
    )
    return Status(201 if recorded.created else 200, _event_out(recorded.event))
