"""Admin: template versions (edited by adding a version), the delivery log, preferences."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template import TemplateSyntaxError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from uslugi.notifications import rendering, services
from uslugi.notifications.models import (
    DeliveryAttempt,
    Notification,
    NotificationTemplate,
    Preference,
)


class TemplateForm(forms.ModelForm):
    class Meta:
        model = NotificationTemplate
        fields = ("event", "channel", "language", "subject", "body", "note")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        event = data.get("event") or getattr(self.instance, "event", "")
        if event and "body" in data:
            try:
                rendering.validate(event=event, subject=data.get("subject", ""), body=data["body"])
            except TemplateSyntaxError as exc:
                raise forms.ValidationError(
                    _("The template does not work: %(error)s"), params={"error": exc}
                ) from None
        return data


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    """Saving never edits a version: it adds the next one, which is used from then on."""

    form = TemplateForm
    list_display = ("event", "channel", "language", "version", "created_at", "author", "note")
    list_filter = ("event", "channel", "language")
    search_fields = ("event", "subject", "note")
    readonly_fields = ("version", "author", "created_at", "preview")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = super().get_readonly_fields(request, obj)
        # A new version of an existing template keeps its event, channel and language.
        return (*fields, "event", "channel", "language") if obj is not None else fields

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        base = ["event", "channel", "language", "subject", "body", "note"]
        return [*base, "version", "author", "created_at", "preview"] if obj else base

    @admin.display(description=_("preview with sample values"))
    def preview(self, obj: NotificationTemplate) -> str:
        context = {**rendering.sample_context(obj.event), "link": "https://example.test/"}
        try:
            subject = rendering.render_text(obj.subject, context, obj.language)
            body = rendering.render_text(obj.body, context, obj.language)
        except Exception as exc:  # noqa: BLE001 - shown to the editor, not raised
            return f"{type(exc).__name__}: {exc}"
        return format_html("<strong>{}</strong><pre>{}</pre>", subject, body)

    def save_model(
        self, request: HttpRequest, obj: NotificationTemplate, form: Any, change: bool
    ) -> None:
        version = services.template_version_add(
            event=obj.event,
            channel=obj.channel,
            language=obj.language,
            subject=obj.subject,
            body=obj.body,
            note=obj.note,
            author=request.user,
        )
        # The admin goes on with the new version (its messages and redirect name it).
        obj.pk, obj.version, obj.author, obj.created_at = (
            version.pk,
            version.version,
            version.author,
            version.created_at,
        )
        obj._state.adding = False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the history of what people were sent stays


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ("number", "started_at", "finished_at", "outcome", "error")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The delivery log. The texts are not shown: they are the person's correspondence."""

    list_display = (
        "created_at", "event", "channel", "status", "attempts", "sent_at", "read_at", "last_error",
    )  # fmt: skip
    list_filter = ("status", "channel", "event", "skip_reason")
    search_fields = ("event_id", "event")
    date_hierarchy = "created_at"
    list_select_related = False
    fields = (
        "recipient", "event", "event_id", "channel", "language", "template", "link", "status",
        "skip_reason", "attempts", "next_attempt_at", "claimed_at", "sent_at", "last_error",
        "reference", "read_at", "created_at",
    )  # fmt: skip
    readonly_fields = fields
    inlines = (DeliveryAttemptInline,)
    actions = ("requeue",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Send the selected failed or skipped notifications again"))
    def requeue(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = services.notifications_requeue(ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext(
                "%(count)d notification queued again.",
                "%(count)d notifications queued again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ("account", "event", "channel", "enabled", "updated_at")
    list_filter = ("event", "channel", "enabled")
    fields = ("account", "event", "channel", "enabled", "updated_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
