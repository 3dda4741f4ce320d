"""Development outboxes: SMS and letters the development plugins "send" into the database,
shown in the admin and on /dev pages. Never used by the production plugins."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from uslugi.core.fields import EncryptedTextField
from uslugi.core.models import BaseModel


class SmsMessage(BaseModel):
    phone = EncryptedTextField(_("phone"))
    text = EncryptedTextField(_("text"))

    class Meta:
        verbose_name = _("SMS (development outbox)")
        verbose_name_plural = _("SMS (development outbox)")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"SMS {self.created_at:%Y-%m-%d %H:%M:%S}"


class PostalLetter(BaseModel):
    recipient = EncryptedTextField(_("recipient"))
    address = EncryptedTextField(_("address"))
    text = EncryptedTextField(_("text"))
    tracking = models.CharField(_("tracking number"), max_length=64)

    class Meta:
        verbose_name = _("letter (development outbox)")
        verbose_name_plural = _("letters (development outbox)")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"letter {self.tracking}"
