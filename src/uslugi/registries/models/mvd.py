"""Interior Ministry, migration directorate: Russian internal passports and the documents
of foreign citizens."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from uslugi.core.fields import (
    BlindIndexField,
    EncryptedDateField,
    EncryptedJSONField,
    EncryptedTextField,
)
from uslugi.core.models import BaseModel
from uslugi.core.validators import normalize_passport
from uslugi.registries.constants import (
    ForeignDocumentKind,
    ForeignDocumentStatus,
    Gender,
    PassportStatus,
)
from uslugi.registries.normalizers import normalize_document


class Passport(BaseModel):
    """A Russian internal passport (one row per document: old ones stay as replaced)."""

    series_number = EncryptedTextField(_("series and number"))
    series_number_index = BlindIndexField(
        source="series_number", purpose="passport", normalizer=normalize_passport, unique=True
    )
    surname = models.CharField(_("surname"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    gender = models.CharField(_("gender"), max_length=6, choices=Gender.choices)
    birth_date = EncryptedDateField(_("birth date"))
    birth_place = models.CharField(_("birth place"), max_length=200, blank=True)
    issue_date = models.DateField(_("issued on"))
    issuer = models.CharField(_("issued by"), max_length=255)
    division_code = models.CharField(_("division code"), max_length=7)
    status = models.CharField(
        _("status"), max_length=10, choices=PassportStatus.choices, default=PassportStatus.VALID
    )
    status_changed_on = models.DateField(_("status changed on"), null=True, blank=True)
    registration_address = EncryptedJSONField(_("registered address"), null=True, blank=True)

    class Meta:
        verbose_name = _("passport (MVD)")
        verbose_name_plural = _("passports (MVD)")

    def __str__(self) -> str:
        return f"{self.surname} {self.first_name} {self.patronymic}".strip()


class ForeignDocument(BaseModel):
    """A foreign citizen's document known to the migration registry."""

    kind = models.CharField(_("kind"), max_length=20, choices=ForeignDocumentKind.choices)
    citizenship = models.CharField(_("citizenship (ISO 3166 alpha-3)"), max_length=3)
    number = EncryptedTextField(_("number"))
    number_index = BlindIndexField(
        source="number", purpose="foreign_document", normalizer=normalize_document, unique=True
    )
    surname = models.CharField(_("surname (Latin)"), max_length=100)
    given_names = models.CharField(_("given names (Latin)"), max_length=100)
    gender = models.CharField(_("gender"), max_length=6, choices=Gender.choices)
    birth_date = EncryptedDateField(_("birth date"))
    issue_date = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(_("status"), max_length=12, choices=ForeignDocumentStatus.choices)

    class Meta:
        verbose_name = _("foreign citizen's document (MVD)")
        verbose_name_plural = _("foreign citizens' documents (MVD)")

    def __str__(self) -> str:
        return f"{self.surname} {self.given_names}"
