"""Bailiffs (FSSP): enforcement proceedings against individuals."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from uslugi.core.fields import EncryptedDateField
from uslugi.core.models import BaseModel
from uslugi.registries.constants import ProceedingStatus


class EnforcementProceeding(BaseModel):
    number = models.CharField(_("proceeding number"), max_length=30, unique=True)
    opened_on = models.DateField(_("opened on"))
    debtor_surname = models.CharField(_("debtor's surname"), max_length=100)
    debtor_first_name = models.CharField(_("debtor's first name"), max_length=100)
    debtor_patronymic = models.CharField(_("debtor's patronymic"), max_length=100, blank=True)
    # name_key(surname, first name): the bailiffs' data bank is searched by name.
    debtor_key = models.CharField(max_length=201, editable=False)
    debtor_birth_date = EncryptedDateField(_("debtor's birth date"))
    region_code = models.CharField(_("region code"), max_length=2)
    subject = models.CharField(_("subject of enforcement"), max_length=200)
    document = models.CharField(_("enforcement document"), max_length=200)
    amount = models.DecimalField(_("amount owed"), max_digits=12, decimal_places=2)
    remaining = models.DecimalField(_("remaining debt"), max_digits=12, decimal_places=2)
    department = models.CharField(_("department"), max_length=200)
    department_address = models.CharField(_("department address"), max_length=255)
    bailiff = models.CharField(_("bailiff"), max_length=150)
    status = models.CharField(_("status"), max_length=8, choices=ProceedingStatus.choices)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("enforcement proceeding (FSSP)")
        verbose_name_plural = _("enforcement proceedings (FSSP)")
        indexes = [models.Index(fields=["debtor_key", "region_code"])]

    def __str__(self) -> str:
        return self.number
