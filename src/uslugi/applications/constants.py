"""The application lifecycle: statuses, who may move them where, what the person does next."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Received, being delivered")
    DELIVERED = "delivered", _("Delivered to the agency")
    ACCEPTED = "accepted", _("Accepted by the agency")
    IN_PROGRESS = "in_progress", _("In progress")
    INFO_REQUESTED = "info_requested", _("Information requested")
    INFO_PROVIDED = "info_provided", _("Information provided")
    APPROVED = "approved", _("Completed: approved")
    REFUSED = "refused", _("Completed: refused")
    CANCELLED = "cancelled", _("Cancelled by you")
    WITHDRAWN = "withdrawn", pgettext_lazy("application status", "Withdrawn")


# The back office's wording of each status (the applicant's pages use the labels above,
# written to the applicant: "Cancelled by you" reads to staff as "by the applicant").
STAFF_STATUS_LABELS: dict[str, Any] = {
    **{status: status.label for status in Status},
    Status.CANCELLED: _("Cancelled by the applicant"),
}


class Actor(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    AGENCY = "agency", _("Agency")
    SYSTEM = "system", _("Portal")


class AttachmentKind(models.TextChoices):
    APPLICANT = "applicant", _("Attached by the applicant")
    REPLY = "reply", _("Sent with a reply")
    RESULT = "result", _("Result document")


FINAL = frozenset({Status.APPROVED, Status.REFUSED, Status.CANCELLED, Status.WITHDRAWN})
IN_PROGRESS = frozenset(Status) - FINAL
# With the agency and not yet decided: the agency's to-do list. A sorted tuple, so that
# the SQL of a filter on it is always the same (it matches a partial index's condition).
WITH_AGENCY = tuple(sorted(IN_PROGRESS - {Status.SUBMITTED}))

# Each status, and the statuses each side may move it to.
TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    Status.SUBMITTED: {
        Actor.SYSTEM: frozenset({Status.DELIVERED}),
        Actor.APPLICANT: frozenset({Status.CANCELLED}),
    },
    Status.DELIVERED: {
        Actor.AGENCY: frozenset({Status.ACCEPTED, Status.REFUSED}),
        Actor.APPLICANT: frozenset({Status.CANCELLED}),
    },
    Status.ACCEPTED: {
        Actor.AGENCY: frozenset(
            {Status.IN_PROGRESS, Status.INFO_REQUESTED, Status.APPROVED, Status.REFUSED,
             Status.WITHDRAWN}
        ),
    },
    Status.IN_PROGRESS: {
        Actor.AGENCY: frozenset(
            {Status.INFO_REQUESTED, Status.APPROVED, Status.REFUSED, Status.WITHDRAWN}
        ),
    },
    Status.INFO_REQUESTED: {
        Actor.APPLICANT: frozenset({Status.INFO_PROVIDED}),
        Actor.AGENCY: frozenset({Status.REFUSED, Status.WITHDRAWN}),
    },
    Status.INFO_PROVIDED: {
        Actor.AGENCY: frozenset(
            {Status.IN_PROGRESS, Status.INFO_REQUESTED, Status.APPROVED, Status.REFUSED,
             Status.WITHDRAWN}
        ),
    },
}  # fmt: skip

# What the applicant is expected to do now, by status.
NEXT_FOR_APPLICANT: dict[str, Any] = {
    Status.SUBMITTED: _("Nothing: we are delivering your application to the agency."),
    Status.DELIVERED: _("Nothing yet: the agency will check your application."),
    Status.ACCEPTED: _("Nothing yet: the agency is working on your application."),
    Status.IN_PROGRESS: _("Nothing yet: the agency is working on your application."),
    Status.INFO_REQUESTED: _("Answer the agency's request below."),
    Status.INFO_PROVIDED: _("Nothing yet: the agency is reading your reply."),
    Status.APPROVED: _("Download the result documents below."),
    Status.REFUSED: _("Read the reason below. You may apply again."),
    Status.CANCELLED: _("Nothing: you cancelled this application."),
    Status.WITHDRAWN: _("Nothing: the application was withdrawn."),
}


def allowed(source: str, target: str, actor: str) -> bool:
    return target in TRANSITIONS.get(source, {}).get(actor, frozenset())
