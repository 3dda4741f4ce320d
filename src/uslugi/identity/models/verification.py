"""The standard level's checks: the data the person submitted, and one check per registry."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from uslugi.core.fields import EncryptedJSONField
from uslugi.core.models import BaseModel
from uslugi.identity.constants import CheckKind, CheckStatus, VerificationStatus


class StandardVerification(BaseModel):
    """One submission of personal data for the standard level, with its checks.

    The data stays frozen (and encrypted) while checks run; the person may cancel and
    submit again, which makes a new verification.
    """

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="verifications"
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=VerificationStatus.choices,
        default=VerificationStatus.RUNNING,
    )
    data = EncryptedJSONField(_("submitted data"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("standard-level verification")
        verbose_name_plural = _("standard-level verifications")
        indexes = [models.Index(fields=["account", "status"])]

    def __str__(self) -> str:
        return f"verification {self.pk}"


class VerificationCheck(BaseModel):
    """One registry's check of a verification: waiting, passed, failed or unavailable."""

    verification = models.ForeignKey(
        StandardVerification, on_delete=models.CASCADE, related_name="checks"
    )
    kind = models.CharField(_("check"), max_length=16, choices=CheckKind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=CheckStatus.choices, default=CheckStatus.WAITING
    )
    # Why it failed, as a code the page turns into plain words (see identity/reasons.py).
    reason_code = models.CharField(_("reason"), max_length=32, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    message_ref = models.CharField(_("exchange message"), max_length=64, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("registry check")
        verbose_name_plural = _("registry checks")
        constraints = [
            models.UniqueConstraint(fields=["verification", "kind"], name="identity_check_kind")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.kind} check {self.pk}"
