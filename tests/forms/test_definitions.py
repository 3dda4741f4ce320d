from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from uslugi.forms.definitions import check_all, lint_document, services_root

BROKEN = Path(__file__).parent / "broken"

# Each broken definition and the path its first problem names.
EXPECTED = {
    "bad-range": ("/steps/0/fields/0/min_items", "greater than"),
    "bad-type": ("/steps/0/fields/0/type", "'colour' is not one of"),
    "code-mismatch": ("/code", "does not match folder"),
    "duplicate-name": ("/steps/1/fields/0/name", "duplicate field name 'surname'"),
    "info-no-exchange": ("/exchange", "needs an exchange request"),
    "locked-no-prefill": ("/steps/0/fields/0/locked", "needs a prefill source"),
    "not-yaml": ("/", "cannot read the file as YAML"),
    "select-no-options": ("/steps/0/fields/1", "needs options or options_from"),
    "unknown-operator": ("/steps/0/fields/1/visible_if", "unknown operator '__import__'"),
    "unknown-var": ("/steps/0/fields/1/visible_if", "unknown field 'maried'"),
    "check-unknown-field": ("/steps/0/checks/0/field", "no field 'finish'"),
    "options-unknown-source": ("/steps/0/fields/0/options_from/source", "no prefill source"),
    "routing-not-address": ("/routing/field", "needs an address field"),
    "text-one-language": ("/title", "with both languages"),
    "unknown-type": ("/exchange/type", "unknown message type 'gibdd.fine/1'"),
    "group-check-var": ("/steps/0/fields/0/checks/0/rule", "unknown field 'today'"),
    "office-no-department": ("/steps/0/fields/0", "needs the department"),
    "office-in-group": ("/steps/0/fields/0/fields/0/type", "cannot be inside a group"),
    "routing-office-not-office": ("/routing/office", "no office field 'surname'"),
}


def test_shipped_definitions_are_valid() -> None:
    good, problems = check_all(services_root())
    assert problems == []
    assert {d.document["code"] for d in good} >= {"foreign-passport", "gibdd-fines"}


def test_every_broken_example_is_tested() -> None:
    assert {p.name for p in BROKEN.iterdir() if p.is_dir()} == set(EXPECTED)


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_broken_definition_reports_file_path_reason(code: str) -> None:
    good, problems = check_all(BROKEN)
    assert good == []
    mine = [p for p in problems if p.file == f"broken/{code}/main.yaml"]
    path, reason = EXPECTED[code]
    assert mine, code
    assert mine[0].path == path
    assert reason in mine[0].reason
    assert str(mine[0]).startswith(f"broken/{code}/main.yaml:{path}:")


def test_check_command_passes_on_shipped(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("forms", "check")
    assert "definition(s) valid" in capsys.readouterr().out


def test_check_command_fails_on_broken(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(CommandError, match="problem"):
        call_command("forms", "check", str(BROKEN))
    err = capsys.readouterr().err
    for code, (path, _reason) in EXPECTED.items():
        assert f"broken/{code}/main.yaml:{path}:" in err


def test_lint_refuses_a_non_mapping() -> None:
    problems = lint_document(["not", "a", "definition"], file="x.yaml")
    assert problems
    assert problems[0].path == "/"


def test_fast_and_reporting_validators_agree() -> None:
    """jsonschema-rs says valid or not; the Python validator explains; they must agree."""
    import yaml

    from uslugi.forms.definitions import _fast_validator, format_validator

    paths = sorted(services_root().glob("*/*.yaml")) + sorted(BROKEN.glob("*/*.yaml"))
    checked = 0
    for path in paths:
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError:
            continue
        slow_valid = not list(format_validator().iter_errors(document))
        assert _fast_validator().is_valid(document) == slow_valid, path
        checked += 1
    assert checked >= 20
