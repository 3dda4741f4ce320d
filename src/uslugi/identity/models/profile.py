"""Personal data of an account: encrypted at rest, found through blind indexes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from uslugi.core.fields import BlindIndexField, EncryptedDateField, EncryptedTextField
from uslugi.core.models import BaseModel
from uslugi.core.validators import mask_snils, normalize_snils
from uslugi.identity.constants import (
    AdditionalDocumentType,
    Citizenship,
    DocumentSource,
    DocumentType,
    Gender,
    LookupStatus,
)
from uslugi.identity.contacts import format_ru_passport, mask_document, normalize_document_number


class PersonalData(BaseModel):
    """What the registries confirmed about the person (standard level), and addresses.

    `snils_index` is unique: one account per SNILS, enforced without the plain number.
    `document_index` lets an operator find a person by the document they present.
    """

    account = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="personal_data"
    )
    birth_date = EncryptedDateField(_("date of birth"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    citizenship = models.CharField(
        _("citizenship"), max_length=3, choices=Citizenship.choices, blank=True
    )
    snils = EncryptedTextField(_("SNILS"), null=True, blank=True)
    snils_index = BlindIndexField(
        source="snils", purpose="snils", normalizer=normalize_snils, unique=True
    )
    document_type = models.CharField(
        _("identity document"), max_length=24, choices=DocumentType.choices, blank=True
    )
    document_number = EncryptedTextField(_("series and number"), null=True, blank=True)
    document_index = BlindIndexField(
        source="document_number",
        purpose="identity_document",
        normalizer=normalize_document_number,
    )
    document_issued_on = EncryptedDateField(_("issued on"), null=True, blank=True)
    document_issuer = EncryptedTextField(_("issued by"), null=True, blank=True)
    document_division_code = EncryptedTextField(_("division code"), null=True, blank=True)
    document_country = models.CharField(
        _("issuing country"), max_length=3, choices=Citizenship.choices, blank=True
    )
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    registration_address = EncryptedTextField(_("registration address"), null=True, blank=True)
    residence_address = EncryptedTextField(_("residence address"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal data")
        verbose_name_plural = _("personal data")

    def __str__(self) -> str:
        return f"personal data {self.pk}"

    @property
    def snils_masked(self) -> str:
        return mask_snils(str(self.snils)) if self.snils else ""

    @property
    def document_masked(self) -> str:
        return mask_document(str(self.document_number)) if self.document_number else ""

    @property
    def document_display(self) -> str:
        """In full: only for the person's own eyes on request, and for operators."""
        if not self.document_number:
            return ""
        number = str(self.document_number)
        return (
            format_ru_passport(number) if self.document_type == DocumentType.RU_PASSPORT else number
        )


class AdditionalDocument(BaseModel):
    """A document the person keeps in their profile (one of each kind)."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("document"), max_length=24, choices=AdditionalDocumentType.choices)
    number = EncryptedTextField(_("series and number"))
    issued_on = EncryptedDateField(_("issued on"), null=True, blank=True)
    valid_until = EncryptedDateField(_("valid until"), null=True, blank=True)
    issuer = EncryptedTextField(_("issued by"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=16, choices=DocumentSource.choices, default=DocumentSource.ENTERED
    )

    class Meta:
        verbose_name = _("additional document")
        verbose_name_plural = _("additional documents")
        constraints = [
            models.UniqueConstraint(fields=["account", "kind"], name="identity_document_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"

    @property
    def number_masked(self) -> str:
        return mask_document(str(self.number))


class InnLookup(BaseModel):
    """A request to the Tax Service registry for the person's INN by their passport."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inn_lookups"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=LookupStatus.choices, default=LookupStatus.WAITING
    )
    message_ref = models.CharField(max_length=64, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("INN look-up")
        verbose_name_plural = _("INN look-ups")

    def __str__(self) -> str:
        return f"INN look-up {self.pk}"
