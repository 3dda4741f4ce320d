"""Choices and constants of the shared kernel."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActorType(models.TextChoices):
    """Who did something recorded in the audit journal."""

    PERSON = "person", _("Person")
    STAFF = "staff", _("Staff member")
    SYSTEM = "system", _("System")
    ANONYMOUS = "anonymous", _("Anonymous")
