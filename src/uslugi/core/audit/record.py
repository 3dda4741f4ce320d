"""Appending to the journal."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.http import HttpRequest

from uslugi.core import clock
from uslugi.core.audit.context import Actor, current_request, resolve_actor
from uslugi.core.audit.models import (
    ACTION_PATTERN,
    CHAIN_VERSION,
    LABEL_CHARS,
    USER_AGENT_CHARS,
    AuditChainHead,
    AuditEntry,
)
from uslugi.core.audit.scrub import clean_text, normalise_ip, scrub_details

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

_ACTION_RE = re.compile(ACTION_PATTERN)


def audit_record(
    *,
    action: str,
    actor: Actor | AbstractBaseUser | AnonymousUser | None = None,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: object | None = None,
    details: Mapping[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEntry:
    """Append an entry to the audit journal, inside the caller's transaction.

    If the caller's transaction rolls back, so does the entry: only what happened is
    recorded. Appends are serialised on the chain head until that transaction ends, so
    call this as late in the transaction as possible. The actor defaults to the person
    signed in on the current request, else anonymous (in a request) or the system.
    """
    if not _ACTION_RE.fullmatch(action) or len(action) > 64:
        raise ValueError(f"audit action {action!r} must look like 'app.event_name'")
    if request is None:
        request = current_request()
    who = resolve_actor(actor, request)
    kind, ident = _object_ref(obj, object_type, object_id)
    meta = request.META if request is not None else {}
    entry = AuditEntry(
        actor_type=who.type,
        actor_id=clean_text(who.id, 64),
        actor_label=clean_text(who.label, LABEL_CHARS),
        action=action,
        object_type=kind,
        object_id=ident,
        request_id=clean_text(getattr(request, "request_id", "") or "", 64),
        ip=normalise_ip(meta.get("REMOTE_ADDR")),
        user_agent=clean_text(meta.get("HTTP_USER_AGENT", ""), USER_AGENT_CHARS),
        details=scrub_details(details),
        chain_version=CHAIN_VERSION,
    )
    with transaction.atomic():
        # On PostgreSQL the row lock queues concurrent appends; on SQLite the IMMEDIATE
        # transaction already holds the database's single write lock.
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        entry.seq = head.last_seq + 1
        entry.prev_hash = head.last_hash
        entry.created_at = clock.now()
        entry.hash = entry.compute_hash()
        entry._chained = True  # type: ignore[attr-defined]
        entry.save()
        head.last_seq, head.last_hash, head.updated_at = entry.seq, entry.hash, entry.created_at
        head.save(update_fields=["last_seq", "last_hash", "updated_at"])
    return entry


def _object_ref(
    obj: models.Model | None, object_type: str | None, object_id: object | None
) -> tuple[str, str]:
    kind = object_type or (obj._meta.label_lower if obj is not None else "")
    if object_id is None and obj is not None and obj.pk is not None:
        object_id = obj.pk
    return clean_text(kind, 64), clean_text("" if object_id is None else str(object_id), 64)
