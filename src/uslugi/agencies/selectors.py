"""Queries of the back office, always scoped to the staff member's departments.

A scope is resolved once per request (the staff roles and the departments below them),
then every list is one query filtered by `department_code IN (...)`: no per-row checks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Max, Q, QuerySet
from django.utils import timezone

from uslugi.agencies.constants import COMPLETED, OPEN, SUPERVISING, WORKING, Role
from uslugi.agencies.errors import CaseNotFound
from uslugi.agencies.models import CaseFile, StaffRole
from uslugi.applications import numbers
from uslugi.applications.constants import Status
from uslugi.applications.models import Application, Attachment
from uslugi.catalog.models import Department
from uslugi.catalog.selectors import department_subtree_ids
from uslugi.identity.constants import SecondFactor


@dataclass(frozen=True)
class Scope:
    """What one staff member may see and do: department codes by role."""

    account: Any
    codes: frozenset[str] = frozenset()
    supervised: frozenset[str] = frozenset()
    administered: frozenset[str] = frozenset()
    roles: tuple[StaffRole, ...] = field(default=())

    @property
    def is_staff(self) -> bool:
        return bool(self.codes)

    @property
    def is_supervisor(self) -> bool:
        return bool(self.supervised)

    @property
    def is_administrator(self) -> bool:
        return bool(self.administered)

    @property
    def has_second_factor(self) -> bool:
        return (getattr(self.account, "second_factor", "") or SecondFactor.NONE) != (
            SecondFactor.NONE
        )


def _codes_of(role: StaffRole) -> set[str]:
    ids = department_subtree_ids([role.department_id])
    departments = Department.objects.filter(id__in=ids)
    if role.region_id is not None:
        departments = departments.filter(region_id=role.region_id)
    return set(departments.values_list("code", flat=True))


def staff_scope(account: Any) -> Scope:
    """The departments (codes) this account works for, by role."""
    if account is None or not getattr(account, "is_authenticated", False):
        return Scope(account=None)
    roles = tuple(StaffRole.objects.filter(account=account).select_related("department"))
    codes: set[str] = set()
    supervised: set[str] = set()
    administered: set[str] = set()
    for role in roles:
        found = _codes_of(role)
        codes |= found
        if role.role in SUPERVISING:
            supervised |= found
        if role.role == Role.ADMINISTRATOR:
            administered |= found
    return Scope(
        account=account,
        codes=frozenset(codes),
        supervised=frozenset(supervised),
        administered=frozenset(administered),
        roles=roles,
    )


@dataclass(frozen=True)
class QueueFilter:
    service: str = ""
    status: str = ""
    due: str = ""  # "overdue" | "week"
    test: bool = False
    assignee: str = ""  # "mine" | "unassigned"
    number: str = ""


def today() -> dt.date:
    return timezone.localdate()


def queue(scope: Scope, filters: QueueFilter | None = None) -> QuerySet[Application]:
    """Applications of the scope, oldest due first: real ones, or only test ones.

    One query (plus the paginator's count): the scope is a `department_code IN` filter
    and the case file (due date, assignee) comes in the same query."""
    filters = filters or QueueFilter()
    found = (
        Application.objects.filter(department_code__in=scope.codes, is_test=filters.test)
        .exclude(status=Status.SUBMITTED)
        .select_related("case_file__assignee")
        .only(
            "id", "number", "title", "service_code", "status", "submitted_at", "is_test",
            "department_code", "case_file__due_on", "case_file__assignee__surname",
            "case_file__assignee__first_name", "case_file__assignee__id",
            "case_file__claimed_at",
        )
    )  # fmt: skip
    if filters.service:
        found = found.filter(service_code=filters.service)
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.due == "overdue":
        found = found.filter(case_file__due_on__lt=today(), status__in=OPEN)
    elif filters.due == "week":
        found = found.filter(
            case_file__due_on__gte=today(),
            case_file__due_on__lte=today() + dt.timedelta(days=7),
            status__in=OPEN,
        )
    if filters.assignee == "mine":
        found = found.filter(case_file__assignee=scope.account)
    elif filters.assignee == "unassigned":
        found = found.filter(Q(case_file__isnull=True) | Q(case_file__assignee__isnull=True))
    if filters.number:
        number = numbers.normalize(filters.number)
        digits = "".join(c for c in filters.number if c.isdigit())
        if number:
            found = found.filter(number=number)
        else:
            found = found.filter(number__contains=digits[-8:] if digits else filters.number)
    return found.order_by(F("case_file__due_on").asc(nulls_last=True), "submitted_at")


def services_of(scope: Scope) -> list[tuple[str, str]]:
    """(code, title) of the services with applications in the scope (the queue's filter)."""
    rows = (
        Application.objects.filter(department_code__in=scope.codes)
        .values("service_code")
        .annotate(title=Max("title"))
        .order_by("title")
    )
    return [(r["service_code"], r["title"]) for r in rows]


def case_for(scope: Scope, application_id: Any) -> Application:
    """One application of the scope (anyone else's: not found)."""
    found = (
        Application.objects.select_related("version__definition", "case_file__assignee")
        .filter(pk=application_id, department_code__in=scope.codes)
        .exclude(status=Status.SUBMITTED)
        .first()
    )
    if found is None:
        raise CaseNotFound()
    return found


def attachment_for(scope: Scope, application_id: Any, attachment_id: Any) -> Attachment:
    found = (
        Attachment.objects.select_related("upload", "application")
        .filter(
            pk=attachment_id,
            application_id=application_id,
            application__department_code__in=scope.codes,
        )
        .exclude(application__status=Status.SUBMITTED)
        .first()
    )
    if found is None:
        raise CaseNotFound()
    return found


def officers_for(department_code: str) -> list[Any]:
    """Accounts with a role whose scope covers this department (the assignment choices)."""
    from uslugi.identity.models import Account

    department = Department.objects.filter(code=department_code).first()
    if department is None:
        return []
    chain, parent = [department.pk], department.parent_id
    while parent is not None and parent not in chain:
        chain.append(parent)
        parent = Department.objects.filter(pk=parent).values_list("parent_id", flat=True).first()
    roles = StaffRole.objects.filter(department_id__in=chain).filter(
        Q(region__isnull=True) | Q(region_id=department.region_id)
    )
    return list(
        Account.objects.filter(pk__in=roles.values("account_id")).order_by(
            "surname", "first_name", "email"
        )
    )


def may_work_on(account: Any, department_code: str) -> bool:
    return department_code in staff_scope(account).codes


def workload(scope: Scope) -> list[dict[str, Any]]:
    """Per officer of the supervised departments: assigned, in progress, overdue (real
    applications only). Two queries: the counts, and the staff with none."""
    from uslugi.identity.models import Account

    now = today()
    rows: dict[Any, dict[str, Any]] = {
        r["assignee"]: dict(r)
        for r in CaseFile.objects.filter(
            department_code__in=scope.supervised,
            assignee__isnull=False,
            application__is_test=False,
        )
        .values("assignee")
        .annotate(
            assigned=Count("id", filter=Q(application__status__in=OPEN)),
            working=Count("id", filter=Q(application__status__in=WORKING)),
            overdue=Count("id", filter=Q(application__status__in=OPEN, due_on__lt=now)),
        )
    }
    staff = (
        Account.objects.filter(
            Q(pk__in=rows.keys()) | Q(staff_roles__department__code__in=scope.supervised)
        )
        .distinct()
        .order_by("surname", "first_name", "email")
    )
    return [
        {
            "account": account,
            "assigned": rows.get(account.pk, {}).get("assigned", 0),
            "working": rows.get(account.pk, {}).get("working", 0),
            "overdue": rows.get(account.pk, {}).get("overdue", 0),
        }
        for account in staff
    ]


def statistics(
    scope: Scope, *, since: dt.date | None = None, until: dt.date | None = None
) -> list[dict[str, Any]]:
    """Per department and service of the scope: received, in progress, overdue, completed
    and the average processing time in days. Real applications only; one query."""
    found = Application.objects.filter(department_code__in=scope.supervised, is_test=False)
    if since:
        found = found.filter(submitted_at__date__gte=since)
    if until:
        found = found.filter(submitted_at__date__lte=until)
    rows = (
        found.values("department_code", "service_code")
        .annotate(
            title=Max("title"),
            received=Count("id"),
            in_progress=Count("id", filter=Q(status__in=OPEN)),
            overdue=Count("id", filter=Q(status__in=OPEN, case_file__due_on__lt=today())),
            completed=Count("id", filter=Q(status__in=COMPLETED)),
            processing=Avg(
                ExpressionWrapper(
                    F("status_changed_at") - F("submitted_at"), output_field=DurationField()
                ),
                filter=Q(status__in=COMPLETED),
            ),
        )
        .order_by("department_code", "title")
    )
    result = []
    for values in rows:
        row: dict[str, Any] = dict(values)
        processing = row.pop("processing")
        if isinstance(processing, (int, float)):  # some backends answer microseconds
            processing = dt.timedelta(microseconds=processing)
        row["average_days"] = (
            round(processing.total_seconds() / 86400, 1) if processing is not None else None
        )
        result.append(row)
    return result


def staff_of(scope: Scope) -> QuerySet[StaffRole]:
    """Role grants in the departments the staff member administers."""
    return (
        StaffRole.objects.filter(department__code__in=scope.administered)
        .select_related("account", "department", "region")
        .order_by("department__code", "account__surname", "role")
    )


def administered_departments(scope: Scope) -> QuerySet[Department]:
    return Department.objects.filter(code__in=scope.administered).order_by("name_ru")
