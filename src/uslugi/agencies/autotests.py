"""Monitoring autotests (seed 004): per published application service, a short and a
full scenario run on a schedule and on demand (`uslugi autotest run [--full] [SERVICE]`).

A run fills the service's form with the definition's own examples (dates moved into
their allowed ranges, required files as small generated documents), submits it as a
**test** application of a dedicated monitoring account, and expects within a time limit:

- short: the application delivered to the agency (`AUTOTEST_SHORT_MINUTES`);
- full: the agency's answer, a final status (`AUTOTEST_FULL_MINUTES`) — the agency's
  test system or test staff process monitoring applications like real ones.

`autotests_check()` (periodic) closes runs whose expectation is met or whose deadline
passed. Test applications never reach real queues, lists or statistics.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from uslugi.agencies.models import AutotestRun
from uslugi.applications import services as applications
from uslugi.applications.constants import FINAL, Status
from uslugi.applications.models import Application
from uslugi.core import clock
from uslugi.core.audit import audit_record
from uslugi.core.errors import DomainError
from uslugi.forms import engine
from uslugi.forms.constants import NON_INPUT_TYPES, VersionStatus
from uslugi.forms.models import DefinitionVersion, Draft
from uslugi.forms.services import upload_store
from uslugi.identity.constants import Level

MONITOR_EMAIL = "autotest@uslugi.local"
MONITOR_PHONE = "+79990000000"
SHORT_EXPECTS = {Status.DELIVERED, Status.ACCEPTED, Status.IN_PROGRESS} | set(FINAL)
_PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7"
    b"\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)
_PDF = b"%PDF-1.7\n1 0 obj << /Title (autotest) >> endobj\ntrailer <<>>\n%%EOF\n"


def monitor_account() -> Any:
    """The monitoring account (standard level; its applications are all test ones)."""
    from uslugi.identity.models import Account

    account = Account.objects.filter(email=MONITOR_EMAIL).first()
    if account is None:
        account = Account(
            email=MONITOR_EMAIL,
            phone=MONITOR_PHONE,
            surname="Автотест",
            first_name="Мониторинг",
            level=Level.STANDARD,
        )
        account.set_unusable_password()
        account.save()
    return account


def _clamp_date(field: dict[str, Any], value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return value
    if "min_date" in field:
        day = max(day, engine.relative_date(field["min_date"]) + dt.timedelta(days=1))
    if "max_date" in field:
        day = min(day, engine.relative_date(field["max_date"]) - dt.timedelta(days=1))
    return day.isoformat()


def _example(field: dict[str, Any]) -> Any:
    value = field.get("example")
    if field["type"] == "date":
        return _clamp_date(field, value)
    if field["type"] == "group" and isinstance(value, list):
        rows = []
        for row in value:
            subs = {f["name"]: f for f in field["fields"]}
            rows.append(
                {k: (_clamp_date(subs[k], v) if k in subs and subs[k]["type"] == "date" else v)
                 for k, v in row.items()}
            )  # fmt: skip
        return rows
    if field["type"] == "group" and value is None:
        row = {f["name"]: _example(f) for f in field["fields"] if "example" in f}
        return [row] if row else None
    return value


def example_answers(document: dict[str, Any]) -> dict[str, Any]:
    """Answers built from the definition's examples (files excepted), visible ones only."""
    answers: dict[str, Any] = {}
    for step in document["steps"]:
        for field in step["fields"]:
            if field["type"] in NON_INPUT_TYPES or field["type"] == "file":
                continue
            value = _example(field)
            if value is not None:
                answers[field["name"]] = value
    # Drop answers of fields hidden by the others (a second pass settles the conditions).
    for step in document["steps"]:
        if not engine.step_visible(step, answers):
            for field in step["fields"]:
                answers.pop(field["name"], None)
            continue
        for field in step["fields"]:
            if not engine.truthy(field.get("visible_if"), answers):
                answers.pop(field["name"], None)
    return answers


def _attach_files(draft: Draft, document: dict[str, Any]) -> None:
    """Required (or conditionally required) file fields get a small generated file."""
    data = dict(draft.data)
    for step in engine.visible_steps(document, data):
        for field in step["fields"]:
            if field["type"] != "file" or not engine.truthy(field.get("visible_if"), data):
                continue
            needed = field.get("required") or (
                "required_if" in field and engine.truthy(field["required_if"], data)
            )
            if not needed:
                continue
            pdf = "application/pdf" in field["accept"]
            upload = SimpleUploadedFile(
                "autotest.pdf" if pdf else "autotest.png",
                _PDF if pdf else _PNG,
                "application/pdf" if pdf else "image/png",
            )
            stored = upload_store(
                draft=draft,
                field=field["name"],
                upload=upload,
                content_type="application/pdf" if pdf else "image/png",
            )
            data[field["name"]] = [stored.descriptor()]
    draft.data = data
    draft.save(update_fields=["data"])


def published_services() -> list[str]:
    """Codes of the application services with a published version."""
    return sorted(
        set(
            DefinitionVersion.objects.filter(
                status=VersionStatus.PUBLISHED, definition__kind="application"
            ).values_list("definition__code", flat=True)
        )
    )


def run(service_code: str, *, full: bool = False) -> AutotestRun:
    """Start one run: submit a marked test application; its result comes later."""
    now = clock.now()
    minutes = settings.AUTOTEST_FULL_MINUTES if full else settings.AUTOTEST_SHORT_MINUTES
    expected = "final" if full else Status.DELIVERED
    record = AutotestRun(
        service_code=service_code,
        full=full,
        expected=expected,
        deadline=now + dt.timedelta(minutes=minutes),
    )
    version = (
        DefinitionVersion.objects.filter(
            definition__code=service_code, status=VersionStatus.PUBLISHED
        )
        .order_by("-number")
        .first()
    )
    if version is None:
        return _finish(record, "failed", f"no published version of {service_code!r}")
    document = version.localized("ru")
    account = monitor_account()
    answers = example_answers(document)
    with transaction.atomic():
        Draft.objects.filter(account=account, version=version).delete()
        draft = Draft.objects.create(
            account=account,
            version=version,
            data=cast(Any, answers),
            current_step=document["steps"][0]["id"],
            is_test=True,  # monitoring applications are test ones, always
        )
        _attach_files(draft, document)
    try:
        submitted = applications.application_submit(
            account=account, draft=draft, idempotency_key=f"autotest:{record.pk}"
        )
    except DomainError as exc:
        problems = engine.validate_answers(document, dict(draft.data))
        detail = "; ".join(f"{s}/{k}: {m}" for s, k, m in problems[:5]) or exc.text
        Draft.objects.filter(pk=draft.pk).delete()
        return _finish(record, "failed", f"the form was refused: {detail}")
    record.application = submitted.application
    record.save()
    applications.deliver(submitted.application.pk)
    audit_record(
        action="agencies.autotest_started",
        obj=record,
        details={"service": service_code, "full": full, "number": submitted.application.number},
    )
    return check(record)


def _finish(record: AutotestRun, status: str, detail: str = "") -> AutotestRun:
    record.status = status
    record.detail = detail[:2000]
    record.finished_at = clock.now()
    record.save()
    return record


def check(record: AutotestRun) -> AutotestRun:
    """Close a running run whose expectation is met, or whose deadline has passed."""
    if record.status != "running":
        return record
    application = (
        Application.objects.filter(pk=record.application_id).only("status").first()
        if record.application_id
        else None
    )
    status = application.status if application else ""
    record.reached = status
    met = status in FINAL if record.full else status in SHORT_EXPECTS
    if met and status != Status.CANCELLED:
        return _finish(record, "passed")
    if clock.now() >= record.deadline:
        return _finish(
            record, "failed", f"expected {record.expected} by {record.deadline:%Y-%m-%d %H:%M}"
        )
    record.save(update_fields=["reached"])
    return record


def autotests_check() -> int:
    """Close every running run that can be closed (periodic); how many closed."""
    closed = 0
    for record in AutotestRun.objects.filter(status="running")[:500]:
        if check(record).status != "running":
            closed += 1
    return closed


def autotests_schedule() -> int:
    """Start the scheduled runs (periodic): a short run per service when its last run is
    older than `AUTOTEST_SHORT_EVERY_MINUTES`, a full one per `AUTOTEST_FULL_EVERY_MINUTES`."""
    started = 0
    now = clock.now()
    for code in published_services():
        for full, every in (
            (False, settings.AUTOTEST_SHORT_EVERY_MINUTES),
            (True, settings.AUTOTEST_FULL_EVERY_MINUTES),
        ):
            if every <= 0:
                continue
            last = (
                AutotestRun.objects.filter(service_code=code, full=full)
                .order_by("-created_at")
                .first()
            )
            if last is None or now - last.created_at >= dt.timedelta(minutes=every):
                run(code, full=full)
                started += 1
    return started
