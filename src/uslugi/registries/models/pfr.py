"""Pension Fund (PFR/SFR): insured persons by SNILS and their individual pension accounts."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from uslugi.core.fields import BlindIndexField, EncryptedDateField, EncryptedTextField
from uslugi.core.models import BaseModel
from uslugi.core.validators import normalize_snils
from uslugi.registries.constants import Gender


class InsuredPerson(BaseModel):
    """A person registered in compulsory pension insurance, found by SNILS."""

    snils = EncryptedTextField(_("SNILS"))
    snils_index = BlindIndexField(
        source="snils", purpose="snils", normalizer=normalize_snils, unique=True
    )
    surname = models.CharField(_("surname"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    gender = models.CharField(_("gender"), max_length=6, choices=Gender.choices)
    birth_date = EncryptedDateField(_("birth date"))
    birth_place = models.CharField(_("birth place"), max_length=200, blank=True)
    region_code = models.CharField(_("region code"), max_length=2)
    registered_on = models.DateField(_("registered in the insurance system on"))

    class Meta:
        verbose_name = _("insured person (PFR)")
        verbose_name_plural = _("insured persons (PFR)")

    def __str__(self) -> str:
        return f"{self.surname} {self.first_name} {self.patronymic}".strip()


class PensionAccount(BaseModel):
    """The individual pension account: per-year employer contributions and pension points.

    `years` holds the statement's recent years as a list of
    `{"year", "employer_name", "employer_inn", "contributions", "points"}` (amounts as
    strings of roubles); `points_before` sums the points of earlier years.
    """

    insured = models.OneToOneField(
        InsuredPerson, on_delete=models.CASCADE, related_name="pension_account"
    )
    points_before = models.DecimalField(
        _("pension points of earlier years"), max_digits=8, decimal_places=3, default=0
    )
    points_total = models.DecimalField(_("pension points in total"), max_digits=8, decimal_places=3)
    years = models.JSONField(_("years of the statement"), default=list)
    updated_on = models.DateField(_("account updated on"))

    class Meta:
        verbose_name = _("pension account (PFR)")
        verbose_name_plural = _("pension accounts (PFR)")

    def __str__(self) -> str:
        return str(_("Pension account of %(person)s") % {"person": self.insured})
