"""The integration API's commands and queries: agency systems (OAuth2 clients bound to a
department), pulling new applications with leases and acknowledgement, status events
and result documents.

A system sees the delivered applications of its department and every body below it,
and only test applications if it is a test system (only real ones otherwise); anything
else does not exist for it (404). Leasing is a conditional UPDATE (or INSERT) of the
application's one `Lease` row, so two pullers never hold the same application, on
PostgreSQL (where the candidates are also locked with SKIP LOCKED so parallel pullers
take different ones) and on SQLite alike.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_application_model

from uslugi.agencies.constants import RESULT_FILES
from uslugi.agencies.errors import CommentRequired, ResultRequired
from uslugi.agencies.models import AgencySystem, Lease
from uslugi.applications import services as applications_services
from uslugi.applications.constants import Status
from uslugi.applications.errors import EventIdReused
from uslugi.applications.models import Application, Attachment, Event
from uslugi.catalog.models import Department
from uslugi.catalog.selectors import department_subtree_ids
from uslugi.core import clock
from uslugi.core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from uslugi.core.pagination import after_q
from uslugi.forms import services as forms_services
from uslugi.forms.models import Upload

SCOPE_READ = "applications:read"
SCOPE_WRITE = "applications:write"

# The statuses an agency system may report (each one lifecycle transition).
EVENT_STATUSES = (
    Status.ACCEPTED,
    Status.IN_PROGRESS,
    Status.INFO_REQUESTED,
    Status.APPROVED,
    Status.REFUSED,
    Status.WITHDRAWN,
)
MAX_LEASE = 100


class SystemInactive(PermissionDenied):
    code = "agency_system_inactive"
    message = _("These credentials belong to no active agency system.")


class InsufficientScope(PermissionDenied):
    code = "agency_insufficient_scope"
    message = _("The access token lacks the scope “%(scope)s”.")


class AgencyApplicationNotFound(NotFound):
    code = "agency_application_not_found"
    message = _("No such application for this agency system.")


class AgencyFileNotFound(NotFound):
    code = "agency_file_not_found"
    message = _("No such file of this application.")


class LeasedElsewhere(Conflict):
    code = "agency_leased_elsewhere"
    message = _("Another agency system holds this application's lease.")


class TooManyAcks(InvalidInput):
    code = "agency_too_many_acks"
    message = _("Acknowledge at most %(max)s applications at once.")


class UnknownResult(InvalidInput):
    code = "agency_unknown_result"
    message = _("A result document is unknown, of another application, or already used.")


class TooManyResults(InvalidInput):
    code = "agency_too_many_results"
    message = _("Send at most %(max)s result documents at once.")


class InvalidCursor(InvalidInput):
    code = "agency_invalid_cursor"
    message = _("The cursor is not valid: start again without it.")


class BadStatus(InvalidInput):
    code = "agency_invalid_status"
    message = _("Not a status an agency system may report.")


class UnknownDepartment(InvalidInput):
    code = "agency_unknown_department"
    message = _("No department with this code.")


@dataclass(frozen=True)
class SystemScope:
    """Who is asking: the system, and the department codes its credentials cover."""

    system: AgencySystem
    codes: frozenset[str]


# --- Systems ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Credentials:
    system: AgencySystem
    client_id: str
    client_secret: str
    webhook_secret: str = ""  # the webhooks' signing key, when the system has a URL


def system_create(
    *, name: str, department_code: str, is_test: bool = False, webhook_url: str = ""
) -> Credentials:
    """Register an agency system with new OAuth2 client credentials (the secret is shown
    only here: it is kept hashed) and, with a webhook URL, a random signing key for its
    webhooks (kept encrypted: a webhook is never signed with an empty key)."""
    department = Department.objects.filter(code=department_code).first()
    if department is None:
        raise UnknownDepartment(field="department")
    secret = generate_client_secret()
    oauth_model = get_application_model()
    with transaction.atomic():
        oauth_application = oauth_model(
            name=name[:255],
            client_type=oauth_model.CLIENT_CONFIDENTIAL,
            authorization_grant_type=oauth_model.GRANT_CLIENT_CREDENTIALS,
            client_secret=secret,
        )
        oauth_application.save()
        system = AgencySystem.objects.create(
            name=name,
            department=department,
            is_test=is_test,
            webhook_url=webhook_url,
            webhook_secret=webhook_secret_new() if webhook_url else "",
            oauth_application=oauth_application,
        )
    return Credentials(system, oauth_application.client_id, secret, system.webhook_secret)


def webhook_secret_new() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def system_scope(system: AgencySystem) -> SystemScope:
    """The department codes a system's credentials cover (its department's subtree)."""
    ids = department_subtree_ids([system.department_id])
    codes = Department.objects.filter(id__in=ids).values_list("code", flat=True)
    return SystemScope(system, frozenset(codes))


def system_for(oauth_application: Any) -> AgencySystem:
    """The active agency system of an OAuth2 client (SystemInactive otherwise)."""
    system = AgencySystem.objects.filter(oauth_application=oauth_application, active=True).first()
    if system is None:
        raise SystemInactive()
    return system


# --- Reading ------------------------------------------------------------------------------------


def applications_of(scope: SystemScope) -> QuerySet[Application]:
    """Every delivered application the system may see."""
    return Application.objects.filter(
        department_code__in=scope.codes,
        is_test=scope.system.is_test,
        delivered_at__isnull=False,
    )


def application_get(scope: SystemScope, application_id: Any) -> Application:
    found = applications_of(scope).select_related("version").filter(pk=application_id).first()
    if found is None:
        raise AgencyApplicationNotFound()
    return found


def _taken(now: dt.datetime) -> Exists:
    """The application is acknowledged, or leased and the lease is still running."""
    return Exists(
        Lease.objects.filter(application=OuterRef("pk")).filter(
            Q(acknowledged_at__isnull=False) | Q(until__gt=now)
        )
    )


def applications_new(
    scope: SystemScope, *, after: tuple[dt.datetime, Any] | None = None
) -> QuerySet[Application]:
    """New applications, oldest first: delivered, not acknowledged, not leased (or the
    lease has ended). `after` is the (submitted_at, id) of the last one already seen."""
    found = (
        applications_of(scope)
        .filter(status=Status.DELIVERED)
        .exclude(_taken(clock.now()))
        .order_by("submitted_at", "pk")
    )
    if after is not None:
        found = found.filter(after_q(("submitted_at", "pk"), after))
    return found


def files_of(scope: SystemScope, application: Application) -> QuerySet[Attachment]:
    return Attachment.objects.filter(application=application).select_related("upload")


def file_get(scope: SystemScope, application: Application, file_id: Any) -> Attachment:
    found = files_of(scope, application).filter(pk=file_id).first()
    if found is None:
        raise AgencyFileNotFound()
    return found


def file_read(attachment: Attachment) -> bytes:
    return forms_services.upload_read(attachment.upload)


# --- Leases -------------------------------------------------------------------------------------


def _lease_seconds() -> int:
    return int(getattr(settings, "AGENCY_LEASE_SECONDS", 300))


def _lease_one(application_id: Any, system: AgencySystem, now: dt.datetime, until: Any) -> bool:
    """Take one application's lease row if it is free: True if this system has it now."""
    moved = Lease.objects.filter(
        application_id=application_id, acknowledged_at__isnull=True, until__lte=now
    ).update(system=system, until=until, updated_at=now)
    if moved:
        return True
    try:
        with transaction.atomic():
            Lease.objects.create(application_id=application_id, system=system, until=until)
    except IntegrityError:
        return False  # leased or acknowledged meanwhile
    return True


def lease_take(scope: SystemScope, *, limit: int) -> tuple[list[Application], dt.datetime]:
    """Lease up to `limit` new applications, oldest first, until `AGENCY_LEASE_SECONDS`
    from now. No other system (nor this one) gets them again until the lease ends."""
    limit = max(1, min(limit, MAX_LEASE))
    now = clock.now()
    until = now + dt.timedelta(seconds=_lease_seconds())
    taken: list[Any] = []
    with transaction.atomic():
        candidates = applications_new(scope)
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        # A few spare candidates: some may be taken between the query and the update.
        for pk in list(candidates.values_list("pk", flat=True)[: limit * 2]):
            if _lease_one(pk, scope.system, now, until):
                taken.append(pk)
                if len(taken) == limit:
                    break
    found = {a.pk: a for a in Application.objects.filter(pk__in=taken)}
    return [found[pk] for pk in taken], until


def _acknowledge(
    scope: SystemScope, visible: list[Any], now: dt.datetime
) -> tuple[dict[Any, dt.datetime], dict[Any, DomainError]]:
    """Acknowledge these applications (ids the system may see), each on its own: when each
    was acknowledged, and why the others were not. Four statements however many."""
    done: dict[Any, dt.datetime] = {}
    refused: dict[Any, DomainError] = {}
    with transaction.atomic():
        # The applications first, in the order pullers take them (oldest first): a
        # puller's `SKIP LOCKED` passes over these, and two acknowledgements of the same
        # applications queue up instead of deadlocking over their lease rows.
        visible = list(
            Application.objects.select_for_update()
            .filter(pk__in=visible)
            .order_by("submitted_at", "pk")
            .values_list("pk", flat=True)
        )
        # Never leased: a lease row acknowledged now (a row that appeared meanwhile stays).
        Lease.objects.bulk_create(
            [Lease(application_id=pk, system=scope.system, until=now, acknowledged_at=now)
             for pk in visible],
            ignore_conflicts=True,
        )  # fmt: skip
        mine = []
        for lease in Lease.objects.select_for_update().filter(application_id__in=visible):
            if lease.acknowledged_at is not None:  # already (or just now): idempotent
                done[lease.application_id] = lease.acknowledged_at
            elif lease.system_id != scope.system.pk and lease.until > now:
                refused[lease.application_id] = LeasedElsewhere()
            else:  # this system's lease, or another's that has ended
                mine.append(lease.pk)
                done[lease.application_id] = now
        Lease.objects.filter(pk__in=mine).update(
            system=scope.system, acknowledged_at=now, updated_at=now
        )
    return done, refused


def lease_ack(scope: SystemScope, application: Application) -> dt.datetime:
    """Acknowledge an application (idempotent): it is never offered again. A lease still
    running for another system is a conflict. When it was acknowledged."""
    done, refused = _acknowledge(scope, [application.pk], clock.now())
    if application.pk in refused:
        raise refused[application.pk]
    return done[application.pk]


def leases_ack(
    scope: SystemScope, application_ids: list[Any]
) -> tuple[dict[Any, dt.datetime], dict[Any, DomainError]]:
    """Acknowledge several applications in one go, each as `lease_ack` would (one that
    is unknown or leased elsewhere does not stop the rest)."""
    ids = list(dict.fromkeys(application_ids))
    if len(ids) > MAX_LEASE:
        raise TooManyAcks(field="ids", params={"max": MAX_LEASE})
    visible = list(applications_of(scope).filter(pk__in=ids).values_list("pk", flat=True))
    done, refused = _acknowledge(scope, visible, clock.now())
    shown = set(visible)
    refused.update({pk: AgencyApplicationNotFound() for pk in ids if pk not in shown})
    return done, refused


# --- Status events and results ------------------------------------------------------------------


def _result_tag(application: Application) -> str:
    """The upload's `field`: binds a result document to its application until used."""
    return f"result:{application.pk}"


def result_accept(
    scope: SystemScope, application: Application, documents: list[UploadedFile]
) -> list[Upload]:
    """Check and keep result documents (PDF by content) for a later `approved` event."""
    if not documents:
        raise ResultRequired(field="files")
    if len(documents) > RESULT_FILES["max_files"]:  # type: ignore[operator]
        raise TooManyResults(field="files", params={"max": RESULT_FILES["max_files"]})
    field = {**RESULT_FILES, "name": _result_tag(application)}
    with transaction.atomic():
        return [
            forms_services.upload_accept(account=application.account, field=field, upload=d)
            for d in documents
        ]


def _results(application: Application, result_ids: list[Any]) -> list[Upload]:
    ids = list(dict.fromkeys(result_ids))
    uploads = list(
        Upload.objects.filter(pk__in=ids, field=_result_tag(application), draft__isnull=True)
        .exclude(pk__in=Attachment.objects.values("upload_id"))
        .order_by("created_at")
    )
    if len(uploads) != len(ids):
        raise UnknownResult(field="result_ids")
    return uploads


@dataclass(frozen=True)
class Recorded:
    event: Event
    created: bool


def event_record(
    scope: SystemScope,
    application: Application,
    *,
    event_id: str,
    status: str,
    comment: str = "",
    result_ids: list[Any] | None = None,
) -> Recorded:
    """A status the agency system reports, once per `event_id`: the same id again
    returns the event already recorded and changes nothing; the same id with another
    status, comment or results is EventIdReused (409); TransitionRefused when the
    lifecycle does not allow the change."""
    comment = (comment or "").strip()
    seen = Event.objects.filter(application=application, external_id=event_id).first()
    if seen is not None:  # the same event again (or another one under its id: a conflict)
        applications_services.event_same(seen, status=status, comment=comment)
        kept = {str(pk) for pk in seen.attachments.values_list("upload_id", flat=True)}
        if kept != {str(pk) for pk in result_ids or []}:
            raise EventIdReused(field="event_id")
        return Recorded(seen, created=False)
    if status in {Status.INFO_REQUESTED, Status.REFUSED} and not comment:
        raise CommentRequired(field="comment")
    results: list[Upload] = []
    if status == Status.APPROVED:
        if not result_ids:
            raise ResultRequired(field="result_ids")
        results = _results(application, result_ids)
    elif result_ids:
        raise UnknownResult(field="result_ids")
    # A concurrent twin of this call may have recorded it first: then it is not new.
    moved = applications_services.agency_act(
        application=application,
        target=status,
        comment=comment,
        results=results,
        external_id=event_id,
    )
    return Recorded(moved.event, created=moved.created)
