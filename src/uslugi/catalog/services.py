"""Commands of the catalogue: importing the register, recording passport changes with
their history, moderation (publish, withdraw) and department roles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import structlog
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest

from uslugi.catalog import errors, register, selectors
from uslugi.catalog.constants import EditorRole, Status
from uslugi.catalog.models import (
    Department,
    DepartmentEditor,
    LifeSituation,
    LifeSituationStep,
    Service,
    ServiceVersion,
)
from uslugi.catalog.search import indexing
from uslugi.core import clock
from uslugi.core.audit import audit_record

log = structlog.get_logger(__name__)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _record_version(
    *, service: Service, action: str, actor: Any, before: dict[str, Any] | None
) -> ServiceVersion | None:
    """Store the passport's new state and what changed; None when nothing did."""
    after = register.snapshot(register.services_for_snapshot([service.id])[0])
    changes = register.diff(before, after)
    if not changes:
        return None
    service.version += 1
    Service.objects.filter(id=service.id).update(version=service.version)
    selectors.forget_service_page(service.code)
    author = actor if getattr(actor, "is_authenticated", False) else None
    return ServiceVersion.objects.create(
        service=service,
        number=service.version,
        status=service.status,
        action=action,
        snapshot=after,
        changes=changes,
        author=author,
    )


def _last_snapshot(service: Service) -> dict[str, Any] | None:
    version = service.versions.order_by("-number").first()
    return version.snapshot if version else None


def register_import(
    *,
    records: Any,
    actor: Any = None,
    action: str = "import",
    request: HttpRequest | None = None,
    audit: bool = True,
) -> ImportReport:
    """Create or update services from register records, all or nothing: any problem in
    any record raises RegisterFileInvalid naming each record and field, and nothing
    changes. Every changed passport gets a version in its history. `audit=False` only
    for seeding reference and demo data (no person's action to record)."""
    refs = register.References.load()
    valid, problems = register.validate(records, refs)
    if problems:
        raise errors.RegisterFileInvalid(problems)
    report = ImportReport()
    with transaction.atomic():
        existing = {s.code: s for s in Service.objects.filter(code__in=[r.code for r in valid])}
        for record in valid:
            service = existing.get(record.code)
            before = _last_snapshot(service) if service else None
            if service is not None and before is None:
                before = register.snapshot(register.services_for_snapshot([service.id])[0])
            if record.fields.get("status") == Status.PUBLISHED and (
                service is None or service.published_at is None
            ):
                record.fields["published_at"] = clock.now()
            service = register.write_record(record, service)
            version = _record_version(service=service, action=action, actor=actor, before=before)
            if version is None:
                report.unchanged += 1
                continue
            if version.number == 1:
                report.created += 1
            else:
                report.updated += 1
            indexing.index_service(service.id)
        if audit:
            audit_record(
                action="catalog.register_imported",
                actor=actor,
                object_type="catalog.register",
                object_id="register",
                details={
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                },
                request=request,
            )
    log.info("catalog.register_imported", **report.__dict__)
    return report


def register_export(*, include_generated: bool = True) -> dict[str, Any]:
    """The whole register in the exchange format."""
    services = register.services_for_snapshot(
        None if include_generated else Service.objects.filter(is_generated=False).values("id")
    )
    return {
        "format": register.FORMAT,
        "version": register.FORMAT_VERSION,
        "services": [register.snapshot(s) for s in services],
    }


@transaction.atomic
def life_situations_load(*, data: list[dict[str, Any]]) -> int:
    """Create or update the life situations and their steps (services by code)."""
    codes = dict(Service.objects.values_list("code", "id"))
    for order, item in enumerate(data, 1):
        situation, _ = LifeSituation.objects.update_or_create(
            slug=item["slug"],
            defaults={
                "order": order,
                "title_ru": item["title"]["ru"],
                "title_en": item["title"].get("en", ""),
                "description_ru": item.get("description", {}).get("ru", ""),
                "description_en": item.get("description", {}).get("en", ""),
            },
        )
        situation.steps.all().delete()
        LifeSituationStep.objects.bulk_create(
            [
                LifeSituationStep(situation=situation, service_id=codes[code], order=i)
                for i, code in enumerate(item["steps"])
                if code in codes
            ]
        )
    return len(data)


# --- Editing and moderation ------------------------------------------------------------------


def service_record_change(
    *, service: Service, actor: Any, action: str = "edit", request: HttpRequest | None = None
) -> ServiceVersion | None:
    """After an editor saved a passport: check the role, store the version with its
    diff, audit it and re-index the service."""
    if not selectors.can_edit_service(actor, service):
        raise errors.NotDepartmentEditor()
    with transaction.atomic():
        version = _record_version(
            service=service, action=action, actor=actor, before=_last_snapshot(service)
        )
        if version is not None:
            audit_record(
                action="catalog.service_changed",
                actor=actor,
                obj=service,
                details={"code": service.code, "version": version.number,
                         "fields": [c["field"] for c in version.changes]},
                request=request,
            )  # fmt: skip
        indexing.index_service(service.id)
    return version


def _set_status(
    *, service: Service, actor: Any, status: str, action: str, request: HttpRequest | None
) -> Service:
    if not selectors.can_publish_service(actor, service):
        raise errors.NotPublisher()
    with transaction.atomic():
        service = Service.objects.select_for_update().get(id=service.id)
        if service.status == status:
            return service
        before = _last_snapshot(service)
        service.status = status
        if status == Status.PUBLISHED:
            service.published_at = clock.now()
        service.save(update_fields=["status", "published_at"])
        version = _record_version(service=service, action=action, actor=actor, before=before)
        indexing.index_service(service.id)
        selectors.forget_service_page(service.code)
        audit_record(
            action=f"catalog.service_{action}",
            actor=actor,
            obj=service,
            details={"code": service.code, "version": version.number if version else None},
            request=request,
        )
    return service


def service_publish(*, service: Service, actor: Any, request: HttpRequest | None = None) -> Service:
    """Make a passport public (a publisher of its department only)."""
    return _set_status(
        service=service, actor=actor, status=Status.PUBLISHED, action="published", request=request
    )


def service_withdraw(
    *, service: Service, actor: Any, request: HttpRequest | None = None
) -> Service:
    """Take a passport off the public catalogue (a publisher of its department only)."""
    return _set_status(
        service=service, actor=actor, status=Status.WITHDRAWN, action="withdrawn", request=request
    )


def department_editor_grant(
    *,
    account: Any,
    department: Department,
    role: str = EditorRole.EDITOR,
    actor: Any = None,
    request: HttpRequest | None = None,
) -> DepartmentEditor:
    """Give an account a role in one department's part of the register (and the staff
    flag the editors' interface needs)."""
    with transaction.atomic():
        grant, _ = DepartmentEditor.objects.update_or_create(
            account=account, department=department, defaults={"role": EditorRole(role)}
        )
        if not account.is_staff:
            get_user_model().objects.filter(pk=account.pk).update(is_staff=True)
            account.is_staff = True
        audit_record(
            action="catalog.editor_granted",
            actor=actor,
            obj=grant,
            details={"department": department.code, "role": str(role)},
            request=request,
        )
    return grant


def department_editor_revoke(
    *, account: Any, department: Department, actor: Any = None, request: HttpRequest | None = None
) -> None:
    with transaction.atomic():
        deleted, _ = DepartmentEditor.objects.filter(
            account=account, department=department
        ).delete()
        if deleted:
            audit_record(
                action="catalog.editor_revoked",
                actor=actor,
                object_type="catalog.departmenteditor",
                object_id=f"{account.pk}:{department.code}",
                details={"department": department.code},
                request=request,
            )
