"""Tax Service (FNS): taxpayers (INN by passport data) and their tax debts."""

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
from uslugi.core.validators import normalize_inn, normalize_passport


class Taxpayer(BaseModel):
    """A person registered with a tax office, with the passport the office knows."""

    inn = EncryptedTextField(_("INN"))
    inn_index = BlindIndexField(source="inn", purpose="inn", normalizer=normalize_inn, unique=True)
    surname = models.CharField(_("surname"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    birth_date = EncryptedDateField(_("birth date"))
    passport = EncryptedTextField(_("passport series and number"))
    passport_index = BlindIndexField(
        source="passport", purpose="passport", normalizer=normalize_passport
    )
    tax_office = models.CharField(_("tax office code"), max_length=4)
    registered_on = models.DateField(_("registered on"))
    address = EncryptedJSONField(_("address"), null=True, blank=True)

    class Meta:
        verbose_name = _("taxpayer (FNS)")
        verbose_name_plural = _("taxpayers (FNS)")

    def __str__(self) -> str:
        return f"{self.surname} {self.first_name} {self.patronymic}".strip()


class TaxDebt(BaseModel):
    """An unpaid tax accrual, payable by its UIN."""

    taxpayer = models.ForeignKey(Taxpayer, on_delete=models.CASCADE, related_name="debts")
    kind = models.CharField(_("tax"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    kbk = models.CharField(_("budget classification code"), max_length=20)
    period = models.PositiveSmallIntegerField(_("tax period (year)"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    penalty = models.DecimalField(_("penalty interest"), max_digits=12, decimal_places=2)
    due_date = models.DateField(_("due date"))
    uin = models.CharField(_("UIN"), max_length=25, unique=True)

    class Meta:
        verbose_name = _("tax debt (FNS)")
        verbose_name_plural = _("tax debts (FNS)")

    def __str__(self) -> str:
        return f"{self.title} {self.period}: {self.amount}"
