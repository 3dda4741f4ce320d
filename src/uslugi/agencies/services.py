"""The back office's commands: case files and due dates, claiming and assigning, acting
on applications (through `applications.services.agency_act`), staff roles.

Case files are made lazily: the first time the back office lists or opens an
application of a department (`case_files_ensure`), one query finds the delivered
applications without a file and one insert creates them, with the due date from the
submission date and the catalogue term. So nothing in the applications app has to know
about the back office, and applications delivered while it was not looked at get their
files (and right due dates) on the next look.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from uslugi.agencies import working_days
from uslugi.agencies.constants import (
    ACTION_TARGET,
    DEFAULT_TERM_DAYS,
    OPEN,
    RESULT_FILES,
    Action,
    Role,
)
from uslugi.agencies.errors import (
    AccountNotFound,
    AdministratorOfOffice,
    AssignedElsewhere,
    AssigneeOutOfScope,
    CaseClosed,
    CaseNotFound,
    CommentRequired,
    DepartmentOutOfScope,
    NotAdministrator,
    NotSupervisor,
    OfficeOutOfDepartment,
    RegionOrOffice,
    ResultRequired,
    UnknownRegion,
)
from uslugi.agencies.models import CaseFile, QueueService, StaffRole
from uslugi.agencies.selectors import Scope, may_work_on
from uslugi.applications import services as applications_services
from uslugi.applications.constants import STAFF_STATUS_LABELS, Actor, Status, allowed
from uslugi.applications.errors import TransitionRefused
from uslugi.applications.models import Application
from uslugi.catalog.models import Department, Office, Region, Service, ServiceVariant
from uslugi.catalog.selectors import department_subtree_ids
from uslugi.core import clock
from uslugi.core.audit import audit_record
from uslugi.forms import files as form_files
from uslugi.forms import services as forms_services
from uslugi.forms.errors import InvalidUpload
from uslugi.identity.models import Account


def terms_of(service_codes: Iterable[str]) -> dict[str, int]:
    """The catalogue term (working days) of each form code: the passport's or its variant's."""
    codes = set(service_codes)
    terms: dict[str, int] = {
        code: term or DEFAULT_TERM_DAYS
        for code, term in ServiceVariant.objects.filter(
            online_form_code__in=codes, service__term_days__isnull=False
        ).values_list("online_form_code", "service__term_days")
    }
    terms.update(
        (code, term or DEFAULT_TERM_DAYS)
        for code, term in Service.objects.filter(
            online_form_code__in=codes, term_days__isnull=False
        ).values_list("online_form_code", "term_days")
    )
    return terms


def due_on(application: Application, terms: dict[str, int] | None = None) -> dt.date:
    """The submission date plus the service's term in working days (30 when unknown)."""
    if terms is None:
        terms = terms_of([application.service_code])
    term = terms.get(application.service_code) or DEFAULT_TERM_DAYS
    submitted = timezone.localdate(application.submitted_at)
    return working_days.add(submitted, term)


def case_open(application: Application) -> CaseFile:
    """On delivery: the application's due date, its case file, and its service in the
    department's queue filter (in the delivering transaction: all or nothing)."""
    if application.due_on is None:
        application.due_on = due_on(application)
        Application.objects.filter(pk=application.pk).update(due_on=application.due_on)
    queue_services_add([application])
    CaseFile.objects.bulk_create(
        [CaseFile(application=application, department_code=application.department_code)],
        ignore_conflicts=True,
    )
    return CaseFile.objects.get(application=application)


def on_application_event(sender: Any, event: Any, **kwargs: Any) -> None:
    """Receiver of `applications.signals.application_event`: a delivered application
    gets its case (connected in apps.py)."""
    if event.status == Status.DELIVERED:
        case_open(event.application)


def queue_services_add(applications: Iterable[Application]) -> None:
    """Keep the queue's service filter: the (department, region, office, service) of
    these delivered applications."""
    QueueService.objects.bulk_create(
        [
            QueueService(department_code=a.department_code, region_code=a.region_code,
                         office_code=a.office_code, service_code=a.service_code, title=a.title)
            for a in applications
            if a.department_code
        ],
        ignore_conflicts=True,
    )  # fmt: skip


def case_files_ensure(codes: Iterable[str] | None = None) -> int:
    """Open the missing cases of delivered applications (of these departments, or all):
    a sweep for rows delivered before cases were opened on delivery. Periodic job."""
    found = Application.objects.filter(delivered_at__isnull=False).filter(
        Q(case_file__isnull=True) | Q(due_on__isnull=True)
    )
    if codes is not None:
        found = found.filter(department_code__in=list(codes))
    missing = list(
        found.only(
            "id",
            "service_code",
            "submitted_at",
            "department_code",
            "region_code",
            "office_code",
            "title",
            "due_on",
        )[:5000]
    )
    if not missing:
        return 0
    terms = terms_of(a.service_code for a in missing)
    with transaction.atomic():
        undated = [a for a in missing if a.due_on is None]
        for application in undated:
            application.due_on = due_on(application, terms)
        Application.objects.bulk_update(undated, ["due_on"], batch_size=500)
        queue_services_add(missing)
        CaseFile.objects.bulk_create(
            [CaseFile(application=a, department_code=a.department_code) for a in missing],
            ignore_conflicts=True,
        )
    return len(missing)


def case_file_of(application: Application) -> CaseFile:
    """The application's case file, opened now if it has none yet."""
    found = CaseFile.objects.filter(application=application).first()
    if found is not None:
        return found
    return case_open(application)


def _in_scope(scope: Scope, application: Application) -> None:
    if not scope.covers(application) or application.delivered_at is None:
        raise CaseNotFound()  # outside the scope, or never received (not delivered)


def _assignee_id(case: CaseFile) -> str:
    """The case's assignee for an audit entry ("" for nobody)."""
    return str(case.assignee_id) if case.assignee_id is not None else ""


def may_act(scope: Scope, application: Application, case: CaseFile) -> bool:
    """Whether this staff member may act on the case: nobody's or their own, or they
    supervise the application (a colleague's case is the colleague's)."""
    return case.assignee_id in (None, scope.account.pk) or scope.supervises(application)


def assigned_elsewhere(case: CaseFile) -> AssignedElsewhere:
    """The refusal for acting on a colleague's case, naming the colleague."""
    assignee = case.assignee
    name = (assignee.get_full_name() or assignee.email) if assignee is not None else ""
    return AssignedElsewhere(params={"name": name or str(case.assignee_id)})


def case_claim(*, scope: Scope, application: Application) -> CaseFile:
    """The staff member takes the application (only an open one, unassigned or their
    own; a supervisor may take it from a colleague)."""
    _in_scope(scope, application)
    if application.status not in OPEN:  # decided or cancelled: nothing to take
        raise CaseClosed()
    with transaction.atomic():
        case = CaseFile.objects.select_for_update().get(pk=case_file_of(application).pk)
        taken = case.assignee_id not in (None, scope.account.pk)
        if taken and not scope.supervises(application):
            raise NotSupervisor()
        previous = _assignee_id(case)
        case.assignee = scope.account
        case.claimed_at = clock.now()
        case.save(update_fields=["assignee", "claimed_at"])
        audit_record(
            action="agencies.case_claimed",
            actor=scope.account,
            obj=application,
            details={
                "number": application.number,
                "department": application.department_code,
                "previous_assignee": previous,
            },
        )
    return case


def case_assign(*, scope: Scope, application: Application, assignee: Any) -> CaseFile:
    """A supervisor gives the application to an officer of its department (None: nobody)."""
    _in_scope(scope, application)
    if not scope.supervises(application):
        raise NotSupervisor()
    if assignee is not None and not may_work_on(assignee, application):
        raise AssigneeOutOfScope(field="assignee")
    with transaction.atomic():
        case = CaseFile.objects.select_for_update().get(pk=case_file_of(application).pk)
        previous = _assignee_id(case)
        case.assignee = assignee
        case.claimed_at = clock.now() if assignee is not None else None
        case.save(update_fields=["assignee", "claimed_at"])
        audit_record(
            action="agencies.case_assigned",
            actor=scope.account,
            obj=application,
            details={
                "number": application.number,
                "assignee": str(assignee.pk) if assignee is not None else "",
                "previous_assignee": previous,
            },
        )
    return case


def _check_documents(documents: list[UploadedFile]) -> None:
    if len(documents) > RESULT_FILES["max_files"]:  # type: ignore[operator]
        raise InvalidUpload(field="documents")
    for document in documents:
        content_type, problem = form_files.check_upload(RESULT_FILES, document)
        if content_type is None:
            raise InvalidUpload(problem, field="documents")


def case_act(
    *,
    scope: Scope,
    application: Application,
    action: str,
    comment: str = "",
    documents: list[UploadedFile] | None = None,
) -> Application:
    """One officer's action, as the lifecycle transition it maps to (TransitionRefused
    when the application's status does not allow it). Only on a case that is nobody's or
    the actor's own, unless they supervise it (AssignedElsewhere). Audited; an unassigned
    application becomes the actor's."""
    _in_scope(scope, application)
    target = ACTION_TARGET[Action(action)]
    comment = (comment or "").strip()
    documents = list(documents or [])
    if action in {Action.REQUEST_INFO, Action.REFUSE} and not comment:
        raise CommentRequired(field="comment")
    if action == Action.APPROVE and not documents:
        raise ResultRequired(field="documents")
    if not allowed(application.status, target, Actor.AGENCY):
        raise TransitionRefused(
            params={
                "source": str(STAFF_STATUS_LABELS[application.status]),
                "target": str(STAFF_STATUS_LABELS[target]),
            }
        )
    _check_documents(documents)
    with transaction.atomic():
        # The case first, locked: a colleague's claim cannot slip in between the check
        # and the action.
        case = CaseFile.objects.select_for_update().get(pk=case_file_of(application).pk)
        if not may_act(scope, application, case):
            raise assigned_elsewhere(case)
        uploads = [
            forms_services.upload_accept(account=scope.account, field=RESULT_FILES, upload=d)
            for d in documents
        ]
        current = applications_services.agency_act(
            application=application,
            target=target,
            comment=comment,
            results=uploads,
            actor_account=scope.account,
        ).application
        if case.assignee_id is None:
            case.assignee = scope.account
            case.claimed_at = clock.now()
            case.save(update_fields=["assignee", "claimed_at"])
        audit_record(
            action="agencies.case_action",
            actor=scope.account,
            obj=current,
            details={
                "number": current.number,
                "action": str(action),
                "status": current.status,
                "department": current.department_code,
                "documents": len(uploads),
            },
        )
    return current


def _unique_ids(values: Iterable[Any]) -> list[uuid.UUID | None]:
    """The ids as UUIDs, each once, in order (None for one that is not an id)."""
    found: dict[uuid.UUID | None, None] = {}
    invalid = 0
    for value in values:
        try:
            found[value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))] = None
        except ValueError:
            invalid += 1
    return list(found) + [None] * invalid


def bulk_accept(*, scope: Scope, application_ids: Iterable[Any]) -> tuple[int, int]:
    """Accept each chosen delivered application of the scope that is nobody's, the
    actor's, or one they supervise; (accepted, not accepted), each id counted once."""
    ids = _unique_ids(application_ids)
    chosen = list(
        Application.objects.filter(
            scope.q(), pk__in=[i for i in ids if i is not None], status=Status.DELIVERED
        )
    )
    accepted = 0
    for application in chosen:
        try:
            case_act(scope=scope, application=application, action=Action.ACCEPT)
        except (TransitionRefused, AssignedElsewhere):  # changed meanwhile, or a colleague's
            continue
        accepted += 1
    return accepted, len(ids) - accepted


# --- Staff roles ------------------------------------------------------------------------------


def staff_role_grant(
    *,
    scope: Scope,
    email: str,
    department_code: str,
    role: str,
    region_code: str = "",
    office_code: str = "",
) -> StaffRole:
    """An agency administrator gives an account a role in a department they administer,
    optionally limited to a region or to one of the department's offices."""
    if not scope.is_administrator:
        raise NotAdministrator()
    if department_code not in scope.administered:
        raise DepartmentOutOfScope(field="department")
    account = Account.objects.filter(email__iexact=(email or "").strip()).first()
    if account is None:
        raise AccountNotFound(field="email")
    department = Department.objects.get(code=department_code)
    region, office = _role_limits(department, Role(role), region_code, office_code)
    with transaction.atomic():
        grant, _created = StaffRole.objects.update_or_create(
            account=account,
            department=department,
            role=Role(role),
            defaults={"region": region, "office": office},
        )
        audit_record(
            action="agencies.staff_role_granted",
            actor=scope.account,
            obj=grant,
            details={
                "account": str(account.pk),
                "department": department.code,
                "role": str(role),
                "region": region_code,
                "office": office_code,
            },
        )
    return grant


def _role_limits(
    department: Department, role: Role, region_code: str, office_code: str
) -> tuple[Region | None, Office | None]:
    """The region or office a grant is limited to; an unknown one is an error, never
    "no limit" (that would widen the grant)."""
    region_code, office_code = region_code.strip(), office_code.strip()
    if region_code and office_code:
        raise RegionOrOffice(field="office")
    region = None
    if region_code:
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            raise UnknownRegion(field="region")
    office = None
    if office_code:
        if role == Role.ADMINISTRATOR:
            raise AdministratorOfOffice(field="office")
        office = Office.objects.filter(
            code=office_code, department_id__in=department_subtree_ids([department])
        ).first()
        if office is None:
            raise OfficeOutOfDepartment(field="office")
    return region, office


def staff_role_revoke(*, scope: Scope, role_id: Any) -> None:
    grant = (
        StaffRole.objects.select_related("department", "region", "office")
        .filter(pk=role_id, department__code__in=scope.administered)
        .first()
    )
    if grant is None:
        raise NotAdministrator()
    with transaction.atomic():
        audit_record(
            action="agencies.staff_role_revoked",
            actor=scope.account,
            obj=grant,
            details={
                "account": str(grant.account_id),
                "department": grant.department.code,
                "role": grant.role,
                "region": grant.region.code if grant.region is not None else "",
                "office": (grant.office.code or "") if grant.office is not None else "",
            },
        )
        grant.delete()
