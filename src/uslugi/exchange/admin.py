"""The message log for operators: search, timeline, re-send; systems, keys and grants."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from uslugi.core.audit import audit_record
from uslugi.core.errors import DomainError
from uslugi.exchange import directory, services
from uslugi.exchange.constants import SystemKind
from uslugi.exchange.interfaces import message_types
from uslugi.exchange.models import (
    AccessGrant,
    ExchangeMessage,
    ExchangeSystem,
    MessageEvent,
    SystemKey,
)

PAYLOAD_PERMISSION = "exchange.view_message_payload"


class SystemKeyInline(admin.TabularInline):
    model = SystemKey
    fields = ("key_id", "public_key", "active", "revoked_at", "created_at", "has_private_key")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("private key held here"), boolean=True)
    def has_private_key(self, key: SystemKey) -> bool:
        return bool(key.private_key)


@admin.register(ExchangeSystem)
class ExchangeSystemAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "active", "base_url"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name"]
    inlines = [SystemKeyInline]
    actions = ["rotate_key"]

    @admin.action(description=_("Generate a new key pair (internal systems)"))
    def rotate_key(self, request: HttpRequest, queryset: QuerySet[ExchangeSystem]) -> None:
        done = 0
        for system in queryset.filter(kind=SystemKind.INTERNAL):
            key = directory.key_create(system=system)
            audit_record(
                action="exchange.key_rotated",
                actor=request.user,
                obj=system,
                details={"key_id": key.key_id},
            )
            done += 1
        self.message_user(
            request,
            ngettext("%(count)d key generated.", "%(count)d keys generated.", done)
            % {"count": done},
        )


class AccessGrantForm(forms.ModelForm):
    type_key = forms.ChoiceField(label=_("message type"), choices=())

    class Meta:
        model = AccessGrant
        fields = ["consumer", "type_key", "rate_limit_per_minute", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        type_field = self.fields["type_key"]
        assert isinstance(type_field, forms.ChoiceField)  # noqa: S101 - declared above
        type_field.choices = [
            (key, f"{key}: {t.title}") for key, t in sorted(message_types().items())
        ]


@admin.register(AccessGrant)
class AccessGrantAdmin(admin.ModelAdmin):
    form = AccessGrantForm
    list_display = ["consumer", "type_key", "rate_limit_per_minute", "active", "updated_at"]
    list_filter = ["active", "consumer"]
    search_fields = ["consumer__code", "type_key"]
    list_select_related = ["consumer"]

    def save_model(self, request: HttpRequest, obj: AccessGrant, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            action="exchange.access_granted" if obj.active else "exchange.access_revoked",
            actor=request.user,
            obj=obj,
            details={
                "consumer": obj.consumer.code,
                "message_type": obj.type_key,
                "rate_limit_per_minute": obj.rate_limit_per_minute,
            },
        )


class MessageEventInline(admin.TabularInline):
    model = MessageEvent
    fields = ("at", "state", "attempt", "detail")
    readonly_fields = fields
    ordering = ["at", "id"]
    extra = 0
    can_delete = False
    verbose_name = _("timeline entry")
    verbose_name_plural = _("timeline")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("exchange.view_exchangemessage")  # part of the message


class TypeFilter(admin.SimpleListFilter):
    title = _("message type")
    parameter_name = "type"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(key, key) for key in sorted(message_types())]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(type_key=self.value()) if self.value() else queryset


def _payload_html(value: Any) -> str:
    return format_html(
        '<pre class="readonly">{}</pre>', json.dumps(value, ensure_ascii=False, indent=2)
    )


@admin.register(ExchangeMessage)
class ExchangeMessageAdmin(admin.ModelAdmin):
    """The log is read-only: messages change only by the bus (and the re-send action)."""

    list_display = [
        "id",
        "type_key",
        "sender",
        "recipient",
        "status",
        "attempts",
        "created_at",
        "deadline",
        "error_code",
        "test",
    ]
    list_filter = [
        "status",
        TypeFilter,
        "sender",
        "recipient",
        "channel",
        "synchronous",
        "test",
        ("created_at", admin.DateFieldListFilter),
    ]
    list_select_related = ["sender", "recipient"]
    search_fields = ["type_key"]
    search_help_text = _(
        "A message id or correlation id (UUID), a system code or the start of a message type."
    )
    ordering = ["-created_at"]
    show_full_result_count = False
    inlines = [MessageEventInline]
    actions = ["resend"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "id",
                    "correlation_id",
                    "type_key",
                    "sender",
                    "recipient",
                    "channel",
                    "synchronous",
                    "test",
                    "status",
                    "attempts",
                    "created_at",
                    "deadline",
                    "next_attempt_at",
                    "answered_at",
                    "error_code",
                    "error_message",
                    "callback",
                ]
            },
        ),
        (
            _("Payloads"),
            {
                "fields": [
                    "request_payload_view",
                    "response_payload_view",
                    "error_details_view",
                    "attachments",
                ]
            },
        ),
        (
            _("Signatures"),
            {
                "classes": ["collapse"],
                "fields": [
                    "signature_key_id",
                    "signature",
                    "response_key_id",
                    "response_signature",
                ],
            },
        ),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [str(name) for _, spec in self.fieldsets for name in spec["fields"]]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the purge task deletes, by retention

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("exchange.resend_message")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        try:
            value = uuid.UUID(term)
        except ValueError:
            condition = (
                Q(type_key__startswith=term) | Q(sender__code=term) | Q(recipient__code=term)
            )
            return queryset.filter(condition), False
        return queryset.filter(Q(pk=value) | Q(correlation_id=value)), False

    def _may_see_payload(self, request: HttpRequest) -> bool:
        return request.user.has_perm(PAYLOAD_PERMISSION)

    @admin.display(description=_("request payload"))
    def request_payload_view(self, message: ExchangeMessage) -> str:
        if not getattr(message, "_payload_visible", False):
            return str(_("hidden (needs the permission to see payloads)"))
        return _payload_html(message.request_payload)

    @admin.display(description=_("response payload"))
    def response_payload_view(self, message: ExchangeMessage) -> str:
        if not getattr(message, "_payload_visible", False):
            return str(_("hidden (needs the permission to see payloads)"))
        return "—" if message.response_payload is None else _payload_html(message.response_payload)

    @admin.display(description=_("error details"))
    def error_details_view(self, message: ExchangeMessage) -> str:
        if not getattr(message, "_payload_visible", False):
            return str(_("hidden (needs the permission to see payloads)"))
        return "—" if not message.error_details else _payload_html(message.error_details)

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        message = super().get_object(request, object_id, from_field)
        if message is not None and self._may_see_payload(request):
            message._payload_visible = True
        return message

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method == "GET" and self._may_see_payload(request):
            audit_record(
                action="exchange.payload_viewed",
                actor=request.user,
                object_type="exchange.exchangemessage",
                object_id=object_id,
            )
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(
        description=_("Send again (dead letters and timed-out messages)"),
        permissions=["resend"],
    )
    def resend(self, request: HttpRequest, queryset: QuerySet[ExchangeMessage]) -> None:
        sent = skipped = 0
        for message_id in queryset.values_list("pk", flat=True):
            try:
                services.message_resend(message_id=message_id, actor=request.user)
            except DomainError:
                skipped += 1
            else:
                sent += 1
        if sent:
            self.message_user(
                request,
                ngettext(
                    "%(count)d message queued again.", "%(count)d messages queued again.", sent
                )
                % {"count": sent},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d message skipped: only dead letters and timed-out messages of "
                    "systems the portal signs for can be sent again.",
                    "%(count)d messages skipped: only dead letters and timed-out messages of "
                    "systems the portal signs for can be sent again.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )
