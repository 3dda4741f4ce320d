"""One-time codes and unfinished registrations. Codes and tokens are kept only as keyed
hashes (see identity/secrets.py), never in clear."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from uslugi.core.models import BaseModel
from uslugi.identity.constants import Channel, CodePurpose


class CodeState(models.Model):
    """A code sent to a person: when it was sent, when it expires, how often it was tried."""

    code_hash = models.CharField(max_length=64, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    tries = models.PositiveSmallIntegerField(_("wrong tries"), default=0)

    class Meta:
        abstract = True


class Registration(BaseModel, CodeState):
    """A registration in progress: name and contact, until the contact is confirmed and a
    password set. Forgotten after REGISTRATION_TTL."""

    surname = models.CharField(_("surname"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    contact = models.CharField(_("phone or email"), max_length=254)
    # The email link's token (hashed); a phone gets a code in `code_hash`.
    link_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    confirmed_at = models.DateTimeField(_("contact confirmed"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("registration in progress")
        verbose_name_plural = _("registrations in progress")

    def __str__(self) -> str:
        return f"registration {self.pk}"


class OneTimeCode(BaseModel, CodeState):
    """A code for a second sign-in step, password recovery or a new contact.

    A recovery asked for an identifier that matches no account still gets a row (with no
    account and a code nobody receives), so the flow looks the same either way.
    """

    purpose = models.CharField(_("purpose"), max_length=16, choices=CodePurpose.choices)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="one_time_codes",
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    # Where the code went: needed to resend it and, for a new contact, to bind it.
    destination = models.CharField(_("destination"), max_length=254, blank=True)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        indexes = [models.Index(fields=["account", "purpose"])]

    def __str__(self) -> str:
        return f"{self.purpose} code {self.pk}"
