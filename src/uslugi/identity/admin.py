from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from uslugi.identity.models import (
    Account,
    AccountSession,
    CentreOperator,
    Confirmation,
    LoginEvent,
    PostalLetter,
    ServiceCentre,
    SmsMessage,
    StandardVerification,
    VerificationCheck,
)


@admin.register(Account)
class AccountAdmin(UserAdmin):
    ordering = ("-date_joined",)
    list_display = ("__str__", "email", "phone", "level", "confirmation_method", "is_active")
    list_filter = ("level", "confirmation_method", "is_staff", "is_active", "second_factor")
    search_fields = ("email", "phone", "surname", "first_name")
    readonly_fields = (
        "level", "level_changed_at", "confirmation_method", "confirmed_at", "second_factor",
        "password_changed_at", "last_login", "date_joined", "deleted_at",
    )  # fmt: skip
    fieldsets = (
        (None, {"fields": ("email", "phone", "password")}),
        (_("Person"), {"fields": ("surname", "first_name", "patronymic")}),
        (
            _("Level"),
            {"fields": ("level", "level_changed_at", "confirmation_method", "confirmed_at")},
        ),
        (
            _("Sign-in"),
            {"fields": ("second_factor", "must_change_password", "password_changed_at")},
        ),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined", "deleted_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SmsMessage)
class SmsMessageAdmin(ReadOnlyAdmin):
    """The development SMS outbox (the `outbox` gateway)."""

    list_display = ("created_at", "phone", "text")
    fields = ("created_at", "phone", "text")


@admin.register(PostalLetter)
class PostalLetterAdmin(ReadOnlyAdmin):
    """The development letter outbox (the `outbox` postal service)."""

    list_display = ("created_at", "tracking", "recipient")
    fields = ("created_at", "tracking", "recipient", "address", "text")


class CentreOperatorInline(admin.TabularInline):
    model = CentreOperator
    extra = 0
    autocomplete_fields = ("account",)


@admin.register(ServiceCentre)
class ServiceCentreAdmin(admin.ModelAdmin):
    list_display = ("name", "region_code", "region_name", "address", "is_active")
    list_filter = ("region_code", "is_active")
    search_fields = ("name", "address", "region_name")
    inlines = [CentreOperatorInline]


@admin.register(Confirmation)
class ConfirmationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "account", "method", "centre", "operator")
    list_filter = ("method",)
    exclude = ("postal_code",)


@admin.register(LoginEvent)
class LoginEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "account", "outcome", "ip", "user_agent")
    list_filter = ("outcome",)


@admin.register(AccountSession)
class AccountSessionAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "account", "ip", "last_seen_at", "ended_at", "end_reason")
    exclude = ("session_key",)


class VerificationCheckInline(admin.TabularInline):
    model = VerificationCheck
    extra = 0
    can_delete = False
    fields = ("kind", "status", "reason_code", "attempts", "next_attempt_at", "message_ref")
    readonly_fields = fields


@admin.register(StandardVerification)
class StandardVerificationAdmin(ReadOnlyAdmin):
    """Checks of the standard level (the submitted data itself is not shown here)."""

    list_display = ("created_at", "account", "status", "finished_at")
    list_filter = ("status",)
    exclude = ("data",)
    inlines = [VerificationCheckInline]
