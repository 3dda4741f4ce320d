"""Choices of the sandbox registries."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegistryCode(models.TextChoices):
    """Provider system codes on the exchange bus."""

    PFR = "pfr", _("Pension Fund")
    MVD = "mvd", _("Interior Ministry (migration)")
    FNS = "fns", _("Tax Service")
    GIBDD = "gibdd", _("Traffic police")
    FSSP = "fssp", _("Bailiffs")
    EGRUL = "egrul", _("Register of legal entities and entrepreneurs")
    ZAGS = "zags", _("Civil registry")


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class PassportStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    REPLACED = "replaced", _("Replaced")
    LOST = "lost", _("Lost or stolen")
    EXPIRED = "expired", _("Expired (not replaced in time)")


class ForeignDocumentKind(models.TextChoices):
    PASSPORT = "passport", _("Foreign passport")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
    TEMPORARY_RESIDENCE = "temporary_residence", _("Temporary residence permit")


class ForeignDocumentStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    EXPIRED = "expired", _("Expired")
    INVALIDATED = "invalidated", _("Invalidated")


class LicenceStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked by a court")


class ProceedingStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class OrganisationStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    LIQUIDATING = "liquidating", _("Being liquidated")
    LIQUIDATED = "liquidated", _("Liquidated")


class EntrepreneurStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CEASED = "ceased", _("Activity ceased")


class FaultMode(models.TextChoices):
    NONE = "none", _("No fault")
    DOWN = "down", _("Down: every request fails")
    SLOW = "slow", _("Slow: every answer is delayed")
    ERROR_RATE = "error_rate", _("Error rate: a share of requests fail")


# A slow registry never sleeps longer than this, whatever the admin set (a sandbox must
# not hold a worker for minutes).
MAX_FAULT_DELAY_MS = 30_000
