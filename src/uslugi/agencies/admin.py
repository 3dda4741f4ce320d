from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from uslugi.agencies.integration import webhook_secret_new
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


class AgencySystemForm(forms.ModelForm):
    # Django 6 assumes https for a URL typed without a scheme: so do we already.
    webhook_url = forms.URLField(
        label=_("webhook URL"), max_length=500, required=False, assume_scheme="https"
    )

    class Meta:
        model = AgencySystem
        fields = "__all__"  # noqa: DJ007 - the admin's own form: every field is edited there
        help_texts = {
            "webhook_secret": _(
                "Webhooks are signed with it (HMAC-SHA256). Left empty with a webhook URL: "
                "a random one is made."
            )
        }

    def clean_webhook_secret(self) -> str:
        secret = str(self.cleaned_data.get("webhook_secret") or "").strip()
        if not secret and self.cleaned_data.get("webhook_url"):
            return webhook_secret_new()
        return secret


@admin.register(AgencySystem)
class AgencySystemAdmin(admin.ModelAdmin):
    """Systems and their switches; credentials come from `uslugi agency_system create`
    (the client secret is shown once there and kept hashed)."""

    form = AgencySystemForm

    list_display = ("name", "department", "is_test", "active", "webhook_url", "created_at")
    list_filter = ("is_test", "active")
    search_fields = ("name", "department__code")
    autocomplete_fields = ("department",)
    readonly_fields = ("oauth_application",)
    list_select_related = ("department",)
