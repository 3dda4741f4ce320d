"""The JSON Schema (2020-12) of the payload an agency receives, derived from a version.

Generated from the definition every time, never hand-kept: the specification page for
integrators and the validation of payloads both read this one function's output.
"""

from __future__ import annotations

from typing import Any, cast

from django.utils.translation import get_language

from uslugi.forms.constants import NON_INPUT_TYPES
from uslugi.forms.routing import mapped_sources

DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

_SCALARS: dict[str, dict[str, Any]] = {
    "text": {"type": "string"},
    "textarea": {"type": "string"},
    "number": {"type": "number"},
    "money": {"type": "string", "pattern": r"^[0-9]+(\.[0-9]{1,2})?$"},
    "date": {"type": "string", "format": "date", "pattern": DATE_PATTERN},
    "yesno": {"type": "boolean"},
    "phone": {"type": "string", "pattern": r"^\+7[0-9]{10}$"},
    "email": {"type": "string", "format": "email", "pattern": r"^[^@\s]+@[^@\s]+\.[^@\s]+$"},
    "snils": {"type": "string", "pattern": r"^[0-9]{3}-[0-9]{3}-[0-9]{3} [0-9]{2}$"},
    "inn": {"type": "string", "pattern": r"^([0-9]{10}|[0-9]{12})$"},
}

_PASSPORT: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["series", "number", "issued_on", "issued_by"],
    "properties": {
        "series": {"type": "string", "pattern": r"^[0-9]{2} ?[0-9]{2}$"},
        "number": {"type": "string", "pattern": r"^[0-9]{6}$"},
        "issued_on": {"type": "string", "format": "date", "pattern": DATE_PATTERN},
        "issued_by": {"type": "string", "minLength": 1},
        "division_code": {"type": "string", "pattern": r"^[0-9]{3}-[0-9]{3}$"},
    },
}

_ADDRESS: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["region", "street", "house"],
    "properties": {
        "region": {"type": "string", "minLength": 1},
        "municipality": {"type": "string"},
        "street": {"type": "string", "minLength": 1},
        "house": {"type": "string", "minLength": 1},
        "flat": {"type": "string"},
    },
}

_FILE: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "content_type", "size", "sha256"],
    "properties": {
        "id": {"type": "string"},
        "name": {"type": "string"},
        "content_type": {"type": "string"},
        "size": {"type": "integer", "minimum": 0},
        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
    },
}


def field_schema(field: dict[str, Any]) -> dict[str, Any]:  # noqa: PLR0912, PLR0915 - one branch per type
    """The schema of one field's value."""
    kind = field["type"]
    schema: dict[str, Any]
    if kind in _SCALARS:
        schema = dict(_SCALARS[kind])
    elif kind in {"select", "radio"} and "options_from" in field:
        schema = {"type": "string", "minLength": 1}  # choices come from a registry's answer
    elif kind == "office":  # an office code of the catalogue, "<region>:<department>"
        schema = {"type": "string", "pattern": r"^[0-9]{2,3}:[a-z0-9][a-z0-9-]{0,62}$"}
    elif kind in {"select", "radio"}:
        schema = {"type": "string", "enum": [o["value"] for o in field["options"]]}
    elif kind == "checkbox":
        schema = {
            "type": "array",
            "uniqueItems": True,
            "items": {"enum": [o["value"] for o in field["options"]]},
        }
    elif kind == "passport":
        schema = dict(_PASSPORT)
    elif kind == "address":
        schema = dict(_ADDRESS)
    elif kind == "file":
        item = dict(_FILE)
        item["properties"] = {**_FILE["properties"], "content_type": {"enum": field["accept"]}}
        if "max_size_kb" in field:
            item["properties"]["size"] = {
                "type": "integer",
                "minimum": 0,
                "maximum": field["max_size_kb"] * 1024,
            }
        schema = {"type": "array", "items": item, "maxItems": field.get("max_files", 1)}
    elif kind == "group":
        schema = {"type": "array", "items": object_schema(field["fields"])}
        if "min_items" in field:
            schema["minItems"] = field["min_items"]
        if "max_items" in field:
            schema["maxItems"] = field["max_items"]
    else:  # pragma: no cover - the format's schema admits no other type
        raise ValueError(kind)
    if kind == "inn" and "pattern" in field:
        schema["pattern"] = field["pattern"]
    if kind in {"text", "textarea"}:
        if "min_length" in field:
            schema["minLength"] = field["min_length"]
        if "max_length" in field:
            schema["maxLength"] = field["max_length"]
        if "pattern" in field:
            schema["pattern"] = field["pattern"]
    if kind == "number":
        if "min" in field:
            schema["minimum"] = field["min"]
        if "max" in field:
            schema["maximum"] = field["max"]
    if "label" in field:
        schema["title"] = field["label"]
    if "hint" in field:
        schema["description"] = field["hint"]
    if "example" in field:
        schema["examples"] = [field["example"]]
    return schema


def object_schema(fields: list[dict[str, Any]]) -> dict[str, Any]:
    """An object of the given fields; unconditionally required ones are required.

    Fields shown or required only under a condition are optional here: the condition
    depends on other answers and is checked by the engine on each step and on submit.
    """
    inputs = [f for f in fields if f["type"] not in NON_INPUT_TYPES]
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [f["name"] for f in inputs if f.get("required") and "visible_if" not in f],
        "properties": {f["name"]: field_schema(f) for f in inputs},
    }


def _texts(document: dict[str, Any]) -> dict[str, Any]:
    """The document with its texts in the active language (a no-op if already so)."""
    from uslugi.forms.definitions import localize

    return cast(dict[str, Any], localize(document, get_language() or "ru"))


def payload_schema(document: dict[str, Any], *, number: int | None = None) -> dict[str, Any]:
    """The JSON Schema (2020-12) of an application payload for this definition."""
    document = _texts(document)
    fields = [f for step in document["steps"] for f in step["fields"]]
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:uslugi:forms:{document['code']}:{document['variant']}:{number or 'draft'}",
        "title": document["title"],
        **object_schema(fields),
    }
    if "description" in document:
        schema["description"] = document["description"]
    return schema


def _object() -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "required": [], "properties": {}}


def agency_schema(document: dict[str, Any], *, number: int | None = None) -> dict[str, Any]:
    """The JSON Schema (2020-12) of what the agency receives: the mapping's output.

    A target copying an answer (`{var: name}` or `{var: name.part}`) gets that answer's
    schema and is required when the answer is; a computed target accepts any value.
    Without a mapping the agency receives the answers (`payload_schema`).
    """
    if not document.get("mapping"):
        return payload_schema(document, number=number)
    document = _texts(document)
    answers = payload_schema(document, number=number)
    root = _object()
    sources = mapped_sources(document)
    for path in document["mapping"]:
        source = sources.get(path)
        schema: dict[str, Any] = {}
        required = False
        if source is not None:
            parts = source.split(".")
            schema = answers["properties"].get(parts[0], {})
            required = parts[0] in answers["required"]
            for part in parts[1:]:
                required = required and part in schema.get("required", [])
                schema = schema.get("properties", {}).get(part, {})
        node = root
        *parents, leaf = path.split(".")
        for part in parents:
            child = node["properties"].setdefault(part, _object())
            if required and part not in node["required"]:
                node["required"].append(part)
            node = child
        node["properties"][leaf] = schema
        if required:
            node["required"].append(leaf)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:uslugi:forms:{document['code']}:{document['variant']}:{number or 'draft'}:agency",
        "title": document["title"],
        **root,
    }
