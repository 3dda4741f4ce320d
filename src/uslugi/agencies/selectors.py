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

from uslugi.agencies.constants import ANY_STATUS, COMPLETED, OPEN, SUPERVISING, WORKING, Role
from uslugi.agencies.errors import CaseNotFound
from uslugi.agencies.models import AutotestRun, CaseFile, QueueService, StaffRole
from uslugi.applications import numbers
from uslugi.applications.constants import WITH_AGENCY
from uslugi.applications.models import Application, Attachment
from uslugi.catalog.models import Department, Office, Service, ServiceVariant
from uslugi.catalog.selectors import department_subtree_ids
from uslugi.identity.constants import SecondFactor


@dataclass(frozen=True)
class Reach:
    """The applications one role grant covers: those of these departments, optionally
    only of one region or of one office."""

    codes: frozenset[str]
    region: str = ""
    office: str = ""

    def q(self, prefix: str = "", department: str = "") -> Q:
        """`prefix` reaches the application; `department` names another field holding
        its department (the case file's own copy, say), else the application's."""
        found = Q(**{f"{department or prefix + 'department_code'}__in": self.codes})
        if self.office:
            return found & Q(**{f"{prefix}office_code": self.office})
        if self.region:
            return found & Q(**{f"{prefix}region_code": self.region})
        return found

    def covers(self, application: Application) -> bool:
        return (
            application.department_code in self.codes
            and (not self.office or application.office_code == self.office)
            and (not self.region or application.region_code == self.region)
        )


def _any(reaches: tuple[Reach, ...], prefix: str = "", department: str = "") -> Q:
    """One filter for every reach (nothing when there is none): no per-row checks."""
    found = Q(pk__in=[])
    for reach in reaches:
        found |= reach.q(prefix, department)
    return found


@dataclass(frozen=True)
class Scope:
    """What one staff member may see and do: the reach of each role grant, the reaches
    they supervise, and the departments (codes) they administer."""

    account: Any
    reaches: tuple[Reach, ...] = ()
    supervising: tuple[Reach, ...] = ()
    administered: frozenset[str] = frozenset()
    roles: tuple[StaffRole, ...] = field(default=())

    @property
    def codes(self) -> frozenset[str]:
        """Every department any of the roles reaches (in whole or in part)."""
        return frozenset(code for reach in self.reaches for code in reach.codes)

    @property
    def supervised_codes(self) -> frozenset[str]:
        return frozenset(code for reach in self.supervising for code in reach.codes)

    @property
    def is_staff(self) -> bool:
        return bool(self.codes)

    @property
    def is_supervisor(self) -> bool:
        return bool(self.supervised_codes)

    @property
    def is_administrator(self) -> bool:
        return bool(self.administered)

    @property
    def has_second_factor(self) -> bool:
        return (getattr(self.account, "second_factor", "") or SecondFactor.NONE) != (
            SecondFactor.NONE
        )

    def q(self, prefix: str = "", department: str = "") -> Q:
        """The applications of the scope, as a filter (`prefix` for a related model)."""
        return _any(self.reaches, prefix, department)

    def supervised_q(self, prefix: str = "") -> Q:
        return _any(self.supervising, prefix)

    def covers(self, application: Application) -> bool:
        return any(reach.covers(application) for reach in self.reaches)

    def supervises(self, application: Application) -> bool:
        return any(reach.covers(application) for reach in self.supervising)


def _codes_of(role: StaffRole) -> set[str]:
    ids = department_subtree_ids([role.department_id])
    return set(Department.objects.filter(id__in=ids).values_list("code", flat=True))


def _reach_of(role: StaffRole, codes: set[str]) -> Reach:
    if role.office is not None:
        if not role.office.code:  # an office without a code reaches nothing, never everything
            return Reach(codes=frozenset())
        return Reach(codes=frozenset(codes), office=role.office.code)
    if role.region is not None:
        return Reach(codes=frozenset(codes), region=role.region.code)
    return Reach(codes=frozenset(codes))


def staff_scope(account: Any) -> Scope:
    """The reach of each of this account's roles, resolved once (one query per role)."""
    if account is None or not getattr(account, "is_authenticated", False):
        return Scope(account=None)
    roles = tuple(
        StaffRole.objects.filter(account=account).select_related("department", "region", "office")
    )
    reaches: list[Reach] = []
    supervising: list[Reach] = []
    administered: set[str] = set()
    for role in roles:
        codes = _codes_of(role)
        reach = _reach_of(role, codes)
        reaches.append(reach)
        if role.role in SUPERVISING:
            supervising.append(reach)
        if role.role == Role.ADMINISTRATOR and role.office is None:
            # Administration stays with departments: of the region's own, if limited.
            administered |= (
                set(
                    Department.objects.filter(code__in=codes, region_id=role.region_id).values_list(
                        "code", flat=True
                    )
                )
                if role.region_id is not None
                else codes
            )
    return Scope(
        account=account,
        reaches=tuple(reaches),
        supervising=tuple(supervising),
        administered=frozenset(administered),
        roles=roles,
    )


@dataclass(frozen=True)
class QueueFilter:
    service: str = ""
    status: str = ""  # "": to do (delivered, not decided); ANY_STATUS; or one status
    due: str = ""  # "overdue" | "week"
    test: bool = False
    assignee: str = ""  # "mine" | "unassigned"
    number: str = ""
    office: str = ""


def today() -> dt.date:
    return timezone.localdate()


# The queue's order: oldest due first (the department's queue indexes give the rows in
# it). Every row in the queue has a due date (set on delivery): no NULLs, which SQLite
# and PostgreSQL would sort differently.
QUEUE_ORDER = ("due_on", "submitted_at", "pk")


def _matching(scope: Scope, filters: QueueFilter, prefix: str = "", department: str = "") -> Q:
    """The queue's conditions on an application (reached through `prefix`; `department`:
    see `Reach.q`)."""

    def on(**lookups: Any) -> Q:
        return Q(**{f"{prefix}{name}": value for name, value in lookups.items()})

    # `is_test__in`, not `is_test=`: SQLite gets `is_test IN (0)`, an equality its
    # planner can match to the queue indexes (`NOT is_test` it cannot).
    found = scope.q(prefix, department) & on(is_test__in=[filters.test])
    to_do = not filters.status and not filters.number
    if to_do:
        # The to-do list: delivered, not yet decided (a partial index of its own).
        found &= on(status__in=WITH_AGENCY)
    else:
        # One status, "any", or a search by number (every status). Only delivered ones:
        # one cancelled before delivery (no due date) never reached the agency.
        found &= on(due_on__isnull=False)
        if filters.status != ANY_STATUS and filters.status:
            found &= on(status=filters.status)
    if filters.service:
        found &= on(service_code=filters.service)
    if filters.office:
        found &= on(office_code=filters.office)
    if filters.due and not to_do:  # only the undecided ones can be (nearly) overdue
        found &= on(status__in=WITH_AGENCY)
    if filters.due == "overdue":
        found &= on(due_on__lt=today())
    elif filters.due == "week":
        found &= on(due_on__gte=today(), due_on__lte=today() + dt.timedelta(days=7))
    if filters.number:
        number = numbers.normalize(filters.number)
        digits = "".join(c for c in filters.number if c.isdigit())
        if number:
            found &= on(number=number)
        else:
            found &= on(number__contains=digits[-8:] if digits else filters.number)
    return found


def queue(scope: Scope, filters: QueueFilter | None = None) -> QuerySet[Application]:
    """Applications of the scope, oldest due first: real ones, or only test ones.

    One query (plus the count): the scope is a `department_code IN` filter, which the
    department's queue indexes serve in due order, and the case file (assignee) comes in
    the same query. "Assigned to me" starts from the officer's own cases instead (their
    index): a few hundred rows to sort beat a walk through the department's. The cases'
    own department codes keep SQLite's planner (no statistics) on that index."""
    filters = filters or QueueFilter()
    if filters.assignee == "mine":
        cases = CaseFile.objects.filter(
            _matching(scope, filters, "application__", department="department_code"),
            assignee=scope.account,
        )
        found = Application.objects.filter(pk__in=cases.values("application_id"))
    else:
        found = Application.objects.filter(_matching(scope, filters))
        if filters.assignee == "unassigned":
            found = found.filter(Q(case_file__isnull=True) | Q(case_file__assignee__isnull=True))
    return (
        found.select_related("case_file__assignee")
        .only(
            "id", "number", "title", "service_code", "status", "submitted_at", "is_test",
            "department_code", "region_code", "office_code", "due_on",
            "case_file__assignee__surname",
            "case_file__assignee__first_name", "case_file__assignee__patronymic",
            "case_file__assignee__email", "case_file__assignee__id", "case_file__claimed_at",
        )
        .order_by(*QUEUE_ORDER)
    )  # fmt: skip


def services_of(scope: Scope) -> list[tuple[str, str]]:
    """(code, title) of the services of the applications the scope reaches (the queue's
    filter; a region's or an office's only for a role limited to one), from the small
    table kept on delivery."""
    rows = (
        QueueService.objects.filter(scope.q())
        .values("service_code")
        .annotate(name=Max("title"))
        .order_by("name")
    )
    return [(r["service_code"], r["name"]) for r in rows]


def offices_of(scope: Scope) -> list[tuple[str, str]]:
    """(code, name) of the offices the scope reaches (the queue's filter), by region."""
    which = Q(pk__in=[])
    for reach in scope.reaches:
        if reach.office:
            which |= Q(code=reach.office)
        elif reach.region:
            which |= Q(department__code__in=reach.codes, region__code=reach.region)
        else:
            which |= Q(department__code__in=reach.codes)
    offices = (
        Office.objects.filter(which, code__isnull=False)
        .select_related("region")
        .order_by("region__code", "name_ru")
    )
    return [(str(office.code), str(office.name)) for office in offices]


def case_for(scope: Scope, application_id: Any) -> Application:
    """One delivered application of the scope (anyone else's, or one the agency never
    received, say cancelled before delivery: not found)."""
    found = (
        Application.objects.select_related("version__definition", "case_file__assignee")
        .filter(scope.q(), pk=application_id, delivered_at__isnull=False)
        .first()
    )
    if found is None:
        raise CaseNotFound()
    return found


def attachment_for(scope: Scope, application_id: Any, attachment_id: Any) -> Attachment:
    found = (
        Attachment.objects.select_related("upload", "application")
        .filter(
            scope.q("application__"),
            pk=attachment_id,
            application_id=application_id,
            application__delivered_at__isnull=False,
        )
        .first()
    )
    if found is None:
        raise CaseNotFound()
    return found


def officers_for(application: Application) -> list[Any]:
    """Accounts with a role whose reach covers this application (the assignment choices)."""
    from uslugi.identity.models import Account

    department = Department.objects.filter(code=application.department_code).first()
    if department is None:
        return []
    chain, parent = [department.pk], department.parent_id
    while parent is not None and parent not in chain:
        chain.append(parent)
        parent = Department.objects.filter(pk=parent).values_list("parent_id", flat=True).first()
    roles = StaffRole.objects.filter(department_id__in=chain).filter(
        Q(region__isnull=True) | Q(region__code=application.region_code),
        Q(office__isnull=True) | Q(office__code=application.office_code),
    )
    return list(
        Account.objects.filter(pk__in=roles.values("account_id")).order_by(
            "surname", "first_name", "email"
        )
    )


def may_work_on(account: Any, application: Application) -> bool:
    return staff_scope(account).covers(application)


def workload(scope: Scope) -> list[dict[str, Any]]:
    """Per officer of the supervised departments: assigned, in progress, overdue (real
    applications only). Two queries: the counts, and the staff with none."""
    from uslugi.identity.models import Account

    now = today()
    rows: dict[Any, dict[str, Any]] = {
        r["assignee"]: dict(r)
        for r in CaseFile.objects.filter(
            scope.supervised_q("application__"),
            assignee__isnull=False,
            application__is_test=False,
        )
        .values("assignee")
        .annotate(
            assigned=Count("id", filter=Q(application__status__in=OPEN)),
            working=Count("id", filter=Q(application__status__in=WORKING)),
            overdue=Count(
                "id", filter=Q(application__status__in=OPEN, application__due_on__lt=now)
            ),
        )
    }
    staff = (
        Account.objects.filter(Q(pk__in=rows.keys()) | _staff_q(scope.supervising))
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


def _staff_q(reaches: tuple[Reach, ...]) -> Q:
    """Accounts with a role inside these reaches (an office's staff for an office)."""
    found = Q(pk__in=[])
    for reach in reaches:
        inside = Q(staff_roles__department__code__in=reach.codes)
        if reach.office:
            inside &= Q(staff_roles__office__code=reach.office)
        elif reach.region:
            inside &= Q(staff_roles__region__code=reach.region) | Q(
                staff_roles__office__region__code=reach.region
            )
        found |= inside
    return found


def statistics(
    scope: Scope, *, since: dt.date | None = None, until: dt.date | None = None
) -> list[dict[str, Any]]:
    """Per department and service of the scope: received, in progress, overdue, completed
    and the average processing time in days. Real applications the agency received
    (delivered) only; one query."""
    found = Application.objects.filter(
        scope.supervised_q(), is_test=False, delivered_at__isnull=False
    )
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
            overdue=Count("id", filter=Q(status__in=OPEN, due_on__lt=today())),
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


def _form_codes_of(codes: frozenset[str]) -> set[str]:
    """The form codes of the services of these departments: the catalogue's passports
    and variants, and the published definitions routed to one of them."""
    from uslugi.forms.constants import VersionStatus
    from uslugi.forms.models import DefinitionVersion

    found = set(
        Service.objects.filter(department__code__in=codes).values_list(
            "online_form_code", flat=True
        )
    )
    found |= set(
        ServiceVariant.objects.filter(service__department__code__in=codes).values_list(
            "online_form_code", flat=True
        )
    )
    found |= set(
        DefinitionVersion.objects.filter(
            status=VersionStatus.PUBLISHED, document__routing__department__in=sorted(codes)
        ).values_list("definition__code", flat=True)
    )
    return found - {""}


def autotest_runs(scope: Scope, limit: int = 200) -> list[AutotestRun]:
    """The scope's monitoring runs, newest first: those whose test application the scope
    reaches, and those that never sent one (the form was refused, no published version)
    of a service of the scope's departments."""
    if not scope.codes:
        return []
    unsent = Q(application__isnull=True, service_code__in=sorted(_form_codes_of(scope.codes)))
    return list(
        AutotestRun.objects.filter(scope.q("application__") | unsent)
        .select_related("application")
        .order_by("-created_at")[:limit]
    )


def staff_of(scope: Scope) -> QuerySet[StaffRole]:
    """Role grants in the departments the staff member administers."""
    return (
        StaffRole.objects.filter(department__code__in=scope.administered)
        .select_related("account", "department", "region", "office")
        .order_by("department__code", "account__surname", "role")
    )


def administered_departments(scope: Scope) -> QuerySet[Department]:
    return Department.objects.filter(code__in=scope.administered).order_by("name_ru")


def administered_offices(scope: Scope) -> list[tuple[str, str]]:
    """(code, "name (department)") of the offices of the administered departments."""
    offices = (
        Office.objects.filter(department__code__in=scope.administered, code__isnull=False)
        .select_related("department")
        .order_by("department__code", "region__code", "name_ru")
    )
    return [(str(office.code), str(office.name)) for office in offices]
