"""Confirmed level: how it was confirmed, registered-post codes, service centres."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from uslugi.core.fields import EncryptedTextField
from uslugi.core.models import BaseModel
from uslugi.identity.constants import ConfirmationMethod


class ServiceCentre(BaseModel):
    """A service centre (MFC) where operators confirm identities and restore access.

    The region is stored as its code and name: identity may not import the catalogue.
    """

    name = models.CharField(_("name"), max_length=200)
    region_code = models.CharField(_("region code"), max_length=4, db_index=True)
    region_name = models.CharField(_("region"), max_length=100)
    address = models.CharField(_("address"), max_length=300)
    opening_hours = models.TextField(_("opening hours"))
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    # CentreService values: what this centre does.
    services = models.JSONField(_("services"), default=list, blank=True)
    is_active = models.BooleanField(_("open"), default=True)

    class Meta:
        verbose_name = _("service centre")
        verbose_name_plural = _("service centres")
        ordering = ["region_code", "name"]
        permissions = [("operate_service_centre", _("Can work as a service-centre operator"))]

    def __str__(self) -> str:
        return self.name


class CentreOperator(BaseModel):
    """Which centre an operator works at (one at a time)."""

    account = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="operator_at"
    )
    centre = models.ForeignKey(ServiceCentre, on_delete=models.PROTECT, related_name="operators")

    class Meta:
        verbose_name = _("service-centre operator")
        verbose_name_plural = _("service-centre operators")

    def __str__(self) -> str:
        return f"operator {self.account_id} at {self.centre_id}"


class PostalCodeRequest(BaseModel):
    """A confirmation code sent by registered post (hashed; valid POST_CODE_TTL)."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="postal_codes"
    )
    address = EncryptedTextField(_("address"))
    code_hash = models.CharField(max_length=64, editable=False)
    expires_at = models.DateTimeField(_("expires"))
    tries = models.PositiveSmallIntegerField(_("wrong tries"), default=0)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    tracking = models.CharField(_("tracking number"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("postal confirmation code")
        verbose_name_plural = _("postal confirmation codes")
        indexes = [models.Index(fields=["account", "-created_at"])]

    def __str__(self) -> str:
        return f"postal code {self.pk}"


class Confirmation(BaseModel):
    """How and by whom an account's identity was confirmed (the method decides access)."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="confirmations"
    )
    method = models.CharField(_("method"), max_length=16, choices=ConfirmationMethod.choices)
    centre = models.ForeignKey(
        ServiceCentre, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    postal_code = models.ForeignKey(
        PostalCodeRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Qualified electronic signature (finished by the signature issue).
    certificate_serial = models.CharField(_("certificate serial"), max_length=64, blank=True)
    certificate_issuer = models.CharField(_("certificate issuer"), max_length=300, blank=True)
    certificate_thumbprint = models.CharField(
        _("certificate thumbprint"), max_length=64, blank=True
    )
    certificate_valid_until = models.DateTimeField(
        _("certificate valid until"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("identity confirmation")
        verbose_name_plural = _("identity confirmations")

    def __str__(self) -> str:
        return f"{self.method} {self.pk}"
