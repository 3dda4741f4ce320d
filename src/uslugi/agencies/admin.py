from __future__ import annotations

from django.contrib import admin
from django.db import models

from uslugi.agencies.models import AgencySystem, CaseFile, Holiday, StaffRole


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):
    list_display = ("account", "department", "role", "region", "created_at")
    list_filter = ("role",)
    search_fields = ("account__email", "account__surname", "department__code")
    autocomplete_fields = ("account", "department")
    list_select_related = ("account", "department", "region")


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "note")
    list_filter = ("kind",)
    date_hierarchy = "date"


@admin.register(CaseFile)
class CaseFileAdmin(admin.ModelAdmin):
    list_display = (
        "application",
        "department_code",
        "application__due_on",
        "assignee",
        "claimed_at",
    )
    list_filter = ("department_code",)
    search_fields = ("application__number",)
    raw_id_fields = ("application", "assignee")
    list_select_related = ("application", "assignee")


@admin.register(AgencySystem)
class AgencySystemAdmin(admin.ModelAdmin):
    """Systems and their switches; credentials come from `uslugi agency_system create`
    (the client secret is shown once there and kept hashed)."""

    list_display = ("name", "department", "is_test", "active", "webhook_url", "created_at")
    list_filter = ("is_test", "active")
    search_fields = ("name", "department__code")
    autocomplete_fields = ("department",)
    readonly_fields = ("oauth_application",)
    list_select_related = ("department",)
    # Django 6 assumes https for a URL typed without a scheme: so do we already.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
