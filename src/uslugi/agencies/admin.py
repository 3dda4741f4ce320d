from __future__ import annotations

from django.contrib import admin

from uslugi.agencies.models import CaseFile, Holiday, StaffRole


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
    list_display = ("application", "department_code", "due_on", "assignee", "claimed_at")
    list_filter = ("department_code",)
    search_fields = ("application__number",)
    raw_id_fields = ("application", "assignee")
    list_select_related = ("application", "assignee")
