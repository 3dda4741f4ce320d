"""Commands: load definitions from files, move versions through their lifecycle."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from uslugi.core import clock
from uslugi.core.audit import audit_record
from uslugi.core.crypto import keyring
from uslugi.core.errors import DomainError
from uslugi.exchange import conf as exchange_conf
from uslugi.exchange.interfaces import ExchangeResult
from uslugi.exchange.services import exchange_call
from uslugi.forms import engine, files
from uslugi.forms.constants import TRANSITIONS, VersionStatus
from uslugi.forms.definitions import Problem, check_all, lint_document
from uslugi.forms.errors import (
    DefinitionRejected,
    InvalidUpload,
    TransitionNotAllowed,
    VersionImmutable,
)
from uslugi.forms.logic import evaluate
from uslugi.forms.models import (
    DefinitionVersion,
    Draft,
    InformationAnswer,
    ServiceDefinition,
    Upload,
)
from uslugi.forms.prefill import prefill, profile_values


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "problems": [str(p) for p in self.problems],
        }


def document_digest(document: dict[str, Any]) -> str:
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def definition_store(
    *, document: dict[str, Any], source_file: str = "", actor: Any = None, linted: bool = False
) -> tuple[DefinitionVersion, str]:
    """Store a linted document: a new draft version, or the open draft updated.

    Returns the version and what happened: "created", "updated" or "unchanged". A
    published, approved or testing version is never edited: a changed file becomes a
    new draft version beside it.
    """
    # `linted`: the caller has just linted this very document (uslugi forms load).
    problems = [] if linted else lint_document(document, file=source_file or "<document>")
    if problems:
        raise DefinitionRejected(str(problems[0]))
    digest = document_digest(document)
    with transaction.atomic():
        definition, _created = ServiceDefinition.objects.select_for_update().get_or_create(
            code=document["code"],
            variant=document["variant"],
            defaults={"kind": document["kind"], "title": document["title"]},
        )
        if (definition.kind, definition.title) != (document["kind"], document["title"]):
            definition.kind, definition.title = document["kind"], document["title"]
            definition.save(update_fields=["kind", "title"])
        latest = definition.versions.order_by("-number").first()
        if latest is not None and latest.digest == digest:
            return latest, "unchanged"
        if latest is not None and latest.status == VersionStatus.DRAFT:
            latest.document, latest.digest, latest.source_file = document, digest, source_file
            latest.save(update_fields=["document", "digest", "source_file"])
            outcome, version = "updated", latest
        else:
            version = DefinitionVersion.objects.create(
                definition=definition,
                number=(latest.number + 1) if latest is not None else 1,
                document=document,
                digest=digest,
                source_file=source_file,
            )
            outcome = "created"
        audit_record(
            action=f"forms.version_{outcome}",
            actor=actor,
            obj=version,
            details={"definition": str(definition), "number": version.number, "digest": digest},
        )
    return version, outcome


def definitions_load(
    *, root: Path | None = None, actor: Any = None, publish: bool = False
) -> LoadReport:
    """Store every valid definition under `root`; broken files are reported, not stored.

    `publish` (development and demo sites only) takes each new version straight through
    testing and approval to publication, with a protocol saying so.
    """
    good, problems = check_all(root)
    report = LoadReport(problems=problems)
    for loaded in good:
        version, outcome = definition_store(
            document=loaded.document, source_file=loaded.file, actor=actor, linted=True
        )
        if publish and version.status == VersionStatus.DRAFT:
            version = version_transition(version=version, target=VersionStatus.TESTING, actor=actor)
            version = version_transition(
                version=version,
                target=VersionStatus.APPROVED,
                actor=actor,
                protocol={"cases": ["loaded with --publish"], "approver": "uslugi forms load"},
            )
            version = version_transition(
                version=version,
                target=VersionStatus.PUBLISHED,
                actor=actor,
                change_number=f"file-{version.digest[:12]}",
            )
        label = f"{version.definition}@{version.number}"
        getattr(report, outcome).append(label)
    return report


def version_transition(
    *,
    version: DefinitionVersion,
    target: str,
    actor: Any = None,
    protocol: dict[str, Any] | None = None,
    change_number: str = "",
    effective_from: dt.datetime | None = None,
) -> DefinitionVersion:
    """Move a version along its lifecycle: draft → testing → approved → published → retired.

    Approval records the test protocol (cases run, results, approver); publication the
    change number and effective date, and retires the version it replaces.
    """
    with transaction.atomic():
        version = DefinitionVersion.objects.select_for_update().get(pk=version.pk)
        source = version.status
        if target not in TRANSITIONS[source]:
            if source in {VersionStatus.PUBLISHED, VersionStatus.RETIRED}:
                raise VersionImmutable()
            raise TransitionNotAllowed(
                params={
                    "source": VersionStatus(source).label,
                    "target": VersionStatus(target).label,
                }
            )
        now = clock.now()
        details: dict[str, Any] = {"from": source, "to": target, "number": version.number}
        if target == VersionStatus.APPROVED:
            if not protocol or not protocol.get("approver") or not protocol.get("cases"):
                raise TransitionNotAllowed(
                    _("Approval needs a test protocol with the cases run and the approver.")
                )
            version.test_protocol = {**protocol, "approved_at": now.isoformat()}
            details["protocol_cases"] = len(protocol["cases"])
        if target == VersionStatus.PUBLISHED:
            if not change_number:
                raise TransitionNotAllowed(_("Publication needs a change number."))
            version.change_number = change_number
            version.published_at = now
            version.effective_from = effective_from or now
            details["change_number"] = change_number
            for previous in DefinitionVersion.objects.select_for_update().filter(
                definition_id=version.definition_id, status=VersionStatus.PUBLISHED
            ):
                previous.status, previous.retired_at = VersionStatus.RETIRED, now
                previous.save(update_fields=["status", "retired_at"])
                audit_record(
                    action="forms.version_retired",
                    actor=actor,
                    obj=previous,
                    details={"number": previous.number, "replaced_by": version.number},
                )
        if target == VersionStatus.RETIRED:
            version.retired_at = now
        version.status = target
        version.save()
        audit_record(action=f"forms.version_{target}", actor=actor, obj=version, details=details)
    return version


def prefill_sources_fetch(document: dict[str, Any], account: Any) -> dict[str, Any]:
    """Run the definition's exchange prefill requests: {source: answer, or None}.

    A source that cannot be asked (the profile lacks a value) or does not answer (the
    registry is down, not found, refused) gives None: its fields stay empty and
    editable, and the person types the values; nothing stops the form.
    """
    sources = document.get("prefill_sources") or {}
    if not sources:
        return {}
    context = {"profile": profile_values(account)}
    found: dict[str, Any] = {}
    for name, spec in sources.items():
        payload = {
            key: value
            for key, rule in spec["request"].items()
            if (value := evaluate(rule, context)) not in (None, "")
        }
        try:
            result = exchange_call(
                sender=exchange_conf.portal_system(),
                type_key=spec["type"],
                payload=payload,
                correlation_id=str(account.pk),
            )
        except DomainError:  # refused by the bus: no grant, or the profile lacks data
            found[name] = None
            continue
        found[name] = result.response if result.status == "ok" else None
    return found


def draft_start(*, account: Any, version: DefinitionVersion) -> Draft:
    """The person's draft of this version, created (and prefilled) if there is none."""
    existing = Draft.objects.filter(account=account, version=version).first()
    if existing is not None:
        return existing
    # Exchange requests run outside the transaction: a slow registry holds no lock.
    sources = prefill_sources_fetch(version.document, account)
    with transaction.atomic():
        draft = Draft.objects.select_for_update().filter(account=account, version=version).first()
        if draft is not None:
            return draft
        answers, locked = prefill(version.document, account, sources)
        draft = Draft.objects.create(
            account=account,
            version=version,
            data=cast(Any, answers),
            locked=cast(Any, locked),
            sources=cast(Any, sources),
            current_step=version.document["steps"][0]["id"],
            is_test=version.status == VersionStatus.TESTING,
        )
        audit_record(
            action="forms.draft_started",
            actor=account,
            obj=draft,
            details={
                "version": version.number,
                "sources": {k: v is not None for k, v in sources.items()},
            },
        )
    return draft


def _keep(
    *, account: Any, draft: Draft | None, field: str, upload: UploadedFile, content_type: str
) -> Upload:
    """Store an accepted file, encrypted at rest, and its row."""
    data = files.read_all(upload)
    stored = Upload(
        account=account,
        draft=draft,
        field=field,
        name=(upload.name or "file")[-200:],
        content_type=content_type,
        size=len(data),
        sha256=files.digest(data),
    )
    token = keyring().encrypt(data, _upload_aad(stored))
    stored.file.save(str(stored.pk), ContentFile(token.encode("ascii")), save=False)
    stored.save()
    return stored


def upload_store(*, draft: Draft, field: str, upload: UploadedFile, content_type: str) -> Upload:
    """Keep an accepted file for a draft's answer, encrypted at rest."""
    return _keep(
        account=draft.account, draft=draft, field=field, upload=upload, content_type=content_type
    )


def _upload_aad(upload: Upload) -> bytes:
    return f"forms.upload:{upload.pk}".encode()


def upload_read(upload: Upload) -> bytes:
    """The plain content of a stored file (decrypted; altered content fails)."""
    with upload.file.open("rb") as handle:
        token = handle.read().decode("ascii")
    return keyring().decrypt(token, _upload_aad(upload))


def draft_save_step(
    *,
    draft: Draft,
    answers: dict[str, Any],
    next_step: str,
    new_files: dict[str, list[tuple[UploadedFile, str]]] | None = None,
) -> Draft:
    """Merge a validated step's answers (and its accepted files) into the draft."""
    with transaction.atomic():
        draft = Draft.objects.select_for_update().get(pk=draft.pk)
        data = {**draft.data, **answers}
        for name, uploads in (new_files or {}).items():
            kept = list(data.get(name) or [])
            for upload, content_type in uploads:
                stored = upload_store(
                    draft=draft, field=name, upload=upload, content_type=content_type
                )
                kept.append(stored.descriptor())
            data[name] = kept or None
        draft.data = {k: v for k, v in data.items() if v is not None}
        draft.current_step = next_step
        draft.last_activity = clock.now()
        draft.reminded_at = None
        draft.save(update_fields=["data", "current_step", "last_activity", "reminded_at"])
    return draft


def draft_remove_file(*, draft: Draft, field: str, upload_id: str) -> Draft:
    """Take a file off a draft's answer (and delete it)."""
    with transaction.atomic():
        draft = Draft.objects.select_for_update().get(pk=draft.pk)
        kept = [d for d in draft.data.get(field) or [] if d.get("id") != upload_id]
        data = dict(draft.data)
        if kept:
            data[field] = kept
        else:
            data.pop(field, None)
        draft.data = data
        draft.last_activity = clock.now()
        draft.save(update_fields=["data", "last_activity"])
        for upload in Upload.objects.filter(draft=draft, pk=upload_id, field=field):
            upload.file.delete(save=False)
            upload.delete()
    return draft


@dataclass
class Migration:
    """The outcome of moving a draft to a newer version: what must be entered again."""

    draft: Draft
    reenter: list[tuple[str, str, str]]


def draft_migrate(*, draft: Draft, version: DefinitionVersion) -> Migration:
    """Move a draft to a newer version of its definition.

    Answers to fields the new version still has are kept; the answers are re-validated
    by the new version's forms; the answers of the controls with problems are dropped
    and reported, so the person is told exactly what to re-enter. The person's draft of
    the old version is gone afterwards (one draft per person and definition).
    """
    if (
        version.definition_id != draft.version.definition_id
        or version.number <= draft.version.number
    ):
        raise TransitionNotAllowed(_("A draft moves only to a newer version of its form."))
    document = version.document
    names = {f["name"] for step in document["steps"] for f in step["fields"]}
    data = {k: v for k, v in draft.data.items() if k in names}
    locked = {k: v for k, v in draft.locked.items() if k in names}
    problems = engine.validate_answers(document, data, locked=locked, sources=draft.sources)
    for _step, key, _message in problems:
        data.pop(key.split("__")[0], None)
    first_problem = problems[0][0] if problems else ""
    with transaction.atomic():
        Draft.objects.filter(account=draft.account, version=version).delete()
        moved = Draft.objects.create(
            account=draft.account,
            version=version,
            data=cast(Any, data),
            locked=cast(Any, locked),
            sources=cast(Any, draft.sources),
            current_step=first_problem or draft.current_step or document["steps"][0]["id"],
            is_test=draft.is_test,
        )
        Upload.objects.filter(draft=draft).update(draft=moved)
        audit_record(
            action="forms.draft_migrated",
            actor=draft.account,
            obj=moved,
            details={
                "from": draft.version.number,
                "to": version.number,
                "reenter": sorted({key for _s, key, _m in problems}),
            },
        )
        draft.delete()
    return Migration(draft=moved, reenter=problems)


def information_request(*, draft: Draft) -> ExchangeResult:
    """Run an information service's exchange request with the draft's answers.

    The request is built from the definition's `exchange.request` expressions; empty
    answers are left out. Refusals by the bus (no grant, invalid payload) raise its
    DomainError; a registry that is down gives a result with status "unavailable".
    """
    document = draft.version.document
    spec = document["exchange"]
    payload = {
        key: value
        for key, rule in spec["request"].items()
        if (value := evaluate(rule, draft.data)) not in (None, "")
    }
    result = exchange_call(
        sender=exchange_conf.portal_system(),
        type_key=spec["type"],
        payload=payload,
        correlation_id=str(draft.pk),
        test=draft.is_test,
    )
    with transaction.atomic():
        Draft.objects.filter(pk=draft.pk).update(last_activity=clock.now())
        InformationAnswer.objects.create(
            account=draft.account,
            version=draft.version,
            service_code=draft.version.definition.code,
            status=result.status,
            error_code=result.error_code or "",
            request=cast(Any, payload),
            response=cast(Any, result.response or {}),
            is_test=draft.is_test,
        )
        audit_record(
            action="forms.information_requested",
            actor=draft.account,
            obj=draft,
            details={"type": spec["type"], "status": result.status, "error": result.error_code},
        )
    return result


def draft_delete(*, draft: Draft, actor: Any = None, reason: str = "deleted") -> None:
    """Delete a draft and its files (the person's choice, expiry, or after submission)."""
    with transaction.atomic():
        for upload in Upload.objects.filter(draft=draft):
            upload.file.delete(save=False)
            upload.delete()
        audit_record(
            action="forms.draft_deleted",
            actor=actor,
            obj=draft,
            details={"version": draft.version.number, "reason": reason},
        )
        draft.delete()


def draft_release(*, draft: Draft) -> list[Upload]:
    """Hand a draft's files over (on submission) and delete the draft itself."""
    with transaction.atomic():
        uploads = list(Upload.objects.filter(draft=draft))
        Upload.objects.filter(draft=draft).update(draft=None)
        draft.delete()
    return uploads


def upload_accept(*, account: Any, field: dict[str, Any], upload: UploadedFile) -> Upload:
    """Check and keep a file sent outside a form (a reply, a result document)."""
    content_type, problem = files.check_upload(field, upload)
    if content_type is None:
        raise InvalidUpload(problem)
    return _keep(
        account=account,
        draft=None,
        field=field.get("name", "file"),
        upload=upload,
        content_type=content_type,
    )


def drafts_expire(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Remind people of drafts about to expire, and delete expired ones.

    A draft expires `FORMS_DRAFT_DAYS` after its last activity (not its creation); the
    reminder goes `FORMS_DRAFT_REMINDER_DAYS` before, once per period of inactivity.
    Returns (reminded, deleted).
    """
    from django.conf import settings
    from django.urls import reverse

    from uslugi.notifications.services import notify

    now = now or clock.now()
    lifetime = dt.timedelta(days=settings.FORMS_DRAFT_DAYS)
    warning = dt.timedelta(days=settings.FORMS_DRAFT_REMINDER_DAYS)
    reminded = deleted = 0
    due = Draft.objects.select_related("version__definition", "account").filter(
        last_activity__lte=now - (lifetime - warning), reminded_at__isnull=True
    )
    for draft in due[:500]:
        if draft.last_activity <= now - lifetime:
            continue  # deleted below, no point in a reminder
        with transaction.atomic():
            if not Draft.objects.filter(pk=draft.pk, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                continue
            expires = draft.last_activity + lifetime
            notify(
                event="draft.expiring",
                recipient=draft.account,
                event_id=f"draft-expiring:{draft.pk}:{draft.last_activity.isoformat()}",
                context={
                    "service": str(draft.version.localized("ru")["title"]),
                    "expires_on": expires.date().isoformat(),
                },
                link=reverse("forms:start", args=[draft.version.definition.code]),
            )
            reminded += 1
    for draft in Draft.objects.select_related("version").filter(last_activity__lte=now - lifetime)[
        :500
    ]:
        draft_delete(draft=draft, reason="expired")
        deleted += 1
    return reminded, deleted
