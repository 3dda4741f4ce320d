"""Staff roles, calendar day kinds, and the queue's filter choices."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from uslugi.applications.constants import FINAL, Status

# A service whose catalogue passport names no term gets this many working days.
DEFAULT_TERM_DAYS = 30


class Role(models.TextChoices):
    OFFICER = "officer", _("Officer")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMINISTRATOR = "administrator", _("Agency administrator")


# Roles that see the whole department's work (workload, assignment, statistics).
SUPERVISING = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Non-working day")
    WORKING = "working", _("Transferred working day")


class Action(models.TextChoices):
    """What an officer may do to an application, each one lifecycle transition."""

    ACCEPT = "accept", _("Accept")
    START = "start", _("Start work")
    REQUEST_INFO = "request_info", _("Request information")
    APPROVE = "approve", _("Approve with result documents")
    REFUSE = "refuse", _("Refuse")


ACTION_TARGET: dict[str, str] = {
    Action.ACCEPT: Status.ACCEPTED,
    Action.START: Status.IN_PROGRESS,
    Action.REQUEST_INFO: Status.INFO_REQUESTED,
    Action.APPROVE: Status.APPROVED,
    Action.REFUSE: Status.REFUSED,
}

# Statuses in which the agency is working on an application (for the workload page).
WORKING = frozenset(
    {Status.ACCEPTED, Status.IN_PROGRESS, Status.INFO_REQUESTED, Status.INFO_PROVIDED}
)
COMPLETED = frozenset({Status.APPROVED, Status.REFUSED})
OPEN = frozenset(Status) - FINAL
# The queue's status filter: "" is the to-do list (delivered, not decided), this is all.
ANY_STATUS = "any"

# Result documents: PDF only, like the applicant's reply files in size.
RESULT_FILES = {
    "name": "result",
    "accept": ["application/pdf"],
    "max_size_kb": 10240,
    "max_files": 5,
}

# The shortest webhook signing secret accepted (a random one has 49 characters).
WEBHOOK_SECRET_MIN = 24
