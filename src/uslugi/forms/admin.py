"""Definitions in the admin: drafts editable, published and retired versions read-only.

Edits go through `definition_store` (lint + audit); lifecycle moves through
`version_transition` (the "testing", "retire" actions; approval and publication need
a protocol and a change number, given with `uslugi forms` or the API of a later issue).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from uslugi.core.errors import DomainError
from uslugi.forms import services
from uslugi.forms.constants import VersionStatus
from uslugi.forms.models import DefinitionVersion, ServiceDefinition


@admin.register(ServiceDefinition)
class ServiceDefinitionAdmin(admin.ModelAdmin[ServiceDefinition]):
    list_display = ("code", "variant", "kind", "title")
    search_fields = ("code", "variant", "title")
    readonly_fields = ("code", "variant", "kind", "title")


@admin.register(DefinitionVersion)
class DefinitionVersionAdmin(admin.ModelAdmin[DefinitionVersion]):
    list_display = ("definition", "number", "status", "change_number", "effective_from")
    list_filter = ("status",)
    search_fields = ("definition__code",)
    actions = ("to_testing", "retire")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        frozen = (
            "definition", "number", "status", "digest", "source_file", "test_protocol",
            "change_number", "effective_from", "published_at", "retired_at",
        )  # fmt: skip
        if obj is None or obj.status != VersionStatus.DRAFT:
            return (*frozen, "document")
        return frozen

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # versions come from `uslugi forms load` or a draft's edit

    def save_model(
        self, request: HttpRequest, obj: DefinitionVersion, form: Any, change: bool
    ) -> None:
        try:
            services.definition_store(
                document=obj.document, source_file=obj.source_file, actor=request.user
            )
        except DomainError as exc:
            self.message_user(request, exc.text, messages.ERROR)

    def _move(
        self, request: HttpRequest, queryset: QuerySet[DefinitionVersion], target: str
    ) -> None:
        for version in queryset:
            try:
                services.version_transition(version=version, target=target, actor=request.user)
            except DomainError as exc:
                self.message_user(request, f"{version}: {exc.text}", messages.ERROR)

    @admin.action(description=_("Send to testing"))
    def to_testing(self, request: HttpRequest, queryset: QuerySet[DefinitionVersion]) -> None:
        self._move(request, queryset, VersionStatus.TESTING)

    @admin.action(description=_("Retire"))
    def retire(self, request: HttpRequest, queryset: QuerySet[DefinitionVersion]) -> None:
        self._move(request, queryset, VersionStatus.RETIRED)
