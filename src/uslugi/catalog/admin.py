"""The editors' interface: the admin, scoped to the departments of a person's roles.
Every queryset and object permission goes through the catalogue's selectors; saving
goes through its services (history, audit, search index)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import ForeignKey, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from uslugi.catalog import selectors, services
from uslugi.catalog.constants import Status
from uslugi.catalog.models import (
    Category,
    Department,
    DepartmentEditor,
    LifeSituation,
    Municipality,
    Region,
    RequiredDocument,
    Service,
    ServiceVariant,
    ServiceVersion,
)
from uslugi.core.errors import DomainError


class RequiredDocumentInline(admin.TabularInline):
    model = RequiredDocument
    extra = 0
    fields = ("order", "title_ru", "title_en", "note_ru", "note_en", "obtained_by_agency")


class ServiceVariantInline(admin.TabularInline):
    model = ServiceVariant
    extra = 0
    fields = ("order", "code", "title_ru", "title_en", "online_form_code")


class ServiceVersionInline(admin.TabularInline):
    """The passport's change history (read only)."""

    model = ServiceVersion
    extra = 0
    can_delete = False
    fields = ("number", "action", "status", "author", "created_at", "changed_fields")
    readonly_fields = fields
    ordering = ("-number",)
    verbose_name_plural = _("change history")

    @admin.display(description=_("changed fields"))
    def changed_fields(self, obj: ServiceVersion) -> str:
        return ", ".join(str(c.get("field")) for c in obj.changes)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("code", "title_ru", "department", "level", "status", "version", "updated_at")
    list_filter = ("status", "level", "is_generated")
    search_fields = ("code", "title_ru", "title_en")
    list_select_related = ("department",)
    readonly_fields = ("status", "version", "published_at", "is_generated")
    autocomplete_fields = ("municipalities",)
    filter_horizontal = ("categories", "regions")
    inlines = (RequiredDocumentInline, ServiceVariantInline, ServiceVersionInline)
    actions = ("publish", "withdraw")
    fieldsets = (
        (None, {"fields": ("code", "status", "version", "published_at", "is_generated", "level", "department", "categories")}),
        (_("Texts"), {"fields": ("title_ru", "title_en", "short_title_ru", "short_title_en", "description_ru", "description_en", "result_ru", "result_en", "keywords_ru", "keywords_en")}),
        (_("Who and where"), {"fields": ("for_individuals", "for_entrepreneurs", "for_legal_entities", "for_foreigners", "availability", "regions", "municipalities")}),
        (_("How to apply"), {"fields": ("channel_online", "channel_service_centre", "channel_office", "online_form_code", "account_level")}),
        (_("Cost and time"), {"fields": ("fee_amount", "fee_note_ru", "fee_note_en", "term_days", "term_note_ru", "term_note_en")}),
        (_("Rules"), {"fields": ("refusal_grounds_ru", "refusal_grounds_en", "legal_basis_ru", "legal_basis_en", "appeal_ru", "appeal_en", "popularity")}),
    )  # fmt: skip

    def get_queryset(self, request: HttpRequest) -> QuerySet[Service]:
        return selectors.services_editable_by(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return selectors.is_catalog_editor(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return selectors.is_catalog_editor(request.user)
        return selectors.in_department_scope(request.user, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return selectors.is_catalog_editor(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return selectors.is_catalog_editor(request.user)
        return selectors.can_edit_service(request.user, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)  # editors withdraw instead

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        if db_field.name == "department":
            kwargs["queryset"] = selectors.departments_editable_by(request.user).order_by("name_ru")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Service, form: Any, change: bool) -> None:
        if not change:
            obj.status = Status.DRAFT  # new passports start as drafts
        elif not selectors.can_edit_service(request.user, obj):
            raise PermissionError("not allowed")  # has_change_permission already refused
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        service = form.instance
        # Municipal availability lists the municipalities' regions too (one region filter).
        region_ids = set(service.municipalities.values_list("region_id", flat=True))
        if region_ids:
            service.regions.add(*region_ids)
        services.service_record_change(
            service=service, actor=request.user, action="edit" if change else "created",
            request=request,
        )  # fmt: skip

    def _moderate(self, request: HttpRequest, queryset: QuerySet[Service], command: Any) -> None:
        done = 0
        for service in queryset:
            try:
                command(service=service, actor=request.user, request=request)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{service.code}: {exc.text}", messages.ERROR)
        if done:
            self.message_user(request, _("%(n)d services updated.") % {"n": done})

    @admin.action(description=_("Publish the selected services"))
    def publish(self, request: HttpRequest, queryset: QuerySet[Service]) -> None:
        self._moderate(request, queryset, services.service_publish)

    @admin.action(description=_("Withdraw the selected services from the catalogue"))
    def withdraw(self, request: HttpRequest, queryset: QuerySet[Service]) -> None:
        self._moderate(request, queryset, services.service_withdraw)


@admin.register(DepartmentEditor)
class DepartmentEditorAdmin(admin.ModelAdmin):
    """Roles are granted by administrators only (the grant is audited)."""

    list_display = ("account", "department", "role", "created_at")
    list_filter = ("role",)
    autocomplete_fields = ("department",)
    raw_id_fields = ("account",)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    def save_model(
        self, request: HttpRequest, obj: DepartmentEditor, form: Any, change: bool
    ) -> None:
        services.department_editor_grant(
            account=obj.account, department=obj.department, role=obj.role,
            actor=request.user, request=request,
        )  # fmt: skip

    def delete_model(self, request: HttpRequest, obj: DepartmentEditor) -> None:
        services.department_editor_revoke(
            account=obj.account, department=obj.department, actor=request.user, request=request
        )


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name_ru", "kind", "parent", "region")
    list_filter = ("kind",)
    search_fields = ("code", "name_ru", "name_en", "short_name_ru")
    raw_id_fields = ("parent", "region", "municipality")


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name_ru", "name_en", "timezone")
    search_fields = ("code", "name_ru", "name_en")


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ("code", "name_ru", "region")
    search_fields = ("code", "name_ru", "name_en")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("slug", "name_ru", "name_en", "audience", "order")


@admin.register(LifeSituation)
class LifeSituationAdmin(admin.ModelAdmin):
    list_display = ("slug", "title_ru", "title_en", "order")
