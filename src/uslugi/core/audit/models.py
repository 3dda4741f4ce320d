"""The journal's tables: entries (append-only) and the chain head, and how an entry is
hashed."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any, NoReturn

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from uslugi.core import clock
from uslugi.core.constants import ActorType

GENESIS_HASH = "0" * 64
# Version of the canonical form an entry was hashed with, stored in each entry, so the
# form can evolve (a new field, say) without breaking verification of older entries.
CHAIN_VERSION = 1

ACTION_PATTERN = r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+"
LABEL_CHARS = 128
USER_AGENT_CHARS = 256


class AppendOnlyError(Exception):
    """The audit journal is append-only: entries are never changed or removed."""


def _refuse(what: str) -> NoReturn:
    raise AppendOnlyError(
        f"The audit journal is append-only: {what} is not allowed. "
        "Write new entries with uslugi.core.audit.audit_record()."
    )


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    """Reads only: every bulk write path of the ORM is refused."""

    def update(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("update()")

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("delete()")

    def _raw_delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("delete()")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("bulk_update()")

    def bulk_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("bulk_create()")

    def update_or_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("update_or_create()")


class AuditEntry(models.Model):
    """One entry of the audit journal. Its primary key is its place in the chain."""

    seq = models.BigIntegerField(_("number"), primary_key=True, editable=False)
    created_at = models.DateTimeField(_("time"), editable=False)
    actor_type = models.CharField(_("actor type"), max_length=16, choices=ActorType.choices)
    actor_id = models.CharField(_("actor id"), max_length=64, blank=True)
    actor_label = models.CharField(_("actor"), max_length=LABEL_CHARS, blank=True)
    action = models.CharField(
        _("action"), max_length=64, validators=[RegexValidator(f"^{ACTION_PATTERN}$")]
    )
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=USER_AGENT_CHARS, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    chain_version = models.PositiveSmallIntegerField(_("chain version"), default=CHAIN_VERSION)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit journal")
        # Related-object access and internal paths use the guarded manager too.
        base_manager_name = "objects"
        get_latest_by = "seq"
        indexes = [
            models.Index(fields=["created_at"], name="core_audit_created_idx"),
            models.Index(fields=["object_id", "object_type"], name="core_audit_object_idx"),
            models.Index(fields=["actor_id"], name="core_audit_actor_idx"),
            models.Index(fields=["action"], name="core_audit_action_idx"),
            models.Index(fields=["request_id"], name="core_audit_request_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse("changing an entry")
        if not getattr(self, "_chained", False):
            _refuse("saving an entry outside the chain")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("deleting an entry")

    def compute_hash(self) -> str:
        return entry_hash({name: getattr(self, name) for name in HASHED_FIELDS})


class AuditChainHeadQuerySet(models.QuerySet["AuditChainHead"]):
    def update(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("moving the chain head except through audit_record()")

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("deleting the chain head")

    def _raw_delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("deleting the chain head")


class AuditChainHead(models.Model):
    """The one row that says where the chain ends; locked by every append."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    last_seq = models.BigIntegerField(_("last number"), default=0)
    last_hash = models.CharField(_("last hash"), max_length=64, default=GENESIS_HASH)
    updated_at = models.DateTimeField(_("updated"), default=clock.now)

    objects = AuditChainHeadQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit chain head")
        base_manager_name = "objects"
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="core_auditchainhead_singleton")
        ]

    def __str__(self) -> str:
        return f"#{self.last_seq} {self.last_hash[:12]}"

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("deleting the chain head")


# The fields a hash covers, in the canonical form of CHAIN_VERSION 1. Never reorder or
# drop one: add a new CHAIN_VERSION instead.
HASHED_FIELDS = (
    "seq",
    "created_at",
    "actor_type",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "request_id",
    "ip",
    "user_agent",
    "details",
    "chain_version",
    "prev_hash",
)


def entry_hash(values: Mapping[str, Any]) -> str:
    """SHA-256 of an entry's canonical JSON (which includes the previous entry's hash)."""
    payload = {name: values[name] for name in HASHED_FIELDS}
    created_at: dt.datetime = payload["created_at"]
    payload["created_at"] = created_at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return hashlib.sha256(canonical_json(payload).encode("ascii")).hexdigest()


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)
