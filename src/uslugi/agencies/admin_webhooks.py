"""The webhook delivery log in the admin, with an audited replay action.

A module of its own (imported by the app's `ready`) so the webhook work stays in the
files it owns; `admin.py` may import it instead later.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from uslugi.agencies import webhooks
from uslugi.agencies.models import WebhookDelivery


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "system",
        "application",
        "event",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "event", "system__is_test", "system"]
    date_hierarchy = "created_at"
    search_fields = ["application__number"]
    list_select_related = ["system", "application"]
    actions = ["replay"]
    readonly_fields = [
        "system",
        "application",
        "event",
        "status",
        "attempts",
        "next_attempt_at",
        "give_up_at",
        "last_status_code",
        "last_error",
        "delivered_at",
        "created_at",
    ]
    exclude = ["payload"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_replay_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("agencies.change_webhookdelivery"))

    @admin.action(description=_("Send again (replay)"), permissions=["replay"])
    def replay(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        count = sum(
            1 for delivery in queryset if webhooks.replay(delivery=delivery, actor=request.user)
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery will be sent again.",
                "%(count)d deliveries will be sent again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
