"""The applications suite's work inside the portal's database: `python -m
bench.applications_roles <role> ...`, run in a fresh process with the portal's environment
(bench/server.py), printing one JSON line. Roles:

* `setup CLIENTS SERVICES PEOPLE`: empty what an earlier run left, publish SERVICES copies
  of a minimal application definition, make CLIENTS standard-level accounts with checked
  personal data and a signed-in session each, and the dashboard's person with PEOPLE
  applications (1,000 in the suite), each with a valid number;
* `drafts PER_CLIENT`: a filled-in draft of the first PER_CLIENT services for each client;
* `verify FILE`: how many applications exist for the drafts listed in FILE, and in all;
* `inprocess CALLS NUMBER`: wall and CPU time of the dashboard's pages and of submissions,
  one at a time through Django's test client;
* `notify COUNT`: COUNT people, each notified of one submitted application (the inbox and
  an email each, the email's delivery task queued in the same transaction);
* `notified`: the state of the email notifications (sent, attempts, pending tasks);
* `smtp-raw GO HOST PORT SHARE OF`: the baseline sender: this process's share of the last
  batch's emails, the same texts and addresses, sent with smtplib once GO exists.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any, cast

# Accounts the suite owns: the phone prefix tells them apart from anyone else's.
CLIENT_PHONE = "+7999100{:04d}"
PERSON_PHONE = "+79991099999"
RECIPIENT_PHONE = "+7999{:07d}"
RECIPIENT_BASE = 2_000_000  # recipients are +79992000000 onwards
SERVICE_CODE = "bench-permit-{:03d}"
NOTIFY_EVENT = "application.submitted"
CSRF_SECRET = "benchCsrfSecret0123456789abcdefg"

# The minimal application definition of tests/applications/conftest.py (one step: a
# surname, an address routed by region, an optional scan), copied so that the benchmark
# never imports the tests.
SERVICE: dict[str, Any] = {
    "code": "test-permit",
    "variant": "main",
    "kind": "application",
    "title": {"ru": "Тестовое разрешение", "en": "Test permit"},
    "account_level": "standard",
    "routing": {"by": "region", "field": "home", "department": "zags", "fallback": "regional-zags"},
    "mapping": {"applicant.surname": {"var": "surname"}, "address": {"var": "home"}},
    "steps": [
        {
            "id": "about",
            "title": "About you",
            "fields": [
                {"name": "surname", "type": "text", "label": "Surname", "required": True},
                {"name": "home", "type": "address", "label": "Home", "required": True},
                {
                    "name": "scan",
                    "type": "file",
                    "label": "Scan",
                    "accept": ["application/pdf"],
                    "max_files": 1,
                },
            ],
        }
    ],
}
ANSWERS: dict[str, Any] = {
    "surname": "Смирнова",
    "home": {"region": "77", "street": "Тверская", "house": "1"},
}


def _django() -> None:
    import django

    django.setup()
    from django.conf import settings

    # As bench/hello_wsgi.py does: the portal's URLs plus the hello-world view.
    settings.ROOT_URLCONF = "bench.urls"


def _snils(n: int) -> str:
    from uslugi.core.validators import snils_check_digits

    first = f"{200_000_000 + n:09d}"
    return first + snils_check_digits(first)


def _mine() -> Any:
    """The suite's own accounts: its clients, its person and its recipients."""
    from django.db.models import Q

    from uslugi.identity.models import Account

    return Account.objects.filter(Q(phone__startswith="+799910") | Q(phone__startswith="+79992"))


def _clear() -> None:
    """Remove what an earlier run left: the suite's accounts with their applications,
    drafts and notifications, its definitions, and the queue of background tasks (no
    worker runs on a benchmark database; suite_exchange empties it too)."""
    from django.db import connection, transaction
    from django_tasks_db.models import DBTaskResult

    from uslugi.applications.models import Application
    from uslugi.forms.models import DefinitionVersion, Draft, ServiceDefinition

    DBTaskResult.objects.all().delete()
    while ids := list(Application.objects.filter(account__in=_mine()).values_list("pk")[:2000]):
        Application.objects.filter(pk__in=[i for (i,) in ids]).delete()
    # Accounts in batches: each takes its drafts, sessions, notifications and profile along.
    while ids := list(_mine().values_list("pk")[:2000]):
        _mine().filter(pk__in=[i for (i,) in ids]).delete()
    definitions = ServiceDefinition.objects.filter(code__startswith="bench-permit-")
    versions = DefinitionVersion.objects.filter(definition__in=definitions)
    with transaction.atomic():
        Draft.objects.filter(version__in=versions).delete()
        # Raw: published versions refuse Model.delete() by design.
        versions._raw_delete(connection.alias)
        definitions._raw_delete(connection.alias)


def _publish(index: int) -> Any:
    from uslugi.forms.constants import VersionStatus
    from uslugi.forms.services import definition_store, version_transition

    document = json.loads(json.dumps(SERVICE))
    document["code"] = SERVICE_CODE.format(index)
    document["title"] = {
        "ru": f"Тестовое разрешение № {index}",
        "en": f"Test permit No. {index}",
    }
    version, _outcome = definition_store(document=document, source_file="bench")
    version = version_transition(version=version, target=VersionStatus.TESTING)
    version = version_transition(
        version=version,
        target=VersionStatus.APPROVED,
        protocol={"cases": ["bench: the test permit"], "approver": "bench"},
    )
    return version_transition(
        version=version, target=VersionStatus.PUBLISHED, change_number=f"bench-{index}"
    )


def _account(phone: str, email: str, n: int) -> Any:
    """A standard-level account with checked personal data, as after a SNILS check."""
    from uslugi.core import clock
    from uslugi.identity.constants import Citizenship, DocumentType, Gender, Level
    from uslugi.identity.models import Account, PersonalData

    account = Account(
        phone=phone, email=email, surname="Смирнова", first_name="Анна", level=Level.STANDARD
    )
    account.set_unusable_password()
    account.save()
    PersonalData.objects.create(
        account=account,
        birth_date=cast(Any, dt.date(1985, 3, 14)),
        gender=Gender.FEMALE,
        citizenship=Citizenship.RUS,
        snils=_snils(n),
        document_type=DocumentType.RU_PASSPORT,
        document_number=f"45{n % 100:02d}{100_000 + n:06d}",
        document_issued_on=cast(Any, dt.date(2008, 5, 20)),
        document_issuer="ОВД Тверского района",
        document_division_code="770-001",
        verified_at=clock.now(),
    )
    return account


def _session(account: Any) -> str:
    """A signed-in session of the account, as the sign-in page makes one."""
    from django.test import Client

    client = Client()
    client.force_login(account)
    return str(client.cookies["sessionid"].value)


def _applications(account: Any, versions: list[Any], count: int) -> str:
    """`count` applications of one person, spread over three years and every status, with
    numbers from the year's sequence; returns one of their numbers."""
    from uslugi.applications import numbers
    from uslugi.applications.constants import Status
    from uslugi.applications.models import Application, NumberSequence
    from uslugi.core import clock

    now = clock.now()
    statuses = list(Status)
    made: list[Application] = []
    # Numbers continue each year's sequence (a shared database may have given some).
    years: dict[int, int] = dict(NumberSequence.objects.values_list("year", "last"))
    for n in range(count):
        at = now - dt.timedelta(hours=26 * (count - n))
        years[at.year] = years.get(at.year, 0) + 1
        version = versions[n % len(versions)]
        made.append(
            Application(
                number=numbers.format_number(at.year, years[at.year]),
                account=account,
                version=version,
                service_code=version.definition.code,
                title=str(version.localized("ru")["title"]),
                status=statuses[n % len(statuses)],
                department_code="r77-zags",
                answers=cast(Any, dict(ANSWERS)),
                payload=cast(
                    Any, {"applicant": {"surname": ANSWERS["surname"]}, "address": ANSWERS["home"]}
                ),
                draft_id=uuid.uuid4(),
                idempotency_key=f"bench:{n}",
                submitted_at=at,
                status_changed_at=at,
            )
        )
    Application.objects.bulk_create(made, batch_size=500)
    for year, last in years.items():
        NumberSequence.objects.update_or_create(year=year, defaults={"last": last})
    return made[len(made) // 2].number


def role_setup(clients: int, services: int, people: int) -> dict[str, Any]:
    _django()
    from django.core.management import call_command

    call_command("migrate", "--no-input", verbosity=0)
    started = time.perf_counter()
    _clear()
    versions = [_publish(i) for i in range(services)]
    published = time.perf_counter()
    sessions = []
    for i in range(clients):
        account = _account(CLIENT_PHONE.format(i), f"client{i}@bench.uslugi.test", i)
        sessions.append(_session(account))
    person = _account(PERSON_PHONE, "person@bench.uslugi.test", 9999)
    number = _applications(person, versions, people)
    from uslugi.forms.models import Draft

    # Three drafts in progress too, as the dashboard lists them above the applications.
    Draft.objects.bulk_create(
        Draft(
            account=person, version=v, data=cast(Any, {"surname": "Смирнова"}), current_step="about"
        )
        for v in versions[:3]
    )
    return {
        "sessions": sessions,
        "codes": [v.definition.code for v in versions],
        "person_session": _session(person),
        "person_number": number,
        "publish_s": published - started,
        "setup_s": time.perf_counter() - started,
    }


def role_drafts(per_client: int, *, quiet: bool = False) -> dict[str, Any]:
    """Filled-in drafts, made directly (no prefill, no audit entry: none are measured)."""
    if not quiet:
        _django()
    from uslugi.forms.models import DefinitionVersion, Draft
    from uslugi.identity.models import Account

    versions = list(
        DefinitionVersion.objects.select_related("definition")
        .filter(definition__code__startswith="bench-permit-", status="published")
        .order_by("definition__code")[:per_client]
    )
    if len(versions) < per_client:
        raise RuntimeError(f"{per_client} drafts per client asked, {len(versions)} services")
    accounts = list(Account.objects.filter(phone__startswith=CLIENT_PHONE[:8]).order_by("phone"))
    # What the last round left unsubmitted (one draft per person and version).
    Draft.objects.filter(account__in=accounts).delete()
    out: list[list[list[str]]] = []
    for account in accounts:
        drafts = [
            Draft(account=account, version=v, data=cast(Any, dict(ANSWERS)), current_step="about")
            for v in versions
        ]
        Draft.objects.bulk_create(drafts)
        out.append([[v.definition.code, str(d.pk)] for v, d in zip(versions, drafts, strict=True)])
    return {"drafts": out}


def role_verify(path: str) -> dict[str, Any]:
    _django()
    from uslugi.applications.models import Application
    from uslugi.forms.models import Draft

    submitted = json.loads(Path(path).read_text())
    found = 0
    for start in range(0, len(submitted), 1000):
        chunk = submitted[start : start + 1000]
        found += Application.objects.filter(draft_id__in=chunk).count()
    left = sum(
        Draft.objects.filter(pk__in=submitted[s : s + 1000]).count()
        for s in range(0, len(submitted), 1000)
    )
    return {
        "submitted": len(submitted),
        "applications": found,
        "drafts_left": left,
        "total": Application.objects.count(),
    }


def role_inprocess(calls: int, number: str) -> dict[str, Any]:
    """Wall and CPU time of one request at a time through Django's test client (the same
    handler and middleware as under granian, no server, no socket): the dashboard's pages
    for the person with the applications, and submissions by one client. CPU time barely
    moves when other programs load the machine."""
    _django()
    from django.db import close_old_connections
    from django.test import Client

    from uslugi.identity.models import Account

    # The host the portal allows (the benchmark's ALLOWED_HOSTS).
    person = Client(HTTP_HOST="127.0.0.1")
    client = Client(enforce_csrf_checks=True, HTTP_HOST="127.0.0.1")
    person.force_login(Account.objects.get(phone=PERSON_PHONE))
    submitter = Account.objects.get(phone=CLIENT_PHONE.format(0))
    client.force_login(submitter)
    client.cookies["csrftoken"] = CSRF_SECRET
    form = "application/x-www-form-urlencoded"

    def timed(call: Any, expected: int) -> tuple[float, float]:
        started, cpu = time.perf_counter(), time.process_time()
        close_old_connections()
        response = call()
        close_old_connections()
        wall, used = time.perf_counter() - started, time.process_time() - cpu
        if response.status_code != expected:
            raise RuntimeError(f"answered {response.status_code}, not {expected}")
        return wall * 1000, used * 1000

    pages = {
        "hello, signed in": "/bench/hello",
        "dashboard": "/applications/",
        "dashboard, last page": "/applications/?page=50",
        "dashboard, search by number": f"/applications/?q={number}",
        "API list": "/api/v1/me/applications",
        "API list, last page": "/api/v1/me/applications?page=50",
    }
    out: dict[str, dict[str, list[float]]] = {}
    for name, path in pages.items():
        for _ in range(max(calls // 10, 3)):  # warm: templates, translations, queries
            timed(lambda path=path: person.get(path), 200)
        times = [timed(lambda path=path: person.get(path), 200) for _ in range(calls)]
        out[name] = {"wall_ms": [w for w, _ in times], "cpu_ms": [c for _, c in times]}
    drafts = role_drafts(min(calls, 150), quiet=True)["drafts"][0]
    body = {
        "form submit": lambda code, draft: client.post(
            f"/applications/submit/{code}",
            f"draft={draft}&idempotency_key={uuid.uuid4().hex}",
            content_type=form,
            headers={"X-CSRFToken": CSRF_SECRET},
        ),
        "API submit": lambda code, draft: client.post(
            "/api/v1/me/applications",
            {"draft": draft},
            content_type="application/json",
            headers={"X-CSRFToken": CSRF_SECRET, "Idempotency-Key": uuid.uuid4().hex},
        ),
    }
    half = len(drafts) // 2
    for (name, send), mine, expected in zip(
        body.items(), (drafts[:half], drafts[half:]), (302, 201), strict=True
    ):
        times = [
            timed(lambda code=code, draft=draft, send=send: send(code, draft), expected)
            for code, draft in mine
        ]
        out[name] = {"wall_ms": [w for w, _ in times], "cpu_ms": [c for _, c in times]}
    return {"cases": out}


def role_notify(count: int, batch: str) -> dict[str, Any]:
    """`count` new recipients, each notified once as a submission would notify them."""
    _django()
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    from uslugi.identity.constants import Level
    from uslugi.identity.models import Account
    from uslugi.notifications.services import notify

    # Only this batch's delivery tasks in the queue: the submissions measured before
    # queued theirs, and no worker ran them.
    DBTaskResult.objects.all().delete()
    start = RECIPIENT_BASE + int(batch) * count
    people = [
        Account(
            phone=RECIPIENT_PHONE.format(start + n),
            email=f"person{start + n}@bench.uslugi.test",
            surname="Смирнова",
            first_name="Анна",
            level=Level.STANDARD,
        )
        for n in range(count)
    ]
    for person in people:
        person.set_unusable_password()
    Account.objects.bulk_create(people, batch_size=1000)
    people = list(Account.objects.filter(phone__in=[p.phone for p in people]))
    started = time.perf_counter()
    for n, person in enumerate(people):
        with transaction.atomic():
            notify(
                event=NOTIFY_EVENT,
                recipient=person,
                event_id=f"bench:{batch}:{n}",
                context={
                    "number": f"2026-{start + n:08d}-0",
                    "service": "Тестовое разрешение",
                    "status": "Принято",
                    "comment": "",
                },
                link=f"/applications/{uuid.uuid4()}/",
            )
    return {"count": len(people), "notify_s": time.perf_counter() - started}


def role_notified(batch: str) -> dict[str, Any]:
    _django()
    from django.db.models import Count, Max, Min
    from django_tasks_db.models import DBTaskResult

    from uslugi.notifications.models import DeliveryAttempt, Notification

    emails = Notification.objects.filter(channel="email", event_id__startswith=f"bench:{batch}:")
    by_status = dict(emails.values_list("status").annotate(n=Count("pk")))
    attempts = emails.aggregate(lo=Min("attempts"), hi=Max("attempts"))
    spans = [
        (finished - started).total_seconds() * 1000
        for started, finished in DeliveryAttempt.objects.filter(
            notification__in=emails
        ).values_list("started_at", "finished_at")
    ]
    return {
        "send_ms": sorted(spans),
        "statuses": by_status,
        "attempts_min": attempts["lo"],
        "attempts_max": attempts["hi"],
        "attempt_rows": DeliveryAttempt.objects.filter(notification__in=emails).count(),
        "inbox": Notification.objects.filter(
            channel="inbox", event_id__startswith=f"bench:{batch}:"
        ).count(),
        "tasks_waiting": DBTaskResult.objects.filter(status="READY").count(),
    }


def role_smtp_raw(
    go: str, *, host: str, port: int, share: int, of: int, batch: str
) -> dict[str, Any]:
    """The baseline: the same emails (texts, sender, addresses) sent with smtplib, one
    connection per message as Django's SMTP backend opens one per `send()`."""
    _django()
    import smtplib
    from email.message import EmailMessage

    from django.conf import settings

    from uslugi.notifications.models import Notification

    rows = (
        Notification.objects.filter(channel="email", event_id__startswith=f"bench:{batch}:")
        .select_related("recipient")
        .order_by("pk")
    )
    mine = [r for n, r in enumerate(rows) if n % of == share]
    texts = [(r.recipient.email, str(r.subject), str(r.body)) for r in mine]
    sender = settings.DEFAULT_FROM_EMAIL
    Path(f"{go}.ready.{os.getpid()}").touch()
    while not Path(go).exists():
        time.sleep(0.005)
    started = time.time()
    send_ms: list[float] = []
    for to, subject, body in texts:
        began = time.perf_counter()
        message = EmailMessage()
        message["Subject"] = subject
        message["From"] = sender
        message["To"] = to
        message.set_content(body)
        with smtplib.SMTP(host, port, timeout=30) as smtp:
            smtp.send_message(message)
        send_ms.append((time.perf_counter() - began) * 1000)
    return {"sent": len(texts), "start": started, "end": time.time(), "send_ms": send_ms}


def main(argv: list[str]) -> int:
    role, *args = argv
    result: dict[str, Any]
    if role == "setup":
        result = role_setup(int(args[0]), int(args[1]), int(args[2]))
    elif role == "drafts":
        result = role_drafts(int(args[0]))
    elif role == "verify":
        result = role_verify(args[0])
    elif role == "inprocess":
        result = role_inprocess(int(args[0]), args[1])
    elif role == "notify":
        result = role_notify(int(args[0]), args[1])
    elif role == "notified":
        result = role_notified(args[0])
    elif role == "smtp-raw":
        result = role_smtp_raw(
            args[0], host=args[1], port=int(args[2]), share=int(args[3]), of=int(args[4]),
            batch=args[5],
        )  # fmt: skip
    else:
        raise SystemExit(f"unknown role {role}")
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
