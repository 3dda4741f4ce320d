"""Reference data (ESNSI-like): regions, municipalities, departments, categories, life
situations and the offices where people apply in person."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from uslugi.catalog.constants import Audience, DepartmentKind, OfficeKind
from uslugi.catalog.models.i18n import Localized
from uslugi.core.models import BaseModel


class Region(BaseModel):
    """A constituent entity of the federation, by its two-digit code (77 Moscow, 69 Tver)."""

    code = models.CharField(_("code"), max_length=2, unique=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    # "Тверской области": official bodies are named with it ("Управление ЗАГС Тверской области").
    name_genitive_ru = models.CharField(_("name in the genitive (Russian)"), max_length=120)
    capital_ru = models.CharField(_("administrative centre (Russian)"), max_length=80)
    capital_en = models.CharField(_("administrative centre (English)"), max_length=80, blank=True)
    timezone = models.CharField(_("time zone (IANA)"), max_length=40)

    name = Localized("name")
    capital = Localized("capital")

    class Meta:
        ordering = ("code",)
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Municipality(BaseModel):
    """A municipal formation (urban district, municipal district) inside a region."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="municipalities")
    code = models.CharField(_("code"), max_length=12, unique=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=160)
    name_en = models.CharField(_("name (English)"), max_length=160, blank=True)

    name = Localized("name")

    class Meta:
        ordering = ("code",)
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return str(self.name)


class Department(BaseModel):
    """A body that provides services: a federal ministry or service, a regional or
    municipal authority; `parent` makes the hierarchy (ГИБДД within МВД)."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DepartmentKind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="departments"
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="departments"
    )
    name_ru = models.CharField(_("name (Russian)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    short_name_ru = models.CharField(_("short name (Russian)"), max_length=80, blank=True)
    short_name_en = models.CharField(_("short name (English)"), max_length=80, blank=True)

    name = Localized("name")
    short_name = Localized("short_name")

    class Meta:
        ordering = ("kind", "name_ru")
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return str(self.short_name or self.name)


class Category(BaseModel):
    """A section of the catalogue (seed 002: 20 for individuals, 2 more for organisations)."""

    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    audience = models.CharField(
        _("audience"), max_length=16, choices=Audience.choices, default=Audience.EVERYONE
    )
    name_ru = models.CharField(_("name (Russian)"), max_length=160)
    name_en = models.CharField(_("name (English)"), max_length=160, blank=True)

    name = Localized("name")

    class Meta:
        ordering = ("order", "slug")
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return str(self.name)


class LifeSituation(BaseModel):
    """A life event (birth of a child, moving house) with the services it usually needs."""

    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title_ru = models.CharField(_("title (Russian)"), max_length=160)
    title_en = models.CharField(_("title (English)"), max_length=160, blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    title = Localized("title")
    description = Localized("description")

    class Meta:
        ordering = ("order", "slug")
        verbose_name = _("life situation")
        verbose_name_plural = _("life situations")

    def __str__(self) -> str:
        return str(self.title)


class LifeSituationStep(BaseModel):
    """One service in a life situation, in the order a person would usually need it."""

    situation = models.ForeignKey(LifeSituation, on_delete=models.CASCADE, related_name="steps")
    service = models.ForeignKey(
        "catalog.Service", on_delete=models.CASCADE, related_name="situation_steps"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    note_ru = models.CharField(_("note (Russian)"), max_length=255, blank=True)
    note_en = models.CharField(_("note (English)"), max_length=255, blank=True)

    note = Localized("note")

    class Meta:
        ordering = ("order",)
        constraints = [
            models.UniqueConstraint(fields=["situation", "service"], name="catalog_step_unique"),
        ]


class Office(BaseModel):
    """Where a person can apply in person: a service centre (MFC) or a department's office.

    `code` is stable across reference loads (`<region>:<department code>`): applications
    and staff roles name offices by it."""

    code = models.CharField(_("code"), max_length=80, unique=True, null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=OfficeKind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="offices")
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="offices"
    )
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, null=True, blank=True, related_name="offices"
    )
    name_ru = models.CharField(_("name (Russian)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    address_ru = models.CharField(_("address (Russian)"), max_length=255, blank=True)
    address_en = models.CharField(_("address (English)"), max_length=255, blank=True)
    hours_ru = models.CharField(_("opening hours (Russian)"), max_length=255, blank=True)
    hours_en = models.CharField(_("opening hours (English)"), max_length=255, blank=True)

    name = Localized("name")
    address = Localized("address")
    hours = Localized("hours")

    class Meta:
        ordering = ("region__code", "kind", "name_ru")
        verbose_name = _("office")
        verbose_name_plural = _("offices")

    def __str__(self) -> str:
        return str(self.name)
