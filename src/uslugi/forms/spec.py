"""The human-readable specification of a version, for integrators (generated)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from uslugi.forms.constants import NON_INPUT_TYPES
from uslugi.forms.definitions import iter_fields
from uslugi.forms.files import accepted_labels as files_labels
from uslugi.forms.logic import describe
from uslugi.forms.payload import field_schema

_CONSTRAINT_KEYS = (
    "min_length", "max_length", "pattern", "min", "max", "min_date", "max_date",
    "min_items", "max_items", "accept", "max_size_kb", "max_files", "prefill",
)  # fmt: skip


@dataclass(frozen=True)
class SpecRow:
    step: str
    code: str
    label: str
    type: str
    json_type: str
    required: str
    condition: str
    constraints: str
    options: str
    example: str
    depth: int


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def spec_rows(document: dict[str, Any]) -> list[SpecRow]:
    """One row per answer of the payload, in form order, groups' inner fields indented."""
    rows = []
    for step in document["steps"]:
        for path, field in iter_fields(step["fields"], ""):
            if field["type"] in NON_INPUT_TYPES:
                continue
            depth = path.count("/fields/")
            required = (
                "yes" if field.get("required") else ("if" if "required_if" in field else "no")
            )
            schema = field_schema(field)
            constraints = [f"{k}={_json(field[k])}" for k in _CONSTRAINT_KEYS if k in field]
            if field.get("locked"):
                constraints.append("locked")
            rows.append(
                SpecRow(
                    step=step["id"],
                    code=field["name"],
                    label=field.get("label", ""),
                    type=field["type"],
                    json_type=str(schema.get("type", "")),
                    required=required,
                    condition=_json(field["visible_if"]) if "visible_if" in field else "",
                    constraints=", ".join(constraints),
                    options=", ".join(o["value"] for o in field.get("options", [])),
                    example=_json(field["example"]) if "example" in field else "",
                    depth=depth,
                )
            )
    return rows


def mapping_rows(document: dict[str, Any]) -> list[tuple[str, str]]:
    """(agency payload path, where its value comes from) for the spec page."""
    return [(path, _json(rule)) for path, rule in (document.get("mapping") or {}).items()]


def _labels(document: dict[str, Any]) -> dict[str, str]:
    return {
        field["name"]: str(field.get("label", field["name"]))
        for step in document["steps"]
        for _path, field in iter_fields(step["fields"], "")
    }


def _option_words(field: dict[str, Any]) -> str:
    return "; ".join(str(o["label"]) for o in field.get("options", []))


def instruction_steps(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The call-centre operators' instruction: per step, what to ask and when, in words.

    Generated from the definition like the specification, never hand-kept.
    """
    labels = _labels(document)
    choices = {
        field["name"]: {o["value"]: str(o["label"]) for o in field["options"]}
        for step in document["steps"]
        for _path, field in iter_fields(step["fields"], "")
        if "options" in field
    }
    yes, no = str(gettext("yes")), str(gettext("no"))
    steps = []
    for step in document["steps"]:
        items = []
        for _path, field in iter_fields(step["fields"], ""):
            kind = field["type"]
            item: dict[str, Any] = {
                "label": str(field.get("label", "")),
                "text": str(field.get("text", "")),
                "hint": str(field.get("hint", "")),
                "kind": kind,
                "info": kind == "info",
                "group": kind == "group",
                "required": bool(field.get("required")),
                "options": _option_words(field),
                "from_registry": "options_from" in field,
                "prefilled": field.get("prefill", ""),
                "locked": bool(field.get("locked")),
                "accept": files_labels(field) if kind == "file" else "",
            }
            for key in ("visible_if", "required_if"):
                if key in field:
                    item[key] = describe(field[key], labels, yes=yes, no=no, choices=choices)
            items.append(item)
        steps.append(
            {
                "title": str(step["title"]),
                "visible_if": describe(step["visible_if"], labels, yes=yes, no=no, choices=choices)
                if "visible_if" in step
                else "",
                "items": items,
                "checks": [str(c["message"]) for c in step.get("checks", [])],
            }
        )
    return steps
