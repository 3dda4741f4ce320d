"""Service definitions and their versions (the lifecycle lives in services.py)."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from uslugi.core import clock
from uslugi.core.fields import EncryptedJSONField, EncryptedTextField
from uslugi.core.models import BaseModel
from uslugi.forms.constants import ServiceKind, VersionStatus
from uslugi.forms.definitions import localize
from uslugi.forms.errors import VersionImmutable


class ServiceDefinition(BaseModel):
    """One variant of a service (`code` + `variant`), with its versions."""

    code = models.CharField(_("service code"), max_length=64)
    variant = models.CharField(_("variant"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=ServiceKind.choices)
    title = models.CharField(_("title"), max_length=300)

    class Meta:
        verbose_name = _("service definition")
        verbose_name_plural = _("service definitions")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "variant"], name="forms_definition_code_variant"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}/{self.variant}"


_LOCALIZED: dict[tuple[str, str], dict[str, Any]] = {}
_LOCALIZED_MAX = 256


def _localized(digest: str, language: str, document: dict[str, Any]) -> dict[str, Any]:
    key = (digest, language)
    found = _LOCALIZED.get(key)
    if found is None:
        if len(_LOCALIZED) >= _LOCALIZED_MAX:
            _LOCALIZED.clear()
        found = _LOCALIZED[key] = cast(dict[str, Any], localize(document, language))
    return found


class DefinitionVersion(BaseModel):
    """A numbered version of a definition; frozen once published."""

    definition = models.ForeignKey(
        ServiceDefinition, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version number"))
    status = models.CharField(
        _("status"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    document = models.JSONField(_("definition document"))
    digest = models.CharField(_("content digest"), max_length=64)
    source_file = models.CharField(_("source file"), max_length=300, blank=True)
    test_protocol = models.JSONField(_("test protocol"), default=dict, blank=True)
    change_number = models.CharField(_("change number"), max_length=64, blank=True)
    effective_from = models.DateTimeField(_("effective from"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        verbose_name = _("definition version")
        verbose_name_plural = _("definition versions")
        ordering = ["definition", "-number"]
        # Testers fill in testing versions; their drafts are marked as test.
        permissions = [("test_definitions", _("Can fill in testing versions of forms"))]
        constraints = [
            models.UniqueConstraint(fields=["definition", "number"], name="forms_version_number"),
        ]

    def __str__(self) -> str:
        return f"{self.definition_id} v{self.number} ({self.status})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A published (or retired) version's content is frozen: only the move to retired,
        # which touches the lifecycle columns alone, may be saved.
        if not self._state.adding:
            stored = (
                DefinitionVersion.objects.filter(pk=self.pk)
                .values("status", "document", "digest", "number")
                .first()
            )
            if stored and stored["status"] in {VersionStatus.PUBLISHED, VersionStatus.RETIRED}:
                changed = (
                    stored["document"] != self.document
                    or stored["digest"] != self.digest
                    or stored["number"] != self.number
                    or (
                        stored["status"] == VersionStatus.RETIRED
                        and self.status != stored["status"]
                    )
                    or (
                        stored["status"] == VersionStatus.PUBLISHED
                        and self.status not in {VersionStatus.PUBLISHED, VersionStatus.RETIRED}
                    )
                )
                if changed:
                    raise VersionImmutable()
        super().save(*args, **kwargs)

    def localized(self, language: str | None = None) -> dict[str, Any]:
        """The document with its texts in one language (the active one by default).

        Cached per version content and language: published versions never change and a
        draft's new content has a new digest.
        """
        language = (language or get_language() or "ru")[:2]
        if not self.digest or self.status == VersionStatus.DRAFT:
            return cast(dict[str, Any], localize(self.document, language))
        return _localized(f"{self.pk}:{self.digest}", language, self.document)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.status in {VersionStatus.PUBLISHED, VersionStatus.RETIRED}:
            raise VersionImmutable()
        return super().delete(*args, **kwargs)


class Draft(BaseModel):
    """A person's unfinished form: answers so far (encrypted) and where they stopped."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="form_drafts"
    )
    version = models.ForeignKey(DefinitionVersion, on_delete=models.PROTECT, related_name="drafts")
    data: Any = EncryptedJSONField(_("answers"), default=dict)
    # Prefilled values the definition locks: kept server-side, never taken from a POST.
    locked: Any = EncryptedJSONField(_("locked prefilled values"), default=dict)
    # Answers of the definition's exchange prefill sources: {name: answer or None}.
    sources: Any = EncryptedJSONField(_("prefill source answers"), default=dict)
    current_step = models.CharField(_("current step"), max_length=64, blank=True)
    last_activity = models.DateTimeField(_("last activity"), default=clock.now, db_index=True)
    # When the person was told this draft will expire (for its current last_activity).
    reminded_at = models.DateTimeField(_("expiry reminder sent"), null=True, blank=True)
    is_test = models.BooleanField(_("test"), default=False)

    class Meta:
        verbose_name = _("form draft")
        verbose_name_plural = _("form drafts")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "version"], name="forms_draft_account_version"
            ),
        ]

    def __str__(self) -> str:
        return f"draft {self.pk} of {self.version_id}"


def _upload_path(instance: Upload, filename: str) -> str:
    # The stored name says nothing about the file: its content is encrypted anyway.
    return f"forms/{instance.created_at:%Y/%m}/{instance.pk}"


class Upload(BaseModel):
    """A file attached to a draft's answer; its content encrypted at rest (AES-GCM).

    The type was told by content when it came in; `sha256` is of the plain content.
    """

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="form_uploads"
    )
    draft = models.ForeignKey(
        Draft, on_delete=models.SET_NULL, null=True, blank=True, related_name="uploads"
    )
    field = models.CharField(_("field"), max_length=64)
    name: Any = EncryptedTextField(_("file name"))
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    file = models.FileField(_("stored file"), upload_to=_upload_path, max_length=200)

    class Meta:
        verbose_name = _("uploaded file")
        verbose_name_plural = _("uploaded files")

    def __str__(self) -> str:
        return f"upload {self.pk} ({self.content_type}, {self.size} B)"

    def descriptor(self) -> dict[str, Any]:
        """The answer's value for this file (the payload schema's file object)."""
        return {
            "id": str(self.pk),
            "name": str(self.name),
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
        }


class InformationAnswer(BaseModel):
    """An information service's answer, kept for the person's history (encrypted)."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="information_answers"
    )
    version = models.ForeignKey(DefinitionVersion, on_delete=models.PROTECT, related_name="+")
    service_code = models.CharField(_("service code"), max_length=64)
    status = models.CharField(_("status"), max_length=20)
    error_code = models.CharField(_("error code"), max_length=40, blank=True)
    request: Any = EncryptedJSONField(_("request"), default=dict)
    response: Any = EncryptedJSONField(_("answer"), default=dict)
    is_test = models.BooleanField(_("test"), default=False)

    class Meta:
        verbose_name = _("information service answer")
        verbose_name_plural = _("information service answers")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["account", "-created_at"], name="forms_answer_account_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.service_code} {self.status}"
