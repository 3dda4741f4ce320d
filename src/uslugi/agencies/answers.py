"""An application's answers laid out as its form's specification: steps, field labels."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language

from uslugi.forms import engine, reference
from uslugi.forms.logic import truthy


def display(field: dict[str, Any], value: Any) -> str:  # noqa: PLR0911 - one return per kind
    """One answer as text, by its field's type."""
    if value is None or value == "":
        return ""
    if field["type"] == "yesno":
        return str(engine.YES_LABEL if value else engine.NO_LABEL)
    if "options" in field:
        labels = {o["value"]: o["label"] for o in field["options"]}
        values = value if isinstance(value, list) else [value]
        return ", ".join(str(labels.get(v, v)) for v in values)
    if field["type"] == "file" and isinstance(value, list):
        return ", ".join(str(d.get("name", "")) for d in value if isinstance(d, dict))
    if field["type"] == "address" and isinstance(value, dict):
        language = get_language() or "ru"
        shown = dict(value)
        if "region" in shown:
            shown["region"] = reference.region_name(shown["region"], language)
        if "municipality" in shown:
            shown["municipality"] = reference.municipality_name(shown["municipality"], language)
        return ", ".join(str(v) for v in shown.values() if v)
    if isinstance(value, dict):
        return ", ".join(str(v) for v in value.values() if v)
    if isinstance(value, list):
        return "; ".join(
            ", ".join(str(v) for v in row.values()) if isinstance(row, dict) else str(row)
            for row in value
        )
    return str(value)


def sections(document: dict[str, Any], answers: dict[str, Any]) -> list[dict[str, Any]]:
    """The visible steps of the (localized) definition, each with its answered fields."""
    laid_out = []
    for step in engine.visible_steps(document, answers):
        rows = [
            {"key": f.get("label", f["name"]), "value": display(f, answers.get(f["name"]))}
            for f in step.get("fields", [])
            if f.get("type") != "info" and truthy(f.get("visible_if"), answers)
        ]
        laid_out.append({"title": step.get("title", ""), "rows": rows})
    return laid_out
