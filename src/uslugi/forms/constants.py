from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    TESTING = "testing", _("Testing")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class ServiceKind(models.TextChoices):
    APPLICATION = "application", _("Application")
    INFORMATION = "information", _("Information")


# The lifecycle: each status and the statuses it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    VersionStatus.DRAFT: frozenset({VersionStatus.TESTING}),
    VersionStatus.TESTING: frozenset({VersionStatus.DRAFT, VersionStatus.APPROVED}),
    VersionStatus.APPROVED: frozenset({VersionStatus.PUBLISHED, VersionStatus.DRAFT}),
    VersionStatus.PUBLISHED: frozenset({VersionStatus.RETIRED}),
    VersionStatus.RETIRED: frozenset(),
}

# Fields that hold no answer.
NON_INPUT_TYPES = frozenset({"info"})
