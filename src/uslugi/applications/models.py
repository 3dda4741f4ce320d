"""Applications: what a person sent, where it went, and everything that happened to it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from uslugi.applications.constants import WITH_AGENCY, Actor, AttachmentKind, Status
from uslugi.core import clock
from uslugi.core.fields import EncryptedJSONField, EncryptedTextField
from uslugi.core.models import BaseModel


class NumberSequence(models.Model):
    """The last application number given in a year (rows locked while numbering)."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("application number sequence")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Application(BaseModel):
    """One submitted application, frozen on the definition version it was filled in."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications"
    )
    version = models.ForeignKey(
        "forms.DefinitionVersion", on_delete=models.PROTECT, related_name="applications"
    )
    service_code = models.CharField(_("service code"), max_length=64, db_index=True)
    title = models.CharField(_("service"), max_length=300)
    is_test = models.BooleanField(_("test"), default=False, db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    department_code = models.CharField(_("department"), max_length=64, blank=True)
    # Where it is handled: the office chosen in the form (catalogue code) and its region,
    # else the region of a regional department; office- and region-scoped staff see by these.
    office_code = models.CharField(_("office"), max_length=80, blank=True)
    region_code = models.CharField(_("region"), max_length=3, blank=True)
    # The agency's due date (the service's term in working days), set on delivery by the
    # agencies app; on the row so that the agency queue is one index scan in due order.
    due_on = models.DateField(_("due on"), null=True, blank=True)
    # The answers as filled in, and the payload the agency receives (the mapping's output).
    answers: Any = EncryptedJSONField(_("answers"))
    payload: Any = EncryptedJSONField(_("agency payload"))
    # Exactly once: one application per draft, and per idempotency key of a person.
    draft_id = models.UUIDField(_("draft"), unique=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=80)
    submitted_at = models.DateTimeField(_("submitted at"), default=clock.now)
    status_changed_at = models.DateTimeField(_("status changed at"), default=clock.now)
    # Delivery to the agency: a durable outbox on the row itself.
    delivery_attempts = models.PositiveIntegerField(_("delivery attempts"), default=0)
    delivery_due_at = models.DateTimeField(_("next delivery attempt"), null=True, blank=True)
    delivery_error = models.CharField(_("last delivery error"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    delivery_reference = models.CharField(_("agency reference"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "idempotency_key"], name="applications_idempotency"
            ),
        ]
        indexes = [
            models.Index(fields=["account", "-submitted_at"], name="applications_account_recent"),
            models.Index(fields=["delivery_due_at"], name="applications_delivery_due"),
            # The agencies' queues: a department's real (or test) applications by date.
            models.Index(
                fields=["department_code", "is_test", "-submitted_at"],
                name="applications_department_queue",
            ),
            # The back office's queue, oldest due first: every status; the to-do list (a
            # partial index); one status.
            models.Index(
                fields=["department_code", "is_test", "due_on", "submitted_at"],
                name="applications_department_due",
            ),
            models.Index(
                fields=["department_code", "is_test", "due_on", "submitted_at"],
                condition=Q(status__in=WITH_AGENCY),
                name="applications_department_todo",
            ),
            models.Index(
                fields=["department_code", "is_test", "status", "due_on", "submitted_at"],
                name="applications_department_status",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_final(self) -> bool:
        from uslugi.applications.constants import FINAL

        return self.status in FINAL


class Event(BaseModel):
    """One step of an application's timeline: a status change or a message."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    previous = models.CharField(_("previous status"), max_length=20, blank=True)
    actor = models.CharField(_("actor"), max_length=16, choices=Actor.choices)
    actor_account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    comment: Any = EncryptedTextField(_("comment"), blank=True, default="")
    # An agency system's own id for the event (status events are idempotent by it).
    external_id = models.CharField(_("event id"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("application event")
        verbose_name_plural = _("application events")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "external_id"],
                condition=~models.Q(external_id=""),
                name="applications_event_external_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.status}"


class Attachment(BaseModel):
    """A file of an application: the applicant's, a reply's, or a result document.

    The bytes are a `forms.Upload` (encrypted at rest, type told by content).
    """

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments"
    )
    upload = models.OneToOneField("forms.Upload", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=AttachmentKind.choices)
    event = models.ForeignKey(
        Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments"
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.upload_id}"
