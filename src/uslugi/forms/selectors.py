"""Queries over definitions."""

from __future__ import annotations

from django.db.models import Q

from uslugi.core import clock
from uslugi.forms.constants import VersionStatus
from uslugi.forms.errors import DefinitionNotFound
from uslugi.forms.models import DefinitionVersion


def version_current(*, code: str, include_testing: bool = False) -> DefinitionVersion:
    """The version new drafts of a service use: the published one in effect (testers also see testing)."""
    statuses = [VersionStatus.PUBLISHED]
    if include_testing:
        statuses.append(VersionStatus.TESTING)
    version = (
        DefinitionVersion.objects.select_related("definition")
        .filter(definition__code=code, status__in=statuses)
        .filter(Q(effective_from__isnull=True) | Q(effective_from__lte=clock.now()))
        .order_by("-number")
        .first()
    )
    if version is None:
        raise DefinitionNotFound()
    return version


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
