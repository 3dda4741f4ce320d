"""Agency staff, the working-day calendar, and the agency's file on each application."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from uslugi.agencies.constants import WEBHOOK_SECRET_MIN, DayKind, Role
from uslugi.core.fields import EncryptedJSONField, EncryptedTextField
from uslugi.core.models import BaseModel


class StaffRole(BaseModel):
    """A role grant: this account works for this department (and the bodies below it),
    optionally only on the applications of one region or of one office."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles"
    )
    department = models.ForeignKey(
        "catalog.Department", on_delete=models.CASCADE, related_name="staff_roles",
        verbose_name=_("department"),
    )  # fmt: skip
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    region = models.ForeignKey(
        "catalog.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("region"),
        help_text=_("Empty: every region of the department."),
    )  # fmt: skip
    office = models.ForeignKey(
        "catalog.Office", on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name=_("office"),
        help_text=_("Empty: every office. Not for agency administrators."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        ordering = ["department__code", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "department", "role"], name="agencies_staff_role_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.role} {self.department_id}"


class Holiday(models.Model):
    """A day of the production calendar that differs from the Monday-to-Friday week:
    a non-working day, or a Saturday or Sunday made a working day by a transfer."""

    date = models.DateField(_("date"), primary_key=True)
    kind = models.CharField(_("kind"), max_length=8, choices=DayKind.choices)
    note = models.CharField(_("note"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("production calendar")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.kind}"


class CaseFile(BaseModel):
    """The agency's side of an application: who works on it (its due date is on the
    application, `Application.due_on`, for the queue's index)."""

    application = models.OneToOneField(
        "applications.Application", on_delete=models.CASCADE, related_name="case_file"
    )
    department_code = models.CharField(_("department"), max_length=64, db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("assignee"),
    )  # fmt: skip
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("case file")
        verbose_name_plural = _("case files")
        indexes = [
            models.Index(fields=["assignee", "department_code"], name="agencies_case_assignee"),
        ]

    def __str__(self) -> str:
        return f"case {self.application_id}"


class QueueService(models.Model):
    """A service a department has received applications of, in a region and an office
    (the queue's service filter, kept on delivery rather than grouped from every
    application on each page; filtered by the same scope as the applications)."""

    department_code = models.CharField(_("department"), max_length=64)
    region_code = models.CharField(_("region"), max_length=3, blank=True, default="")
    office_code = models.CharField(_("office"), max_length=80, blank=True, default="")
    service_code = models.CharField(_("service code"), max_length=64)
    title = models.CharField(_("service"), max_length=300)

    class Meta:
        verbose_name = _("service in a queue")
        verbose_name_plural = _("services in queues")
        constraints = [
            models.UniqueConstraint(
                fields=["department_code", "region_code", "office_code", "service_code"],
                name="agencies_queue_service_where",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department_code} {self.service_code}"


class AgencySystem(BaseModel):
    """An agency's own information system: OAuth2 client credentials bound to one
    department, pulling applications or receiving them by webhook.

    A test system gets only test applications; a real one only real ones.
    """

    name = models.CharField(_("name"), max_length=200)
    department = models.ForeignKey(
        "catalog.Department", on_delete=models.PROTECT, related_name="agency_systems"
    )
    is_test = models.BooleanField(_("test system"), default=False)
    active = models.BooleanField(_("active"), default=True)
    oauth_application = models.OneToOneField(
        "oauth2_provider.Application",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agency_system",
    )
    webhook_url = models.URLField(_("webhook URL"), max_length=500, blank=True)
    webhook_secret: Any = EncryptedTextField(_("webhook signing secret"), blank=True, default="")

    class Meta:
        verbose_name = _("agency system")
        verbose_name_plural = _("agency systems")

    def clean(self) -> None:
        """A webhook URL needs a signing secret: an unsigned (or empty-key) webhook could
        be forged by anyone who knows the URL."""
        secret = self.webhook_secret or ""
        if self.webhook_url and len(secret) < WEBHOOK_SECRET_MIN:
            raise ValidationError(
                {
                    "webhook_secret": _(
                        "A system with a webhook URL needs a signing secret of at least "
                        "%(min)s characters (uslugi agency_system create makes one)."
                    )
                    % {"min": WEBHOOK_SECRET_MIN}
                }
            )

    def __str__(self) -> str:
        return self.name


class Lease(BaseModel):
    """A pulled application held by one agency system until `until` (or acknowledged)."""

    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="leases"
    )
    system = models.ForeignKey(AgencySystem, on_delete=models.CASCADE, related_name="leases")
    until = models.DateTimeField(_("leased until"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("lease")
        verbose_name_plural = _("leases")
        constraints = [
            # One lease row per application: taking it is a conditional UPDATE of this row.
            models.UniqueConstraint(fields=["application"], name="agencies_lease_application"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} → {self.system_id} until {self.until}"


class WebhookDelivery(BaseModel):
    """One webhook to an agency system about one application event, with its attempts."""

    system = models.ForeignKey(AgencySystem, on_delete=models.CASCADE, related_name="webhooks")
    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="webhooks"
    )
    event = models.CharField(_("event"), max_length=40)
    payload: Any = EncryptedJSONField(_("payload"), default=dict)
    status = models.CharField(_("status"), max_length=16, default="pending", db_index=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    give_up_at = models.DateTimeField(_("retry until"), null=True, blank=True)
    last_status_code = models.PositiveIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="agencies_webhook_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.application_id} → {self.system_id} ({self.status})"


class AutotestRun(BaseModel):
    """One monitoring run of a published service: a marked test application sent, and
    the statuses the agency must reach within a time limit (seed 004's autotests)."""

    service_code = models.CharField(_("service"), max_length=64, db_index=True)
    full = models.BooleanField(_("full scenario"), default=False)
    application = models.ForeignKey(
        "applications.Application",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(_("result"), max_length=16, default="running", db_index=True)
    expected = models.CharField(_("expected status"), max_length=40)
    reached = models.CharField(_("status reached"), max_length=40, blank=True)
    deadline = models.DateTimeField(_("deadline"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    detail = models.TextField(_("detail"), blank=True)

    class Meta:
        verbose_name = _("monitoring autotest run")
        verbose_name_plural = _("monitoring autotest runs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.service_code} {'full' if self.full else 'short'} {self.status}"
