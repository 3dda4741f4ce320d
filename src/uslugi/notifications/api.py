"""The notifications API for the signed-in person, mounted at `/api/v1/me/notifications`."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.security import django_auth

from uslugi.core.problems import responses
from uslugi.notifications import selectors, services
from uslugi.notifications.models import Notification

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: str
    event: str = Field(examples=["application.status_changed"])
    title: str = Field(examples=["Application 2026-000123-4: accepted by the agency"])
    body: str
    link: str = Field(description="A path on the portal, or empty.", examples=["/account/"])
    created_at: dt.datetime
    read_at: dt.datetime | None = None

    @classmethod
    def of(cls, notification: Notification) -> NotificationOut:
        return cls(
            id=str(notification.pk),
            event=notification.event,
            title=str(notification.subject),
            body=str(notification.body),
            link=notification.link,
            created_at=notification.created_at,
            read_at=notification.read_at,
        )


class NotificationPageOut(Schema):
    items: list[NotificationOut]
    next_cursor: str = Field(
        description="Pass as `cursor` for the next page; empty on the last page."
    )
    unread: int


class PageIn(Schema):
    cursor: str | None = Field(None, description="`next_cursor` of the previous page.")
    limit: int = Field(20, ge=1, le=100)


@router.get(
    "",
    response={200: NotificationPageOut, **responses(400, 401, 422)},
    auth=django_auth,
    summary="The signed-in person's notifications, newest first",
    description=(
        "The personal-account inbox, one page at a time (cursor pagination). "
        "`read_at` is empty for unread notifications. Session authentication."
    ),
)
def notifications_list(request: HttpRequest, page: Query[PageIn]) -> NotificationPageOut:
    items, cursor = selectors.inbox_after(request.user, cursor=page.cursor, limit=page.limit)
    return NotificationPageOut(
        items=[NotificationOut.of(item) for item in items],
        next_cursor=cursor,
        unread=selectors.unread_count(request.user),
    )


@router.post(
    "/{notification_id}/read",
    response={200: NotificationOut, **responses(400, 401, 403, 404, 422)},
    auth=django_auth,
    summary="Mark a notification read",
    description="Idempotent. Another person's notification is 404 `notification_not_found`.",
)
def notification_read(request: HttpRequest, notification_id: str) -> NotificationOut:
    notification = services.notification_read(account=request.user, notification_id=notification_id)
    return NotificationOut.of(notification)
