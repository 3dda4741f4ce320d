"""Traffic police (GIBDD): vehicles, driver licences and traffic fines."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from uslugi.core.fields import BlindIndexField, EncryptedDateField, EncryptedTextField
from uslugi.core.models import BaseModel
from uslugi.core.validators import normalize_passport
from uslugi.registries.constants import LicenceStatus
from uslugi.registries.normalizers import normalize_document


class Vehicle(BaseModel):
    """A registered vehicle with its registration certificate (STS) and owner."""

    vin = models.CharField(_("VIN"), max_length=17, unique=True)
    plate = models.CharField(_("registration plate"), max_length=12, db_index=True)
    sts = models.CharField(_("registration certificate (STS) number"), max_length=10, unique=True)
    make = models.CharField(_("make"), max_length=50)
    model = models.CharField(_("model"), max_length=50)
    year = models.PositiveSmallIntegerField(_("year of manufacture"))
    colour = models.CharField(_("colour"), max_length=30)
    category = models.CharField(_("category"), max_length=2)
    registered_on = models.DateField(_("registered on"))
    region_code = models.CharField(_("region code"), max_length=2)
    owner_surname = models.CharField(_("owner's surname"), max_length=100)
    owner_first_name = models.CharField(_("owner's first name"), max_length=100)
    owner_patronymic = models.CharField(_("owner's patronymic"), max_length=100, blank=True)
    owner_birth_date = EncryptedDateField(_("owner's birth date"))
    owner_passport = EncryptedTextField(_("owner's passport"))
    owner_passport_index = BlindIndexField(
        source="owner_passport", purpose="passport", normalizer=normalize_passport
    )

    class Meta:
        verbose_name = _("vehicle (GIBDD)")
        verbose_name_plural = _("vehicles (GIBDD)")

    def __str__(self) -> str:
        return f"{self.make} {self.model} {self.plate}"


class DriverLicence(BaseModel):
    number = EncryptedTextField(_("number"))
    number_index = BlindIndexField(
        source="number", purpose="driver_licence", normalizer=normalize_document, unique=True
    )
    surname = models.CharField(_("surname"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    birth_date = EncryptedDateField(_("birth date"))
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"))
    categories = models.CharField(_("categories"), max_length=30)
    status = models.CharField(_("status"), max_length=8, choices=LicenceStatus.choices)
    region_code = models.CharField(_("region code"), max_length=2)

    class Meta:
        verbose_name = _("driver licence (GIBDD)")
        verbose_name_plural = _("driver licences (GIBDD)")

    def __str__(self) -> str:
        return f"{self.surname} {self.first_name} {self.patronymic}".strip()


class Fine(BaseModel):
    """A fine for a traffic offence (KoAP RF), payable by its UIN; half price within 20
    days of the ruling when the article allows it."""

    uin = models.CharField(_("UIN"), max_length=25, unique=True)
    vehicle = models.ForeignKey(
        Vehicle, on_delete=models.CASCADE, null=True, blank=True, related_name="fines"
    )
    licence = models.ForeignKey(
        DriverLicence, on_delete=models.CASCADE, null=True, blank=True, related_name="fines"
    )
    offence_at = models.DateTimeField(_("offence at"))
    place = models.CharField(_("place"), max_length=200)
    article = models.CharField(_("article of the KoAP RF"), max_length=20)
    description = models.CharField(_("offence"), max_length=200)
    ruling_date = models.DateField(_("ruling date"))
    division = models.CharField(_("issued by"), max_length=200)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    discount_until = models.DateField(_("half price until"), null=True, blank=True)
    paid = models.BooleanField(_("paid"), default=False)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)

    class Meta:
        verbose_name = _("fine (GIBDD)")
        verbose_name_plural = _("fines (GIBDD)")

    def __str__(self) -> str:
        return f"{self.uin} ({self.article})"
