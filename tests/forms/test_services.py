from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command

from uslugi.core.audit import AuditEntry
from uslugi.forms.constants import VersionStatus
from uslugi.forms.definitions import services_root
from uslugi.forms.errors import (
    DefinitionNotFound,
    DefinitionRejected,
    TransitionNotAllowed,
    VersionImmutable,
)
from uslugi.forms.models import DefinitionVersion, ServiceDefinition
from uslugi.forms.selectors import version_current
from uslugi.forms.services import definition_store, definitions_load, version_transition

pytestmark = pytest.mark.django_db

PROTOCOL = {"cases": [{"case": "happy path", "result": "passed"}], "approver": "Agency QA"}


def _document() -> dict[str, Any]:
    path = services_root() / "foreign-passport" / "new-type.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _publish(version: DefinitionVersion, change: str = "CH-1") -> DefinitionVersion:
    version = version_transition(version=version, target=VersionStatus.TESTING)
    version = version_transition(version=version, target=VersionStatus.APPROVED, protocol=PROTOCOL)
    return version_transition(version=version, target=VersionStatus.PUBLISHED, change_number=change)


def test_load_is_idempotent(capsys: pytest.CaptureFixture[str]) -> None:
    first = definitions_load()
    assert len(first.created) >= 2
    assert not first.problems
    second = definitions_load()
    assert second.created == []
    assert second.updated == []
    assert sorted(second.unchanged) == sorted(first.created)
    call_command("forms", "load")
    assert '"unchanged"' in capsys.readouterr().out
    assert ServiceDefinition.objects.filter(code="foreign-passport").count() == 1


def test_changed_draft_is_updated_in_place() -> None:
    doc = _document()
    version, outcome = definition_store(document=doc)
    assert (outcome, version.number) == ("created", 1)
    doc["title"] = "Changed title"
    again, outcome = definition_store(document=doc)
    assert (outcome, again.pk, again.number) == ("updated", version.pk, 1)
    assert again.definition.title == "Changed title"


def test_invalid_document_refused() -> None:
    doc = _document()
    doc["steps"][0]["fields"][0]["type"] = "colour"
    with pytest.raises(DefinitionRejected):
        definition_store(document=doc)


def test_lifecycle_and_audit() -> None:
    version, _ = definition_store(document=_document())
    with pytest.raises(TransitionNotAllowed):
        version_transition(version=version, target=VersionStatus.PUBLISHED, change_number="X")
    version = version_transition(version=version, target=VersionStatus.TESTING)
    with pytest.raises(DefinitionNotFound):
        version_current(code="foreign-passport")
    assert version_current(code="foreign-passport", include_testing=True) == version
    with pytest.raises(TransitionNotAllowed):
        version_transition(version=version, target=VersionStatus.APPROVED, protocol={})
    version = version_transition(version=version, target=VersionStatus.APPROVED, protocol=PROTOCOL)
    assert version.test_protocol["approver"] == "Agency QA"
    with pytest.raises(TransitionNotAllowed):
        version_transition(version=version, target=VersionStatus.PUBLISHED)
    version = version_transition(
        version=version, target=VersionStatus.PUBLISHED, change_number="CH-7"
    )
    assert version.change_number == "CH-7"
    assert version.published_at is not None
    assert version_current(code="foreign-passport") == version
    actions = list(
        AuditEntry.objects.filter(object_id=str(version.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "forms.version_created",
        "forms.version_testing",
        "forms.version_approved",
        "forms.version_published",
    ]


def test_published_version_is_immutable() -> None:
    version = _publish(definition_store(document=_document())[0])
    version.document = {**version.document, "title": "Tampered"}
    with pytest.raises(VersionImmutable):
        version.save()
    fresh = DefinitionVersion.objects.get(pk=version.pk)
    with pytest.raises(VersionImmutable):
        fresh.delete()
    with pytest.raises(VersionImmutable):
        version_transition(version=fresh, target=VersionStatus.DRAFT)
    retired = version_transition(version=fresh, target=VersionStatus.RETIRED)
    assert retired.retired_at is not None
    with pytest.raises(VersionImmutable):
        version_transition(version=retired, target=VersionStatus.PUBLISHED, change_number="X")


def test_new_file_beside_published_version_is_a_new_draft_and_replaces_it() -> None:
    doc = _document()
    v1 = _publish(definition_store(document=doc)[0])
    changed = copy.deepcopy(doc)
    changed["fee"]["amount"] = "2500.00"
    v2, outcome = definition_store(document=changed)
    assert (outcome, v2.number, v2.status) == ("created", 2, VersionStatus.DRAFT)
    assert DefinitionVersion.objects.get(pk=v1.pk).document == doc
    v2 = _publish(v2, change="CH-2")
    assert DefinitionVersion.objects.get(pk=v1.pk).status == VersionStatus.RETIRED
    assert version_current(code="foreign-passport") == v2
    assert AuditEntry.objects.filter(action="forms.version_retired", object_id=str(v1.pk)).exists()


def test_load_reports_broken_files_and_keeps_good_ones(tmp_path: Path) -> None:
    (tmp_path / "foreign-passport").mkdir()
    (tmp_path / "foreign-passport" / "new-type.yaml").write_text(
        yaml.safe_dump(_document(), allow_unicode=True), encoding="utf-8"
    )
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "main.yaml").write_text("code: [", encoding="utf-8")
    report = definitions_load(root=tmp_path)
    assert len(report.created) == 1
    assert [p.path for p in report.problems] == ["/"]
