"""The human-readable specification of a version, for integrators (generated)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from uslugi.forms.constants import NON_INPUT_TYPES
from uslugi.forms.definitions import iter_fields
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
