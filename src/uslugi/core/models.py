"""Shared base models."""

from __future__ import annotations

from django.db import models

from uslugi.core import clock
from uslugi.core.audit import AuditChainHead, AuditEntry  # noqa: F401
from uslugi.core.ids import new_id


class BaseModel(models.Model):
    """UUID primary key (time-ordered) and created/updated times."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    created_at = models.DateTimeField(default=clock.now, editable=False, db_index=True)
    updated_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: object, **kwargs: object) -> None:
        self.updated_at = clock.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "updated_at"}  # type: ignore[misc]
        super().save(*args, **kwargs)  # type: ignore[arg-type]
