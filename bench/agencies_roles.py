"""The agencies suite's work inside the portal's database: `python -m bench.agencies_roles
<role> ...`, run in a fresh process with the portal's environment (bench/server.py), so
encrypted fields use the portal's keys; each prints one JSON line. Roles:

* `setup`: empty what an earlier run left, make the suite's two departments (one the
  agency systems pull from, one with the back-office queue), publish its services, its
  applicants, one agency system with OAuth2 client credentials, and an officer of the
  queue's department with a second sign-in step and a signed-in session;
* `pull-seed N`: top the pull department up to N new (delivered, never leased) applications;
* `acked N`: N delivered applications the system has acknowledged (for status events);
* `queue-seed N`: N applications with their case files in the queue's department, over two
  years, several services and every status after delivery;
* `events`: the status events recorded by the system, by external id prefix;
* `deep PATH N`: the address of page N of a queue page (or of its last page, if it has
  fewer), reached as an officer does, by following its "next" links (keyset pages have
  no page numbers);
* `explain PATH ...`: the queries each queue page runs, their times, and on PostgreSQL
  their plans (EXPLAIN ANALYZE);
* `clear`: remove everything the suite made.

Everything is bulk-created with the ORM (`bulk_create`), so a new nullable column of
the models needs no change here.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import time
import uuid
from typing import Any, cast

# What the suite owns: these department codes, phone prefix, service codes and emails.
PULL_DEPARTMENT = "bench-agency-pull"
QUEUE_DEPARTMENT = "bench-agency-queue"
APPLICANT_PREFIX = "+799940"
APPLICANT_PHONE = APPLICANT_PREFIX + "{:05d}"
OFFICER_PHONE = "+79994199999"
OFFICER_EMAIL = "officer@agencies.bench.uslugi.test"
SERVICE_CODE = "bench-agency-{:02d}"  # 00: the pull department's; 01..: the queue's
QUEUE_SERVICES = 6
APPLICANTS = 200
SYSTEM_NAME = "Bench agency system"
BATCH = 2000
ANSWERS: dict[str, Any] = {"surname": "Смирнова"}
EVENT_PREFIX = "bench:"


def _django() -> None:
    import django

    django.setup()
    from django.conf import settings

    settings.ROOT_URLCONF = "bench.urls"


def _definition(code: str, department: str, index: int) -> dict[str, Any]:
    return {
        "code": code,
        "variant": "main",
        "kind": "application",
        "title": {"ru": f"Ведомственная услуга № {index}", "en": f"Agency service No. {index}"},
        "account_level": "standard",
        "routing": {"department": department},
        "steps": [
            {
                "id": "about",
                "title": {"ru": "О вас", "en": "About you"},
                "fields": [
                    {
                        "name": "surname",
                        "type": "text",
                        "label": {"ru": "Фамилия", "en": "Surname"},
                        "required": True,
                    },
                ],
            }
        ],
    }


def _publish(code: str, department: str, index: int) -> Any:
    from uslugi.forms.constants import VersionStatus
    from uslugi.forms.services import definition_store, version_transition

    version, _ = definition_store(
        document=_definition(code, department, index), source_file="bench"
    )
    version = version_transition(version=version, target=VersionStatus.TESTING)
    version = version_transition(
        version=version,
        target=VersionStatus.APPROVED,
        protocol={"cases": ["bench: agency service"], "approver": "bench"},
    )
    return version_transition(
        version=version, target=VersionStatus.PUBLISHED, change_number=f"bench-agency-{index}"
    )


def _mine() -> Any:
    from uslugi.identity.models import Account

    return Account.objects.filter(phone__startswith=APPLICANT_PREFIX)


def _delete_in_batches(queryset: Any) -> int:
    deleted = 0
    while ids := list(queryset.values_list("pk", flat=True)[:BATCH]):
        queryset.model.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
    return deleted


def _clear() -> dict[str, Any]:
    """Remove the suite's applications (their events, case files, leases, webhooks go
    with them), agency systems, staff, applicants, definitions and departments."""
    from django.db import connection, transaction
    from django_tasks_db.models import DBTaskResult
    from oauth2_provider.models import get_application_model

    from uslugi.agencies.models import AgencySystem
    from uslugi.applications.models import Application
    from uslugi.catalog.models import Department
    from uslugi.forms.models import DefinitionVersion, Draft, ServiceDefinition

    ours = [PULL_DEPARTMENT, QUEUE_DEPARTMENT]
    started = time.perf_counter()
    applications = _delete_in_batches(Application.objects.filter(department_code__in=ours))
    # Anything else of the suite's applicants (none expected).
    _delete_in_batches(Application.objects.filter(account__in=_mine()))
    systems = AgencySystem.objects.filter(department__code__in=ours)
    oauth = list(systems.values_list("oauth_application_id", flat=True))
    systems.delete()
    get_application_model().objects.filter(pk__in=[o for o in oauth if o]).delete()
    _delete_in_batches(_mine())
    from uslugi.identity.models import Account

    Account.objects.filter(phone=OFFICER_PHONE).delete()
    definitions = ServiceDefinition.objects.filter(code__startswith="bench-agency-")
    versions = DefinitionVersion.objects.filter(definition__in=definitions)
    with transaction.atomic():
        Draft.objects.filter(version__in=versions).delete()
        # Raw: published versions refuse Model.delete() by design.
        versions._raw_delete(connection.alias)
        definitions._raw_delete(connection.alias)
    from uslugi.agencies import models as agency_models

    queue_services = getattr(agency_models, "QueueService", None)
    if queue_services is not None:
        queue_services.objects.filter(department_code__in=ours).delete()
    Department.objects.filter(code__in=ours).delete()
    # The notification emails the status events queued (no worker runs on a benchmark
    # database; the other suites empty the queue too).
    DBTaskResult.objects.all().delete()
    return {"applications": applications, "clear_s": time.perf_counter() - started}


def _numbers(count: int, at: list[dt.datetime]) -> list[str]:
    """`count` new numbers continuing each year's sequence (one per time in `at`)."""
    from django.db import transaction

    from uslugi.applications import numbers
    from uslugi.applications.models import NumberSequence

    out: list[str] = []
    with transaction.atomic():
        years = dict(NumberSequence.objects.select_for_update().values_list("year", "last"))
        for when in at[:count]:
            years[when.year] = years.get(when.year, 0) + 1
            out.append(numbers.format_number(when.year, years[when.year]))
        for year, last in years.items():
            NumberSequence.objects.update_or_create(year=year, defaults={"last": last})
    return out


def _applications(
    *,
    department: str,
    versions: list[Any],
    statuses: list[str],
    submitted: list[dt.datetime],
) -> list[Any]:
    """Unsaved applications of the suite's applicants, one per status and time."""
    from uslugi.applications.constants import Status
    from uslugi.applications.models import Application
    from uslugi.forms.routing import agency_payload

    applicants = list(_mine().order_by("phone").values_list("pk", flat=True))
    numbers = _numbers(len(submitted), submitted)
    payloads = {v.pk: agency_payload(v.document, ANSWERS) for v in versions}
    titles = {v.pk: str(v.localized("ru")["title"])[:300] for v in versions}
    made = []
    for n, (status, at) in enumerate(zip(statuses, submitted, strict=True)):
        version = versions[n % len(versions)]
        delivered = at + dt.timedelta(seconds=30)
        changed = at + dt.timedelta(hours=2) if status != Status.DELIVERED else delivered
        made.append(
            Application(
                number=numbers[n],
                account_id=applicants[n % len(applicants)],
                version=version,
                service_code=version.definition.code,
                title=titles[version.pk],
                status=status,
                department_code=department,
                answers=cast(Any, dict(ANSWERS)),
                payload=cast(Any, payloads[version.pk]),
                draft_id=uuid.uuid4(),
                idempotency_key=f"bench-agency:{uuid.uuid4().hex}",
                submitted_at=at,
                status_changed_at=changed,
                delivered_at=delivered,
                delivery_reference=f"bench-{n}",
            )
        )
    return made


def _deliver(made: list[Any], *, assignee: Any = None, every: int = 0) -> list[Any]:
    """What delivery does to each of these (unsaved) applications, in bulk: its due date
    (submission plus 30 working days, on the application or on its case file, wherever
    the model keeps it), its case file, and its service in the department's queue filter
    (`QueueService`, where the models have it). With `assignee`, every `every`-th open
    one is taken by that account. Returns the case files, unsaved."""
    from django.utils import timezone

    from uslugi.agencies import models as agency_models
    from uslugi.agencies import working_days
    from uslugi.agencies.constants import OPEN
    from uslugi.applications.models import Application

    on_application = "due_on" in {f.name for f in Application._meta.get_fields()}
    on_case = "due_on" in {f.name for f in agency_models.CaseFile._meta.get_fields()}
    now = timezone.now()
    due_cache: dict[dt.date, dt.date] = {}
    cases = []
    for n, application in enumerate(made):
        day = timezone.localdate(application.submitted_at)
        if day not in due_cache:
            due_cache[day] = working_days.add(day, 30)
        if on_application:
            application.due_on = due_cache[day]
        mine = assignee is not None and every and application.status in OPEN and n % every == 0
        case = agency_models.CaseFile(
            application=application, department_code=application.department_code,
            assignee=assignee if mine else None, claimed_at=now if mine else None,
        )  # fmt: skip
        if on_case:
            case.due_on = due_cache[day]
        cases.append(case)
    return cases


def _queue_services(made: list[Any]) -> None:
    from uslugi.agencies import services as agency_services

    add = getattr(agency_services, "queue_services_add", None)
    if add is not None:  # the queue's service filter, as delivery keeps it
        add(made)


def _store(made: list[Any], cases: list[Any]) -> None:
    from django.db import transaction

    from uslugi.agencies.models import CaseFile
    from uslugi.applications.models import Application

    with transaction.atomic():
        Application.objects.bulk_create(made, batch_size=BATCH)
        CaseFile.objects.bulk_create(cases, batch_size=BATCH)
        _queue_services(made)


def _versions(prefix_index: int | None = None) -> list[Any]:
    from uslugi.forms.models import DefinitionVersion

    found = DefinitionVersion.objects.select_related("definition").filter(
        definition__code__startswith="bench-agency-", status="published"
    )
    versions = sorted(found, key=lambda v: v.definition.code)
    if prefix_index is not None:
        return [v for v in versions if v.definition.code == SERVICE_CODE.format(prefix_index)]
    return [v for v in versions if v.definition.code != SERVICE_CODE.format(0)]


def role_setup() -> dict[str, Any]:
    _django()
    from django.test import Client

    from uslugi.agencies.constants import Role
    from uslugi.agencies.integration import system_create
    from uslugi.agencies.models import StaffRole
    from uslugi.catalog.constants import DepartmentKind
    from uslugi.catalog.models import Department
    from uslugi.identity.constants import Level, SecondFactor
    from uslugi.identity.models import Account

    started = time.perf_counter()
    cleared = _clear()
    pull = Department.objects.create(
        code=PULL_DEPARTMENT, kind=DepartmentKind.FEDERAL, name_ru="Ведомство (бенчмарк, API)",
        name_en="Agency (benchmark, API)",
    )  # fmt: skip
    queue = Department.objects.create(
        code=QUEUE_DEPARTMENT, kind=DepartmentKind.FEDERAL,
        name_ru="Ведомство (бенчмарк, очередь)", name_en="Agency (benchmark, queue)",
    )  # fmt: skip
    _publish(SERVICE_CODE.format(0), PULL_DEPARTMENT, 0)
    for i in range(1, QUEUE_SERVICES + 1):
        _publish(SERVICE_CODE.format(i), QUEUE_DEPARTMENT, i)
    applicants = []
    for n in range(APPLICANTS):
        account = Account(
            phone=APPLICANT_PHONE.format(n), email=f"applicant{n}@agencies.bench.uslugi.test",
            surname="Смирнова", first_name="Анна", level=Level.STANDARD,
        )  # fmt: skip
        account.set_unusable_password()
        applicants.append(account)
    Account.objects.bulk_create(applicants)
    officer = Account(
        phone=OFFICER_PHONE, email=OFFICER_EMAIL, surname="Officer", first_name="Bench",
        level=Level.STANDARD, second_factor=SecondFactor.SMS,
    )  # fmt: skip
    officer.set_unusable_password()
    officer.save()
    StaffRole.objects.create(account=officer, department=queue, role=Role.OFFICER)
    client = Client()
    # A signed-in session, as after the password and the second step.
    client.force_login(officer)
    credentials = system_create(name=SYSTEM_NAME, department_code=pull.code)
    return {
        "client_id": credentials.client_id,
        "client_secret": credentials.client_secret,
        "officer_session": str(client.cookies["sessionid"].value),
        "services": [SERVICE_CODE.format(i) for i in range(1, QUEUE_SERVICES + 1)],
        "cleared": cleared["applications"],
        "setup_s": time.perf_counter() - started,
    }


def _new_count() -> int:
    from uslugi.agencies.models import Lease
    from uslugi.applications.constants import Status
    from uslugi.applications.models import Application

    return (
        Application.objects.filter(department_code=PULL_DEPARTMENT, status=Status.DELIVERED)
        .exclude(pk__in=Lease.objects.values("application_id"))
        .count()
    )


def _recent(count: int) -> list[dt.datetime]:
    from uslugi.core import clock

    now = clock.now()
    return [now - dt.timedelta(seconds=count - n) for n in range(count)]


def role_pull_seed(target: int) -> dict[str, Any]:
    """New applications up to `target`: delivered, never leased, oldest first."""
    _django()
    from uslugi.applications.constants import Status

    started = time.perf_counter()
    missing = max(0, target - _new_count())
    if missing:
        made = _applications(
            department=PULL_DEPARTMENT, versions=_versions(0),
            statuses=[Status.DELIVERED] * missing, submitted=_recent(missing),
        )  # fmt: skip
        _store(made, _deliver(made))
    return {"made": missing, "new": _new_count(), "seed_s": time.perf_counter() - started}


def role_acked(count: int) -> dict[str, Any]:
    """Delivered applications the system has acknowledged: ready for status events."""
    _django()
    from django.db import transaction

    from uslugi.agencies.models import AgencySystem, Lease
    from uslugi.applications.constants import Status
    from uslugi.core import clock

    system = AgencySystem.objects.get(department__code=PULL_DEPARTMENT)
    made = _applications(
        department=PULL_DEPARTMENT, versions=_versions(0),
        statuses=[Status.DELIVERED] * count, submitted=_recent(count),
    )  # fmt: skip
    now = clock.now()
    with transaction.atomic():
        _store(made, _deliver(made))
        Lease.objects.bulk_create(
            [Lease(application=a, system=system, until=now, acknowledged_at=now) for a in made],
            batch_size=BATCH,
        )
    return {"ids": [str(a.pk) for a in made]}


# Statuses of the queue's applications: recent ones mostly open, older ones mostly final.
_RECENT = ["delivered"] * 3 + ["accepted"] * 2 + ["in_progress"] * 4 + ["info_requested",
           "info_provided", "approved", "refused"]  # fmt: skip
_OLDER = ["approved"] * 12 + ["refused"] * 4 + ["withdrawn", "cancelled", "in_progress"]


def role_queue_seed(count: int) -> dict[str, Any]:
    """`count` applications of the queue's department, two years of them, with case files
    (due dates from the production calendar: submission plus 30 working days), a twentieth
    of the open ones taken by the officer."""
    _django()
    from uslugi.agencies.constants import OPEN
    from uslugi.core import clock
    from uslugi.identity.models import Account

    started = time.perf_counter()
    now = clock.now()
    span = dt.timedelta(days=730)
    submitted = [now - span + span * (n / count) for n in range(count)]
    recent = now - dt.timedelta(days=60)
    statuses = [
        _RECENT[(n * 7) % len(_RECENT)] if at >= recent else _OLDER[(n * 11) % len(_OLDER)]
        for n, at in enumerate(submitted)
    ]
    made = _applications(
        department=QUEUE_DEPARTMENT, versions=_versions(), statuses=statuses, submitted=submitted
    )
    officer = Account.objects.get(phone=OFFICER_PHONE)
    cases = _deliver(made, assignee=officer, every=20)
    built = time.perf_counter()
    _store(made, cases)
    stored = time.perf_counter()
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE applications_application")
            cursor.execute("ANALYZE agencies_casefile")
    due = [
        getattr(a, "due_on", None) or getattr(c, "due_on", None)
        for a, c in zip(made, cases, strict=True)
    ]
    overdue = sum(
        1 for a, d in zip(made, due, strict=True) if a.status in OPEN and d and d < now.date()
    )
    return {
        "count": count,
        "number": made[count // 3].number,
        "overdue": overdue,
        "open": sum(1 for a in made if a.status in OPEN),
        "build_s": built - started,
        "insert_s": stored - built,
    }


def role_events() -> dict[str, Any]:
    _django()
    from django.db.models import Count

    from uslugi.applications.models import Event

    found = Event.objects.filter(
        application__department_code=PULL_DEPARTMENT, external_id__startswith=EVENT_PREFIX
    )
    return {
        "events": found.count(),
        "duplicates": found.values("application", "external_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count(),
    }


def _label(sql: str) -> str:
    """A short name for a query the queue page runs."""
    lowered = sql.lower()
    limit = re.search(r"limit (\d+)(?: offset (\d+))?", lowered)
    if '"agencies_casefile"."id" is null' in lowered:
        return "case files to make (anti-join)"
    if " group by " in lowered:
        return "services for the filter (group by)"
    if "count(" in lowered:
        return "unread notifications (count)" if "notifications_" in lowered else "the count"
    if "applications_application" in lowered and limit and limit.group(1) in {"25", "26", "1"}:
        return "the page" + (f" (offset {limit.group(2)})" if limit.group(2) else "")
    tables = sorted(set(re.findall(r'(?:from|join) "([a-z_]+)"', lowered)))
    return "+".join(tables)


def role_deep(path: str, page: int) -> dict[str, Any]:
    _django()
    import html

    from django.test import Client

    from uslugi.identity.models import Account

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(Account.objects.get(phone=OFFICER_PHONE))
    started = time.perf_counter()
    reached = 1
    while reached < page:
        body = client.get(path).content.decode()
        found = re.search(r'href="(\?[^"]*)" rel="next"', body)
        if found is None:
            break  # a smaller queue (BENCH_AGENCY_QUEUE): its last page
        path = path.split("?", maxsplit=1)[0] + html.unescape(found.group(1))
        reached += 1
    return {"path": path, "page": reached, "walk_s": time.perf_counter() - started}


def role_explain(paths: list[str]) -> dict[str, Any]:
    """Each page of the queue requested in process as the officer: the queries it runs,
    their time, and on PostgreSQL the plan (EXPLAIN ANALYZE) of each slower than 2 ms.
    Read from what the view runs, so it follows the view's code as it changes."""
    _django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from uslugi.identity.models import Account

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(Account.objects.get(phone=OFFICER_PHONE))
    out: dict[str, Any] = {"queries": {}, "plans": {}, "errors": []}
    for path in paths:
        try:
            client.get(path)  # warm: templates, translations
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            if response.status_code != 200:
                out["errors"].append(f"{path}: {response.status_code}")
                continue
            rows = [
                (_label(q["sql"]), float(q["time"]) * 1000, q["sql"])
                for q in captured.captured_queries
                if q["sql"].lstrip().upper().startswith("SELECT")
            ]
            out["queries"][path] = [[name, round(ms, 1)] for name, ms, _ in rows]
            if connection.vendor != "postgresql":
                continue
            for name, ms, sql in rows:
                if ms < 2:
                    continue
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql.replace("%", "%%"))
                    plan = "\n".join(row[0] for row in cursor.fetchall())
                out["plans"][f"{path} {name}"] = plan
        except Exception as exc:  # noqa: BLE001 - a diagnosis, never a reason to fail the run
            out["errors"].append(f"{path}: {type(exc).__name__}: {exc}")
    return out


def role_clear() -> dict[str, Any]:
    _django()
    return _clear()


def main(argv: list[str]) -> int:
    role, *args = argv
    roles = {
        "setup": role_setup,
        "pull-seed": lambda: role_pull_seed(int(args[0])),
        "acked": lambda: role_acked(int(args[0])),
        "queue-seed": lambda: role_queue_seed(int(args[0])),
        "events": role_events,
        "deep": lambda: role_deep(args[0], int(args[1])),
        "explain": lambda: role_explain(args),
        "clear": role_clear,
    }
    if role not in roles:
        raise SystemExit(f"unknown role {role}")
    print(json.dumps(roles[role](), ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
