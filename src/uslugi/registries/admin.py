"""Admin of the sandbox registries: read-only registry data with personal data masked,
searchable by name and, through the blind indexes, by SNILS, passport, INN or licence;
and the faults, which are editable (that is what the admin is for here)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from uslugi.core.audit import audit_record
from uslugi.core.fields import EncryptedField, blind_index_for
from uslugi.core.validators import mask_snils
from uslugi.registries.models import (
    BirthRecord,
    DriverLicence,
    EnforcementProceeding,
    Entrepreneur,
    Fine,
    ForeignDocument,
    InsuredPerson,
    MarriageRecord,
    Organisation,
    Passport,
    PensionAccount,
    PopulationRun,
    RegistryFault,
    TaxDebt,
    Taxpayer,
    Vehicle,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def mask_tail(value: object, keep: int = 2) -> str:
    """`******95`: only the last digits of an identifier."""
    text = str(value or "")
    return "" if not text else "*" * max(0, len(text) - keep) + text[-keep:]


def masked(field_name: str, label: StrOrPromise, how: Callable[[Any], str] = mask_tail) -> Any:
    def show(self: admin.ModelAdmin, obj: models.Model) -> str:
        return how(getattr(obj, field_name))

    show.short_description = label  # type: ignore[attr-defined]
    return show


def masked_date(field_name: str, label: StrOrPromise) -> Any:
    """A birth date shown as its year only."""

    def show(self: admin.ModelAdmin, obj: models.Model) -> str:
        value = getattr(obj, field_name)
        return "" if value is None else f"{value.year}-**-**"

    show.short_description = label  # type: ignore[attr-defined]
    return show


class RegistryAdmin(admin.ModelAdmin):
    """Read-only: the registries are filled by the generator, as an agency's data would be.

    Encrypted fields are never shown in full; `blind_search` maps blind-index fields to
    the look-up a search term is tried as (exact match on the whole term).
    """

    blind_search: tuple[str, ...] = ()
    list_per_page = 50
    show_full_result_count = False  # counting millions of rows on every page is slow

    def get_exclude(self, request: HttpRequest, obj: models.Model | None = None) -> Any:
        encrypted = [
            f.name for f in self.model._meta.concrete_fields if isinstance(f, EncryptedField)
        ]
        return [*encrypted, *(super().get_exclude(request, obj) or ())]

    def get_readonly_fields(self, request: HttpRequest, obj: models.Model | None = None) -> Any:
        names = [
            f.name
            for f in self.model._meta.concrete_fields
            if not isinstance(f, EncryptedField) and f.editable
        ]
        return [*names, *super().get_readonly_fields(request, obj)]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def get_search_results(
        self,
        request: HttpRequest,
        queryset: QuerySet[Any],
        search_term: str,
    ) -> tuple[QuerySet[Any], bool]:
        term = search_term.strip()
        for field_name in self.blind_search:
            try:
                index = blind_index_for(self.model, field_name, term)
            except ValueError:
                continue
            hits = queryset.filter(**{field_name: index})
            if hits.exists():
                return hits, False
        return super().get_search_results(request, queryset, search_term)


@admin.register(InsuredPerson)
class InsuredPersonAdmin(RegistryAdmin):
    list_display = (
        "surname",
        "first_name",
        "patronymic",
        "gender",
        "snils_masked",
        "birth_year",
        "region_code",
    )
    list_filter = ("gender", "region_code")
    search_fields = ("surname",)
    blind_search = ("snils_index",)
    snils_masked = masked("snils", _("SNILS"), lambda v: mask_snils(str(v)))
    birth_year = masked_date("birth_date", _("birth date"))
    readonly_fields = ("snils_masked", "birth_year")


@admin.register(PensionAccount)
class PensionAccountAdmin(RegistryAdmin):
    list_display = ("insured", "points_total", "updated_on")
    list_select_related = ("insured",)
    raw_id_fields = ("insured",)


@admin.register(Passport)
class PassportAdmin(RegistryAdmin):
    list_display = (
        "surname",
        "first_name",
        "patronymic",
        "number_masked",
        "issue_date",
        "division_code",
        "status",
    )
    list_filter = ("status",)
    search_fields = ("surname",)
    blind_search = ("series_number_index",)
    number_masked = masked("series_number", _("series and number"))
    birth_year = masked_date("birth_date", _("birth date"))
    readonly_fields = ("number_masked", "birth_year")


@admin.register(ForeignDocument)
class ForeignDocumentAdmin(RegistryAdmin):
    list_display = (
        "surname",
        "given_names",
        "citizenship",
        "kind",
        "number_masked",
        "valid_until",
        "status",
    )
    list_filter = ("kind", "status", "citizenship")
    search_fields = ("surname",)
    blind_search = ("number_index",)
    number_masked = masked("number", _("number"))
    readonly_fields = ("number_masked",)


@admin.register(Taxpayer)
class TaxpayerAdmin(RegistryAdmin):
    list_display = ("surname", "first_name", "patronymic", "inn_masked", "tax_office")
    search_fields = ("surname",)
    blind_search = ("inn_index", "passport_index")
    inn_masked = masked("inn", _("INN"))
    readonly_fields = ("inn_masked",)


@admin.register(TaxDebt)
class TaxDebtAdmin(RegistryAdmin):
    list_display = ("uin", "title", "period", "amount", "penalty", "due_date")
    list_filter = ("kind", "period")
    search_fields = ("=uin",)
    raw_id_fields = ("taxpayer",)


@admin.register(Vehicle)
class VehicleAdmin(RegistryAdmin):
    list_display = ("plate", "make", "model", "year", "sts", "owner_surname", "region_code")
    list_filter = ("make", "category")
    search_fields = ("=vin", "=plate", "=sts", "owner_surname")
    blind_search = ("owner_passport_index",)


@admin.register(DriverLicence)
class DriverLicenceAdmin(RegistryAdmin):
    list_display = ("surname", "first_name", "number_masked", "categories", "valid_until", "status")
    list_filter = ("status",)
    search_fields = ("surname",)
    blind_search = ("number_index",)
    number_masked = masked("number", _("number"))
    readonly_fields = ("number_masked",)


@admin.register(Fine)
class FineAdmin(RegistryAdmin):
    list_display = ("uin", "article", "amount", "ruling_date", "discount_until", "paid")
    list_filter = ("paid", "article")
    search_fields = ("=uin",)
    raw_id_fields = ("vehicle", "licence")


@admin.register(EnforcementProceeding)
class EnforcementProceedingAdmin(RegistryAdmin):
    list_display = (
        "number",
        "debtor_surname",
        "debtor_first_name",
        "subject",
        "remaining",
        "status",
    )
    list_filter = ("status", "region_code")
    search_fields = ("=number", "debtor_surname")


@admin.register(Organisation)
class OrganisationAdmin(RegistryAdmin):
    list_display = ("short_name", "ogrn", "inn", "status", "region_code", "head_surname")
    list_filter = ("status", "legal_form")
    search_fields = ("=ogrn", "=inn", "short_name")
    head_inn_masked = masked("head_inn", _("head's INN"))
    readonly_fields = ("head_inn_masked",)


@admin.register(Entrepreneur)
class EntrepreneurAdmin(RegistryAdmin):
    list_display = ("surname", "first_name", "patronymic", "ogrnip", "status", "region_code")
    list_filter = ("status",)
    search_fields = ("=ogrnip", "surname")
    blind_search = ("inn_index",)
    inn_masked = masked("inn", _("INN"))
    readonly_fields = ("inn_masked",)


@admin.register(BirthRecord)
class BirthRecordAdmin(RegistryAdmin):
    list_display = ("record_number", "surname", "first_name", "patronymic", "record_date", "office")
    search_fields = ("=record_number", "surname")


@admin.register(MarriageRecord)
class MarriageRecordAdmin(RegistryAdmin):
    list_display = (
        "record_number",
        "husband_surname",
        "wife_surname_after",
        "record_date",
        "dissolved_on",
    )
    search_fields = ("=record_number", "husband_surname", "wife_surname_after")


@admin.register(PopulationRun)
class PopulationRunAdmin(RegistryAdmin):
    list_display = ("created_at", "persons", "seed", "duration_s")


@admin.register(RegistryFault)
class RegistryFaultAdmin(admin.ModelAdmin):
    """Faults are set here by testers: every registry answer goes through them."""

    list_display = ("registry", "mode", "delay_ms", "error_rate", "active", "updated_at")
    list_editable = ("mode", "delay_ms", "error_rate", "active")
    list_filter = ("mode", "active")
    fields = ("registry", "mode", "delay_ms", "error_rate", "active", "note")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            action="registries.fault_set",
            obj=obj,
            request=request,
            details={
                "registry": obj.registry,
                "mode": obj.mode,
                "delay_ms": obj.delay_ms,
                "error_rate": obj.error_rate,
                "active": obj.active,
            },
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        registry = obj.registry
        super().delete_model(request, obj)
        audit_record(
            action="registries.fault_cleared",
            object_type=RegistryFault._meta.label_lower,
            request=request,
            details={"registry": registry},
        )
