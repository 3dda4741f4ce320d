"""Where an application goes, and what the agency receives (from the definition).

`department_for` reads the definition's `routing`: a fixed department code, or the
region's or municipality's own department for a slug (catalogue codes
`r<region>-<slug>`, `m<municipality>-<slug>`) taken from an address answer, with a
fallback when the answer has none; `office_for` the office an `office` answer names. `agency_payload` applies the `mapping` (target
path → expression over the answers); without a mapping the agency gets the answers.
"""

from __future__ import annotations

import copy
from typing import Any

from uslugi.forms.logic import evaluate


def department_for(document: dict[str, Any], answers: dict[str, Any]) -> str:
    """The catalogue code of the department an application with these answers goes to."""
    routing = document.get("routing")
    if routing is None:
        return ""
    if "by" not in routing:
        return str(routing["department"])
    address = answers.get(routing["field"]) or {}
    code = address.get("region" if routing["by"] == "region" else "municipality")
    if not code:
        return str(routing.get("fallback", ""))
    prefix = "r" if routing["by"] == "region" else "m"
    return f"{prefix}{code}-{routing['department']}"


def office_for(document: dict[str, Any], answers: dict[str, Any]) -> str:
    """The office code the answer to the routing's `office` field names ("" if none)."""
    name = (document.get("routing") or {}).get("office")
    value = answers.get(name) if name else None
    return value if isinstance(value, str) else ""


def _put(target: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value


def agency_payload(document: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """The payload the agency receives: the mapping applied, empty values left out."""
    mapping = document.get("mapping")
    if not mapping:
        return copy.deepcopy(answers)
    payload: dict[str, Any] = {}
    for path, rule in mapping.items():
        value = evaluate(rule, answers)
        if value not in (None, "", [], {}):
            _put(payload, path, copy.deepcopy(value))
    return payload


def mapped_sources(document: dict[str, Any]) -> dict[str, str]:
    """Target path → the answer path it copies (only plain `var` mappings)."""
    found = {}
    for path, rule in (document.get("mapping") or {}).items():
        if isinstance(rule, dict) and set(rule) == {"var"}:
            var = rule["var"]
            name = var[0] if isinstance(var, list) else var
            if isinstance(name, str):
                found[path] = name
    return found
