"""`/api/v1/me/applications`: the signed-in person's applications (for a mobile app too).

Session authentication (django_auth, with CSRF on unsafe methods). Another person's
application, attachment or event answers 404, never 403, so ids reveal nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, cast

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from ninja import Query, Router, Schema
from ninja.responses import Status as Answer
from ninja.security import django_auth

from uslugi.applications import selectors, services
from uslugi.applications.constants import NEXT_FOR_APPLICANT, Actor, Status, allowed
from uslugi.applications.errors import DraftNotFound
from uslugi.core.problems import responses
from uslugi.forms import files
from uslugi.forms import selectors as form_selectors
from uslugi.forms import services as form_services

router = Router(tags=["applications"], auth=django_auth)


class ApplicationOut(Schema):
    id: uuid.UUID
    number: str
    service_code: str
    title: str
    status: Status
    status_label: str
    is_test: bool
    submitted_at: dt.datetime
    status_changed_at: dt.datetime


class ApplicationDetailOut(ApplicationOut):
    expected: str
    may_cancel: bool
    answers: dict[str, Any]


class ApplicationPage(Schema):
    items: list[ApplicationOut]
    page: int
    pages: int
    total: int


class AttachmentOut(Schema):
    id: uuid.UUID
    kind: str
    name: str
    content_type: str
    size: int
    sha256: str


class EventOut(Schema):
    id: uuid.UUID
    status: Status
    status_label: str
    actor: Actor
    at: dt.datetime
    comment: str
    attachments: list[AttachmentOut]


class SubmitIn(Schema):
    draft: uuid.UUID


class ListQuery(Schema):
    group: str = ""
    q: str = ""
    page: int = 1


def _account(request: HttpRequest) -> Any:
    return cast(Any, request.user)


def _out(application: Any) -> dict[str, Any]:
    return {
        "id": application.pk,
        "number": application.number,
        "service_code": application.service_code,
        "title": application.title,
        "status": application.status,
        "status_label": str(application.get_status_display()),
        "is_test": application.is_test,
        "submitted_at": application.submitted_at,
        "status_changed_at": application.status_changed_at,
    }


def _attachment(item: Any) -> dict[str, Any]:
    return {
        "id": item.pk,
        "kind": item.kind,
        "name": str(item.upload.name),
        "content_type": item.upload.content_type,
        "size": item.upload.size,
        "sha256": item.upload.sha256,
    }


@router.get(
    "",
    response={200: ApplicationPage, **responses(401, 422)},
    summary="Your applications, newest first",
)
def applications_list(request: HttpRequest, filters: Query[ListQuery]) -> dict[str, Any]:
    found = selectors.applications_of(
        _account(request), group=filters.group if filters.group in {"active", "completed"} else "",
        query=filters.q,
    )  # fmt: skip
    paginator = Paginator(found, 20)
    page = paginator.get_page(filters.page)
    return {
        "items": [_out(a) for a in page.object_list],
        "page": page.number,
        "pages": paginator.num_pages,
        "total": paginator.count,
    }


@router.post(
    "",
    response={201: ApplicationOut, 200: ApplicationOut, **responses(400, 401, 403, 404, 409, 422)},
    summary="Submit a draft (exactly once per Idempotency-Key and per draft)",
)
def applications_submit(request: HttpRequest, body: SubmitIn) -> Answer[dict[str, Any]]:
    draft = form_selectors.draft_of(account=_account(request), draft_id=body.draft)
    key = request.headers.get("Idempotency-Key", "")[:80]
    if draft is None:
        done = services.Application.objects.filter(
            account=_account(request), draft_id=body.draft
        ).first()
        if done is None:
            raise DraftNotFound()
        return Answer(200, _out(done))
    outcome = services.application_submit(
        account=_account(request), draft=draft, idempotency_key=key
    )
    return Answer(201 if outcome.created else 200, _out(outcome.application))


@router.get(
    "/{application_id}",
    response={200: ApplicationDetailOut, **responses(401, 404, 422)},
    summary="One application",
)
def application_detail(request: HttpRequest, application_id: uuid.UUID) -> dict[str, Any]:
    application = selectors.application_for(
        account=_account(request), application_id=application_id
    )
    return {
        **_out(application),
        "expected": str(NEXT_FOR_APPLICANT.get(application.status, "")),
        "may_cancel": allowed(application.status, Status.CANCELLED, Actor.APPLICANT),
        "answers": dict(application.answers),
    }


@router.get(
    "/{application_id}/timeline",
    response={200: list[EventOut], **responses(401, 404, 422)},
    summary="Its history",
)
def application_timeline(request: HttpRequest, application_id: uuid.UUID) -> list[dict[str, Any]]:
    application = selectors.application_for(
        account=_account(request), application_id=application_id
    )
    return [
        {
            "id": event.pk,
            "status": event.status,
            "status_label": str(event.get_status_display()),
            "actor": event.actor,
            "at": event.created_at,
            "comment": str(event.comment or ""),
            "attachments": [_attachment(a) for a in event.attachments.all()],
        }
        for event in selectors.timeline(application)
    ]


@router.get(
    "/{application_id}/attachments",
    response={200: list[AttachmentOut], **responses(401, 404, 422)},
    summary="Its files",
)
def application_attachments(
    request: HttpRequest, application_id: uuid.UUID
) -> list[dict[str, Any]]:
    application = selectors.application_for(
        account=_account(request), application_id=application_id
    )
    return [
        _attachment(a)
        for a in application.attachments.select_related("upload").order_by("created_at")
    ]


@router.get(
    "/{application_id}/attachments/{attachment_id}",
    summary="Download a file",
    response={200: None, **responses(401, 404, 422)},
)
def application_attachment_download(
    request: HttpRequest, application_id: uuid.UUID, attachment_id: uuid.UUID
) -> HttpResponseBase:
    found = selectors.attachment_for(
        account=_account(request), application_id=application_id, attachment_id=attachment_id
    )
    content = form_services.upload_read(found.upload)
    return files.download(
        content, content_type=found.upload.content_type, filename=str(found.upload.name)
    )


@router.post(
    "/{application_id}/cancel",
    response={200: ApplicationOut, **responses(400, 401, 403, 404, 409, 422)},
    summary="Cancel (until the agency accepts it; 409 after)",
)
def application_cancel(request: HttpRequest, application_id: uuid.UUID) -> dict[str, Any]:
    application = selectors.application_for(
        account=_account(request), application_id=application_id
    )
    return _out(services.cancel(application=application, account=_account(request)))
