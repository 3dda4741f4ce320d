"""Queries over definitions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db.models import Q
from django.urls import reverse

from uslugi.core import clock
from uslugi.forms.constants import VersionStatus
from uslugi.forms.errors import DefinitionNotFound
from uslugi.forms.models import DefinitionVersion, Draft, InformationAnswer


def version_current(
    *, code: str, include_testing: bool | Callable[[], bool] = False
) -> DefinitionVersion:
    """The version new drafts of a service use: the published one in effect (testers also
    see a newer testing one). `include_testing` may be a callable, asked only when there
    is a testing version (a permission check costs queries)."""
    candidates = (
        DefinitionVersion.objects.select_related("definition")
        .filter(definition__code=code, status__in=[VersionStatus.PUBLISHED, VersionStatus.TESTING])
        .filter(Q(effective_from__isnull=True) | Q(effective_from__lte=clock.now()))
        .order_by("-number")[:5]
    )
    testers: bool | None = None
    for version in candidates:
        if version.status == VersionStatus.PUBLISHED:
            return version
        if testers is None:
            testers = include_testing() if callable(include_testing) else include_testing
        if testers:
            return version
    raise DefinitionNotFound()


def version_for_spec(*, code: str, number: int | None = None) -> DefinitionVersion:
    """A given version, else the one in effect, else the newest (integrators see drafts too)."""
    versions = DefinitionVersion.objects.select_related("definition").filter(definition__code=code)
    if number is not None:
        found = versions.filter(number=number).first()
    else:
        try:
            return version_current(code=code)
        except DefinitionNotFound:
            found = versions.order_by("-number").first()
    if found is None:
        raise DefinitionNotFound()
    return found


PUBLISHED_URL_CACHE_SECONDS = 30


def published_form_url(form_code: str) -> str:
    """The start page of a service's electronic form when a version is published and in
    effect, else "" (the catalogue's "Apply online" button; see settings.ONLINE_FORM_URL)."""
    key = f"forms:published-url:{form_code}"
    url: str | None = cache.get(key)
    if url is None:
        try:
            version_current(code=form_code)
        except DefinitionNotFound:
            url = ""
        else:
            url = reverse("forms:start", kwargs={"form_code": form_code})
        cache.set(key, url, PUBLISHED_URL_CACHE_SECONDS)
    return url


def draft_on_older_version(*, account: Any, version: DefinitionVersion) -> Draft | None:
    """A draft the person started on an older version of this definition, if they have
    no draft of `version` (drafts keep the version they started with)."""
    if Draft.objects.filter(account=account, version=version).exists():
        return None
    return (
        Draft.objects.select_related("version__definition")
        .filter(
            account=account,
            version__definition_id=version.definition_id,
            version__number__lt=version.number,
            # Test drafts (of testing versions) and real ones never mix.
            is_test=version.status == VersionStatus.TESTING,
        )
        .order_by("-last_activity")
        .first()
    )


def drafts_of(account: Any) -> list[Draft]:
    """The person's drafts, most recently touched first."""
    return list(
        Draft.objects.select_related("version__definition")
        .filter(account=account)
        .order_by("-last_activity")
    )


def draft_of(*, account: Any, draft_id: Any) -> Draft | None:
    """One of the person's own drafts by id (None for anyone else's)."""
    return (
        Draft.objects.select_related("version__definition")
        .filter(account=account, pk=draft_id)
        .first()
    )


def information_answers_of(account: Any, *, limit: int = 10) -> list[InformationAnswer]:
    """The person's latest information-service answers."""
    return list(
        InformationAnswer.objects.select_related("version")
        .filter(account=account)
        .order_by("-created_at")[:limit]
    )


def information_answer_of(*, account: Any, answer_id: Any) -> InformationAnswer | None:
    return (
        InformationAnswer.objects.select_related("version")
        .filter(account=account, pk=answer_id)
        .first()
    )


def draft_of_version(*, account: Any, version: DefinitionVersion) -> Draft | None:
    """The person's draft of this very version (with the version already at hand)."""
    draft = Draft.objects.filter(account=account, version=version).first()
    if draft is not None:
        draft.version = version  # no second query for it
    return draft
