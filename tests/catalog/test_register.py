"""Import and export of the register: validation names record and field; a bad file
changes nothing; history records each change."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from uslugi.catalog import errors, register, selectors, services
from uslugi.catalog.models import Service, ServiceVersion

pytestmark = pytest.mark.usefixtures("catalogue")


def record(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": "test-service",
        "level": "regional",
        "department": "r69-social",
        "categories": ["social"],
        "availability": "regions",
        "regions": ["69"],
        "title": {"ru": "Тестовая услуга", "en": "Test service"},
        "description": {"ru": "Описание", "en": "Description"},
        "channels": ["office"],
    }
    data.update(extra)
    return data


def test_import_creates_then_updates_with_history() -> None:
    report = services.register_import(records=[record()])
    assert (report.created, report.updated) == (1, 0)
    service = Service.objects.get(code="test-service")
    assert list(service.regions.values_list("code", flat=True)) == ["69"]
    report = services.register_import(records=[record(title={"ru": "Новое название"})])
    assert (report.created, report.updated) == (0, 1)
    latest = ServiceVersion.objects.filter(service=service).order_by("-number").first()
    assert latest is not None
    assert latest.number == 2
    assert {c["field"] for c in latest.changes} == {"title"}
    assert services.register_import(records=[record(title={"ru": "Новое название"})]).unchanged == 1
    assert "test-service" in selectors.service_search("новое название").codes


def test_a_bad_file_changes_nothing_and_names_each_problem() -> None:
    before = Service.objects.count()
    title_before = Service.objects.get(code="gibdd-fines").title_ru
    good_change = register.snapshot(
        register.services_for_snapshot([Service.objects.get(code="gibdd-fines").id])[0]
    )
    good_change["title"] = {"ru": "Изменено", "en": "Changed"}
    bad = [
        good_change,
        record(code="new-one"),
        record(code="broken", title={"en": "No Russian"}, department="nope", regions=["99"]),
        record(code="broken-2", level="galactic", fee={"amount": "-5"}, channels=["pigeon"]),
        "not an object",
    ]
    with pytest.raises(errors.RegisterFileInvalid) as caught:
        services.register_import(records=bad)
    problems = "\n".join(caught.value.problems)
    assert "record 3 (broken): field 'title.ru': is required" in problems
    assert "record 3 (broken): field 'department'" in problems
    assert "record 3 (broken): field 'regions[0]': unknown region code '99'" in problems
    assert "record 4 (broken-2): field 'level'" in problems
    assert "record 4 (broken-2): field 'fee.amount'" in problems
    assert "record 4 (broken-2): field 'channels[0]'" in problems
    assert "record 5: must be an object" in problems
    assert Service.objects.count() == before
    assert Service.objects.get(code="gibdd-fines").title_ru == title_before
    assert not Service.objects.filter(code="new-one").exists()


def test_duplicate_codes_and_availability_rules() -> None:
    with pytest.raises(errors.RegisterFileInvalid) as caught:
        services.register_import(
            records=[
                record(code="twice"),
                record(code="twice"),
                record(code="nowhere", regions=[]),
                record(code="online-form", online_form_code="x-form"),
            ]
        )
    problems = caught.value.problems
    assert any("record 2 (twice): field 'code': appears twice" in p for p in problems)
    assert any("record 3 (nowhere): field 'regions'" in p for p in problems)
    assert any("record 4 (online-form): field 'online_form_code'" in p for p in problems)


def test_export_then_import_changes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "register.json"
    call_command("catalog", "export", str(target), stdout=io.StringIO())
    data = json.loads(target.read_text())
    assert data["format"] == "uslugi-register"
    assert len(data["services"]) == Service.objects.count()
    report = services.register_import(records=data["services"])
    assert report.created == report.updated == 0
    assert report.unchanged == Service.objects.count()


def test_import_command_reports_problems_and_changes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"services": [record(code="cmd-ok"), record(code="Bad Code")]}))
    with pytest.raises(CommandError) as caught:
        call_command("catalog", "import", str(bad))
    assert "nothing was imported" in str(caught.value)
    assert "record 2" in str(caught.value)
    assert "'code'" in str(caught.value)
    assert not Service.objects.filter(code="cmd-ok").exists()
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"services": [record(code="cmd-ok")]}))
    call_command("catalog", "import", str(good), stdout=io.StringIO())
    assert Service.objects.filter(code="cmd-ok").exists()


def test_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("{nope")
    with pytest.raises(CommandError, match="cannot read the file as JSON"):
        call_command("catalog", "import", str(path))
