"""The audit journal in the admin: to read and filter, never to change (not even for
superusers: the permission methods say no whatever the account's permissions)."""

from __future__ import annotations

import json

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from uslugi.core.audit import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    list_display = (
        "seq",
        "created_at",
        "action",
        "actor_type",
        "actor_label",
        "object_type",
        "object_id",
        "ip",
        "request_id",
    )
    list_display_links = ("seq", "action")
    list_filter = ("action", "actor_type", "object_type")
    date_hierarchy = "created_at"
    # Exact matches only: each of these columns is indexed, a LIKE scan would not be.
    search_fields = ("=object_id", "=request_id", "=actor_id")
    search_help_text = _("An exact object id, request id or actor id.")
    ordering = ("-seq",)
    list_per_page = 50
    # Counting millions of rows on every page load is the slow part of a big changelist.
    show_full_result_count = False
    actions = None
    fieldsets = (
        (None, {"fields": ("seq", "created_at", "action")}),
        (_("Who"), {"fields": ("actor_type", "actor_id", "actor_label")}),
        (_("Object"), {"fields": ("object_type", "object_id")}),
        (_("From where"), {"fields": ("request_id", "ip", "user_agent")}),
        (_("Details"), {"fields": ("details_pretty",)}),
        (_("Chain"), {"fields": ("chain_version", "prev_hash", "hash")}),
    )
    readonly_fields = (
        "seq",
        "created_at",
        "action",
        "actor_type",
        "actor_id",
        "actor_label",
        "object_type",
        "object_id",
        "request_id",
        "ip",
        "user_agent",
        "details_pretty",
        "chain_version",
        "prev_hash",
        "hash",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    @admin.display(description=_("details"))
    def details_pretty(self, entry: AuditEntry) -> SafeString:
        text = json.dumps(entry.details, indent=2, ensure_ascii=False, sort_keys=True)
        return format_html("<pre>{}</pre>", text)
