"""Agency staff, the working-day calendar, and the agency's file on each application."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from uslugi.agencies.constants import DayKind, Role
from uslugi.core.models import BaseModel


class StaffRole(BaseModel):
    """A role grant: this account works for this department (and the bodies below it),
    optionally only in one region."""

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
    """The agency's side of an application: when it is due and who works on it."""

    application = models.OneToOneField(
        "applications.Application", on_delete=models.CASCADE, related_name="case_file"
    )
    department_code = models.CharField(_("department"), max_length=64, db_index=True)
    due_on = models.DateField(_("due on"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("assignee"),
    )  # fmt: skip
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("case file")
        verbose_name_plural = _("case files")
        indexes = [
            models.Index(fields=["department_code", "due_on"], name="agencies_case_due"),
            models.Index(fields=["assignee", "department_code"], name="agencies_case_assignee"),
        ]

    def __str__(self) -> str:
        return f"case {self.application_id}"
