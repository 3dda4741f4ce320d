"""Admin: applications read-only (they change only through the lifecycle), with history."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from uslugi.applications.models import Application, Attachment, Event


class EventInline(admin.TabularInline):
    model = Event
    extra = 0
    can_delete = False
    fields = ("created_at", "status", "previous", "actor", "actor_account", "external_id")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    can_delete = False
    fields = ("created_at", "kind", "upload")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ("number", "service_code", "status", "is_test", "department_code",
                    "submitted_at", "delivery_attempts")  # fmt: skip
    list_filter = ("status", "is_test", "service_code")
    search_fields = ("number",)
    date_hierarchy = "submitted_at"
    inlines = [EventInline, AttachmentInline]
    exclude = ("answers", "payload")
    readonly_fields = (
        "number", "account", "version", "service_code", "title", "is_test", "status",
        "department_code", "draft_id", "idempotency_key", "submitted_at", "status_changed_at",
        "delivery_attempts", "delivery_due_at", "delivery_error", "delivered_at",
        "delivery_reference",
    )  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
