"""Unified state registers of legal entities (EGRUL) and entrepreneurs (EGRIP)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from uslugi.core.fields import BlindIndexField, EncryptedTextField
from uslugi.core.models import BaseModel
from uslugi.core.validators import normalize_inn
from uslugi.registries.constants import EntrepreneurStatus, Gender, OrganisationStatus


class Organisation(BaseModel):
    """A legal entity. Its own numbers and address are public; its head's INN is not."""

    ogrn = models.CharField(_("OGRN"), max_length=13, unique=True)
    inn = models.CharField(_("INN"), max_length=10, unique=True)
    kpp = models.CharField(_("KPP"), max_length=9)
    full_name = models.CharField(_("full name"), max_length=300)
    short_name = models.CharField(_("short name"), max_length=150)
    legal_form = models.CharField(_("legal form"), max_length=100)
    registered_on = models.DateField(_("registered on"))
    status = models.CharField(_("status"), max_length=12, choices=OrganisationStatus.choices)
    status_changed_on = models.DateField(_("status changed on"), null=True, blank=True)
    region_code = models.CharField(_("region code"), max_length=2)
    address = models.JSONField(_("address"))
    okved_main = models.CharField(_("main activity (OKVED)"), max_length=10)
    okved_extra = models.JSONField(_("other activities (OKVED)"), default=list)
    authorised_capital = models.DecimalField(
        _("authorised capital"), max_digits=14, decimal_places=2
    )
    head_surname = models.CharField(_("head's surname"), max_length=100)
    head_first_name = models.CharField(_("head's first name"), max_length=100)
    head_patronymic = models.CharField(_("head's patronymic"), max_length=100, blank=True)
    head_position = models.CharField(_("head's position"), max_length=100)
    head_inn = EncryptedTextField(_("head's INN"))
    head_since = models.DateField(_("head since"))

    class Meta:
        verbose_name = _("organisation (EGRUL)")
        verbose_name_plural = _("organisations (EGRUL)")

    def __str__(self) -> str:
        return self.short_name


class Entrepreneur(BaseModel):
    """An individual entrepreneur, found by OGRNIP or by personal INN."""

    ogrnip = models.CharField(_("OGRNIP"), max_length=15, unique=True)
    inn = EncryptedTextField(_("INN"))
    inn_index = BlindIndexField(source="inn", purpose="inn", normalizer=normalize_inn, unique=True)
    surname = models.CharField(_("surname"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    gender = models.CharField(_("gender"), max_length=6, choices=Gender.choices)
    region_code = models.CharField(_("region code"), max_length=2)
    registered_on = models.DateField(_("registered on"))
    status = models.CharField(_("status"), max_length=8, choices=EntrepreneurStatus.choices)
    ceased_on = models.DateField(_("ceased on"), null=True, blank=True)
    okved_main = models.CharField(_("main activity (OKVED)"), max_length=10)

    class Meta:
        verbose_name = _("entrepreneur (EGRIP)")
        verbose_name_plural = _("entrepreneurs (EGRIP)")

    def __str__(self) -> str:
        return f"{self.surname} {self.first_name} {self.patronymic}".strip()
