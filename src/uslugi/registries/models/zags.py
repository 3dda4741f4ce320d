"""Civil registry (ZAGS): birth and marriage records."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from uslugi.core.fields import EncryptedDateField, EncryptedTextField
from uslugi.core.models import BaseModel
from uslugi.registries.constants import Gender


class BirthRecord(BaseModel):
    record_number = models.CharField(_("record number"), max_length=25, unique=True)
    record_date = models.DateField(_("record date"))
    office = models.CharField(_("registry office"), max_length=200)
    surname = models.CharField(_("child's surname"), max_length=100)
    first_name = models.CharField(_("child's first name"), max_length=100)
    patronymic = models.CharField(_("child's patronymic"), max_length=100, blank=True)
    person_key = models.CharField(max_length=201, db_index=True, editable=False)
    gender = models.CharField(_("gender"), max_length=6, choices=Gender.choices)
    birth_date = EncryptedDateField(_("birth date"))
    birth_place = models.CharField(_("birth place"), max_length=200)
    mother_surname = models.CharField(_("mother's surname"), max_length=100)
    mother_first_name = models.CharField(_("mother's first name"), max_length=100)
    mother_patronymic = models.CharField(_("mother's patronymic"), max_length=100, blank=True)
    mother_birth_date = EncryptedDateField(_("mother's birth date"))
    father_surname = models.CharField(_("father's surname"), max_length=100, blank=True)
    father_first_name = models.CharField(_("father's first name"), max_length=100, blank=True)
    father_patronymic = models.CharField(_("father's patronymic"), max_length=100, blank=True)
    father_birth_date = EncryptedDateField(_("father's birth date"), null=True, blank=True)
    certificate = EncryptedTextField(_("certificate series and number"))

    class Meta:
        verbose_name = _("birth record (ZAGS)")
        verbose_name_plural = _("birth records (ZAGS)")

    def __str__(self) -> str:
        return self.record_number


class MarriageRecord(BaseModel):
    record_number = models.CharField(_("record number"), max_length=25, unique=True)
    record_date = models.DateField(_("record date"))
    office = models.CharField(_("registry office"), max_length=200)
    husband_surname = models.CharField(_("husband's surname"), max_length=100)
    husband_first_name = models.CharField(_("husband's first name"), max_length=100)
    husband_patronymic = models.CharField(_("husband's patronymic"), max_length=100, blank=True)
    husband_key = models.CharField(max_length=201, db_index=True, editable=False)
    husband_birth_date = EncryptedDateField(_("husband's birth date"))
    wife_surname_before = models.CharField(_("wife's surname before"), max_length=100)
    wife_surname_after = models.CharField(_("wife's surname after"), max_length=100)
    wife_first_name = models.CharField(_("wife's first name"), max_length=100)
    wife_patronymic = models.CharField(_("wife's patronymic"), max_length=100, blank=True)
    wife_key_before = models.CharField(max_length=201, db_index=True, editable=False)
    wife_key_after = models.CharField(max_length=201, db_index=True, editable=False)
    wife_birth_date = EncryptedDateField(_("wife's birth date"))
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    certificate = EncryptedTextField(_("certificate series and number"))

    class Meta:
        verbose_name = _("marriage record (ZAGS)")
        verbose_name_plural = _("marriage records (ZAGS)")

    def __str__(self) -> str:
        return self.record_number
