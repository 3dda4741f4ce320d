"""Choices of the service register (FRGU)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    FEDERAL = "federal", _("Federal")
    REGIONAL = "regional", _("Regional")
    MUNICIPAL = "municipal", _("Municipal")
    OTHER = "other", _("Other")


class Availability(models.TextChoices):
    """Where a service can be received."""

    ALL_REGIONS = "all", _("All regions")
    REGIONS = "regions", _("Listed regions")
    MUNICIPALITIES = "municipalities", _("Listed municipalities")


class Status(models.TextChoices):
    """Moderation: editors work on drafts; only published services are public."""

    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class AccountLevel(models.TextChoices):
    """The account level a service needs (mirrors the identity levels by value)."""

    NONE = "none", _("No account needed")
    SIMPLIFIED = "simplified", _("Simplified account")
    STANDARD = "standard", _("Standard account")
    CONFIRMED = "confirmed", _("Confirmed account")


class DepartmentKind(models.TextChoices):
    FEDERAL = "federal", _("Federal body")
    REGIONAL = "regional", _("Regional body")
    MUNICIPAL = "municipal", _("Municipal body")
    OTHER = "other", _("Other organisation")


class Audience(models.TextChoices):
    """Whom a category is for (seed 002: for individuals; extra for organisations)."""

    EVERYONE = "everyone", _("Individuals and organisations")
    ORGANISATIONS = "organisations", _("Organisations")


class OfficeKind(models.TextChoices):
    SERVICE_CENTRE = "mfc", _("Service centre (MFC)")
    DEPARTMENT = "department", _("Department office")


class EditorRole(models.TextChoices):
    """A role in one department's part of the register."""

    EDITOR = "editor", _("Editor: edits drafts")
    PUBLISHER = "publisher", _("Publisher: edits and publishes")


APPLICANT_FIELDS = {
    "individuals": "for_individuals",
    "entrepreneurs": "for_entrepreneurs",
    "legal_entities": "for_legal_entities",
    "foreigners": "for_foreigners",
}

# The languages of the register's texts: each translatable field has one column per
# language (`title_ru`, `title_en`); Russian is the source and the fallback.
TEXT_LANGUAGES = ("ru", "en")
