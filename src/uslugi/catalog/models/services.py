"""The service passport: the register record of one state or municipal service."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from uslugi.catalog.constants import AccountLevel, Availability, EditorRole, Level, Status
from uslugi.catalog.models.i18n import Localized
from uslugi.catalog.models.reference import Category, Department, Municipality, Region
from uslugi.core.models import BaseModel


class Service(BaseModel):
    """A service passport (FRGU record). Texts have a column per language (`_ru`, `_en`);
    availability is all regions, listed regions or listed municipalities, and for the
    last the regions of those municipalities are listed too, so one region filter serves
    every level."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, db_index=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="services", verbose_name=_("department")
    )
    categories = models.ManyToManyField(
        Category, related_name="services", blank=True, verbose_name=_("categories")
    )

    title_ru = models.CharField(_("title (Russian)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    short_title_ru = models.CharField(_("short title (Russian)"), max_length=120, blank=True)
    short_title_en = models.CharField(_("short title (English)"), max_length=120, blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    result_ru = models.TextField(_("result (Russian)"), blank=True)
    result_en = models.TextField(_("result (English)"), blank=True)
    # Words people use that the title does not (search only, never shown).
    keywords_ru = models.TextField(_("search keywords (Russian)"), blank=True)
    keywords_en = models.TextField(_("search keywords (English)"), blank=True)

    for_individuals = models.BooleanField(_("for individuals"), default=True)
    for_entrepreneurs = models.BooleanField(_("for entrepreneurs"), default=False)
    for_legal_entities = models.BooleanField(_("for legal entities"), default=False)
    for_foreigners = models.BooleanField(_("for foreign citizens"), default=False)

    availability = models.CharField(
        _("availability"),
        max_length=16,
        choices=Availability.choices,
        default=Availability.ALL_REGIONS,
    )
    regions = models.ManyToManyField(
        Region, related_name="services", blank=True, verbose_name=_("regions")
    )
    municipalities = models.ManyToManyField(
        Municipality, related_name="services", blank=True, verbose_name=_("municipalities")
    )

    channel_online = models.BooleanField(_("online on the portal"), default=False)
    channel_service_centre = models.BooleanField(_("at a service centre (MFC)"), default=False)
    channel_office = models.BooleanField(_("at the department's office"), default=True)
    # The electronic form's code (forms app); empty while no form is published.
    online_form_code = models.CharField(_("electronic form code"), max_length=64, blank=True)
    account_level = models.CharField(
        _("account level needed"), max_length=16, choices=AccountLevel.choices,
        default=AccountLevel.STANDARD,
    )  # fmt: skip

    fee_amount = models.DecimalField(
        _("fee, roubles"), max_digits=10, decimal_places=2, null=True, blank=True,
        help_text=_("Empty or 0: free of charge."),
    )  # fmt: skip
    fee_note_ru = models.TextField(_("fee details (Russian)"), blank=True)
    fee_note_en = models.TextField(_("fee details (English)"), blank=True)
    term_days = models.PositiveIntegerField(_("term, working days"), null=True, blank=True)
    term_note_ru = models.TextField(_("term details (Russian)"), blank=True)
    term_note_en = models.TextField(_("term details (English)"), blank=True)
    refusal_grounds_ru = models.TextField(
        _("grounds for refusal (one per line) (Russian)"), blank=True
    )
    refusal_grounds_en = models.TextField(
        _("grounds for refusal (one per line) (English)"), blank=True
    )
    legal_basis_ru = models.TextField(_("legal basis (one per line) (Russian)"), blank=True)
    legal_basis_en = models.TextField(_("legal basis (one per line) (English)"), blank=True)
    appeal_ru = models.TextField(_("appeal procedure (Russian)"), blank=True)
    appeal_en = models.TextField(_("appeal procedure (English)"), blank=True)

    popularity = models.PositiveIntegerField(
        _("applications a year"), default=0, help_text=_("Used to rank search results.")
    )
    version = models.PositiveIntegerField(_("version"), default=0)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    # Made by `uslugi catalog generate` (benchmarks), not hand-written.
    is_generated = models.BooleanField(_("generated"), default=False, db_index=True)

    title = Localized("title")
    short_title = Localized("short_title")
    description = Localized("description")
    result = Localized("result")
    fee_note = Localized("fee_note")
    term_note = Localized("term_note")
    refusal_grounds = Localized("refusal_grounds")
    legal_basis = Localized("legal_basis")
    appeal = Localized("appeal")

    class Meta:
        ordering = ("title_ru",)
        verbose_name = _("service")
        verbose_name_plural = _("services")
        indexes = [
            models.Index(fields=["status", "-popularity"], name="catalog_svc_status_pop"),
            models.Index(fields=["department", "status"], name="catalog_svc_dept_status"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    @property
    def is_free(self) -> bool:
        return not self.fee_amount

    @property
    def display_title(self) -> str:
        return str(self.short_title or self.title)

    def refusal_grounds_list(self) -> list[str]:
        return [line.strip() for line in str(self.refusal_grounds).splitlines() if line.strip()]

    def legal_basis_list(self) -> list[str]:
        return [line.strip() for line in str(self.legal_basis).splitlines() if line.strip()]


class RequiredDocument(BaseModel):
    """A document the applicant needs, or one the agency obtains itself over the exchange."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="documents")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title_ru = models.CharField(_("title (Russian)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    note_ru = models.CharField(_("note (Russian)"), max_length=300, blank=True)
    note_en = models.CharField(_("note (English)"), max_length=300, blank=True)
    obtained_by_agency = models.BooleanField(
        _("the agency obtains it itself"), default=False,
        help_text=_("Requested over the interdepartmental exchange: the applicant need not bring it."),
    )  # fmt: skip

    title = Localized("title")
    note = Localized("note")

    class Meta:
        ordering = ("order",)
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")

    def __str__(self) -> str:
        return str(self.title)


class ServiceVariant(BaseModel):
    """A subservice ("for an adult", "for a child under 14"), each with its own form later."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="variants")
    code = models.SlugField(_("code"), max_length=64)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title_ru = models.CharField(_("title (Russian)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    online_form_code = models.CharField(_("electronic form code"), max_length=64, blank=True)

    title = Localized("title")
    description = Localized("description")

    class Meta:
        ordering = ("order",)
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        constraints = [
            models.UniqueConstraint(fields=["service", "code"], name="catalog_variant_code_unique"),
        ]

    def __str__(self) -> str:
        return str(self.title)


class ServiceVersion(BaseModel):
    """One saved state of a passport: the snapshot and what changed from the one before."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("number"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    action = models.CharField(_("action"), max_length=32)
    snapshot = models.JSONField(_("snapshot"))
    changes = models.JSONField(_("changes"), default=list)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ("service", "-number")
        verbose_name = _("passport version")
        verbose_name_plural = _("passport versions")
        constraints = [
            models.UniqueConstraint(fields=["service", "number"], name="catalog_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.service_id} v{self.number}"


class DepartmentEditor(BaseModel):
    """A person's role in one department's part of the register; it covers the
    department's subordinate bodies too (an МВД editor may edit ГИБДД services)."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="catalog_roles"
    )
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="editors")
    role = models.CharField(
        _("role"), max_length=16, choices=EditorRole.choices, default=EditorRole.EDITOR
    )

    class Meta:
        verbose_name = _("department editor")
        verbose_name_plural = _("department editors")
        constraints = [
            models.UniqueConstraint(fields=["account", "department"], name="catalog_editor_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.account} @ {self.department} ({self.role})"
