"""Rate limits, growing delays after failures, sessions and the sign-in history.

All counters live in the database so they hold across processes and on both databases.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from uslugi.core import clock
from uslugi.core.models import BaseModel
from uslugi.identity.constants import LoginOutcome, SessionEnd


class Throttle(models.Model):
    """A fixed-window counter: how many times `scope` was hit for `key` in one window."""

    scope = models.CharField(max_length=32)
    key = models.CharField(max_length=64)  # keyed hash of the IP, phone, account...
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("rate-limit counter")
        verbose_name_plural = _("rate-limit counters")
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key", "window_start"], name="identity_throttle_window"
            )
        ]
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self) -> str:
        return f"{self.scope} {self.count}"


class FailureBackoff(models.Model):
    """Failures in a row for one key, and until when the next attempt must wait."""

    scope = models.CharField(max_length=32)
    key = models.CharField(max_length=64)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    blocked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("failure back-off")
        verbose_name_plural = _("failure back-offs")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="identity_backoff_key")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.failures}"


class AccountSession(BaseModel):
    """A signed-in session of an account, for the "active sessions" page."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=256, blank=True)
    last_seen_at = models.DateTimeField(_("last active"), default=clock.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    end_reason = models.CharField(
        _("how it ended"), max_length=16, choices=SessionEnd.choices, blank=True
    )

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        indexes = [models.Index(fields=["account", "ended_at"])]

    def __str__(self) -> str:
        return f"session {self.pk}"


class LoginEvent(BaseModel):
    """One sign-in attempt on a known account: the person's sign-in history."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_events"
    )
    outcome = models.CharField(_("outcome"), max_length=24, choices=LoginOutcome.choices)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=256, blank=True)

    class Meta:
        verbose_name = _("sign-in event")
        verbose_name_plural = _("sign-in events")
        indexes = [models.Index(fields=["account", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.outcome} {self.created_at:%Y-%m-%d %H:%M}"


class RecoveryCode(BaseModel):
    """A single-use code that replaces the second sign-in step (hashed)."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=64, editable=False)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        constraints = [
            models.UniqueConstraint(fields=["account", "code_hash"], name="identity_recovery_code")
        ]

    def __str__(self) -> str:
        return f"recovery code {self.pk}"
