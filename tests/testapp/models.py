"""Models that exist only in the test suite."""

from __future__ import annotations

from django.db import models

from uslugi.core.fields import (
    BlindIndexField,
    EncryptedDateField,
    EncryptedJSONField,
    EncryptedTextField,
)
from uslugi.core.validators import normalize_snils


class PersonRecord(models.Model):
    """Personal data as identity and the registries hold it: encrypted, SNILS indexed."""

    snils = EncryptedTextField(null=True, blank=True)
    snils_index = BlindIndexField(
        source="snils", purpose="snils", normalizer=normalize_snils, unique=True
    )
    birth_date = EncryptedDateField(null=True, blank=True)
    address = EncryptedJSONField(null=True, blank=True)
    note = EncryptedTextField(default="", blank=True)
    name = models.CharField(max_length=100, default="")

    def __str__(self) -> str:
        return f"person record {self.pk}"  # never the personal data


class PersonRecordProxy(PersonRecord):
    class Meta:
        proxy = True

    def __str__(self) -> str:
        return f"person record (proxy) {self.pk}"
