"""Queries over applications, always scoped to their owner (or to a staff scope)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from uslugi.applications import numbers
from uslugi.applications.constants import FINAL, AttachmentKind
from uslugi.applications.errors import ApplicationNotFound
from uslugi.applications.models import Application, Attachment

GROUPS = {"active": None, "completed": FINAL}


def applications_of(
    account: Any, *, group: str = "", query: str = "", include_test: bool = True
) -> QuerySet[Application]:
    """The person's applications, newest first: all, `active` or `completed`; `query` is a
    number (with or without dashes) or a part of the service's name."""
    found = Application.objects.filter(account=account).only(
        "id", "number", "title", "status", "submitted_at", "status_changed_at", "is_test",
        "service_code",
    )  # fmt: skip
    if group == "active":
        found = found.exclude(status__in=FINAL)
    elif group == "completed":
        found = found.filter(status__in=FINAL)
    if not include_test:
        found = found.filter(is_test=False)
    query = (query or "").strip()
    if query:
        number = numbers.normalize(query)
        digits = "".join(c for c in query if c.isdigit())
        condition = Q(title__icontains=query)
        if number:
            condition |= Q(number=number)
        elif digits:
            condition |= Q(number__contains=digits[-8:])
        found = found.filter(condition)
    return found.order_by("-submitted_at")


def application_for(*, account: Any, application_id: Any) -> Application:
    """One of the person's own applications (anyone else's: not found)."""
    found = (
        Application.objects.select_related("version__definition")
        .filter(pk=application_id, account=account)
        .first()
    )
    if found is None:
        raise ApplicationNotFound()
    return found


def attachment_for(*, account: Any, application_id: Any, attachment_id: Any) -> Attachment:
    """An attachment of the person's own application (anyone else's: not found)."""
    found = (
        Attachment.objects.select_related("upload", "application")
        .filter(pk=attachment_id, application_id=application_id, application__account=account)
        .first()
    )
    if found is None:
        raise ApplicationNotFound()
    return found


def timeline(application: Application) -> list[Any]:
    return list(application.events.order_by("created_at").prefetch_related("attachments__upload"))


def results(application: Application) -> list[Attachment]:
    return list(application.attachments.filter(kind=AttachmentKind.RESULT).select_related("upload"))
