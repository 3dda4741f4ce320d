"""An application's answers laid out as its form's specification: steps, field labels."""

from __future__ import annotations

from typing import Any

from uslugi.forms import engine
from uslugi.forms.answers import field_text
from uslugi.forms.logic import truthy


def sections(document: dict[str, Any], answers: dict[str, Any]) -> list[dict[str, Any]]:
    """The visible steps of the (localized) definition, each with its answered fields."""
    laid_out = []
    for step in engine.visible_steps(document, answers):
        rows = [
            {"key": f.get("label", f["name"]), "value": field_text(f, answers.get(f["name"]))}
            for f in step.get("fields", [])
            if f.get("type") != "info" and truthy(f.get("visible_if"), answers)
        ]
        laid_out.append({"title": step.get("title", ""), "rows": rows})
    return laid_out
