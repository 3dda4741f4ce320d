"""Sandbox control: injected faults per registry, and the generated population's runs."""

from __future__ import annotations

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from uslugi.core.fields import EncryptedJSONField
from uslugi.core.models import BaseModel
from uslugi.registries.constants import MAX_FAULT_DELAY_MS, FaultMode, RegistryCode


class RegistryFault(BaseModel):
    """A fault the sandbox injects into every answer of one registry while active."""

    registry = models.CharField(
        _("registry"), max_length=8, choices=RegistryCode.choices, unique=True
    )
    mode = models.CharField(_("mode"), max_length=12, choices=FaultMode.choices, default="none")
    delay_ms = models.PositiveIntegerField(
        _("delay, ms"),
        default=0,
        validators=[MaxValueValidator(MAX_FAULT_DELAY_MS)],
        help_text=_("For the slow mode; at most 30,000 ms."),
    )
    error_rate = models.PositiveSmallIntegerField(
        _("error rate, %"),
        default=0,
        validators=[MaxValueValidator(100)],
        help_text=_("For the error-rate mode: the share of requests that fail, 0 to 100."),
    )
    active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("registry fault")
        verbose_name_plural = _("registry faults")

    def __str__(self) -> str:
        return f"{self.registry}: {self.mode}"


class PopulationRun(BaseModel):
    """One run of the synthetic population generator, with the demo identities it chose."""

    seed = models.BigIntegerField(_("seed"))
    persons = models.PositiveIntegerField(_("persons"))
    duration_s = models.FloatField(_("duration, s"), default=0)
    counts = models.JSONField(_("rows per registry table"), default=dict)
    demo_identities = EncryptedJSONField(_("demo identities"), null=True, blank=True)

    class Meta:
        verbose_name = _("generated population")
        verbose_name_plural = _("generated populations")

    def __str__(self) -> str:
        return f"{self.persons} persons, seed {self.seed}"
