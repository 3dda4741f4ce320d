"""Service variant definitions: YAML files under `services/<code>/<variant>.yaml`.

`lint_document` checks a parsed definition against the JSON Schema of the format
(`schema/definition.schema.json`) and then the rules a schema cannot say (unique names,
conditions referring to real fields, ranges the right way round, the file where it
lives). Every problem names the file, the path inside the document and the reason, so
`uslugi forms check` prints lines like `services/x/y.yaml:/steps/0/fields/1/type:...`.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema_rs
import yaml
from django.conf import settings
from jsonschema import Draft202012Validator

from uslugi.exchange.interfaces import message_types
from uslugi.forms.logic import check_rule

SCHEMA_PATH = Path(__file__).parent / "schema" / "definition.schema.json"
# libyaml's safe loader when PyYAML was built with it (six times faster), else Python's.
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Problem:
    file: str
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.path}:{self.reason}"


@dataclass(frozen=True)
class LoadedDefinition:
    file: str
    document: dict[str, Any]


class DefinitionInvalid(ValueError):
    """A definition failed the lint; `problems` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def services_root() -> Path:
    """The folder of shipped definitions (setting `USLUGI_SERVICES_DIR`, else `services/`)."""
    configured = getattr(settings, "USLUGI_SERVICES_DIR", None)
    return Path(configured) if configured else Path(settings.BASE_DIR) / "services"


@functools.cache
def format_validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@functools.cache
def _fast_validator() -> Any:
    """The same schema compiled by jsonschema-rs: ~300 times faster at saying "valid".

    Only a document it finds invalid goes through `format_validator` (pure Python),
    whose errors name the path and reason the way the linter reports them.
    """
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema_rs.validator_for(schema)


def _message(error: Any) -> str:
    """A schema error's reason; texts get a plain one instead of "not valid under any"."""
    if error.validator == "oneOf" and str(error.schema.get("description", "")).startswith("A text"):
        return "a text is a string, or {ru: ..., en: ...} with both languages"
    return str(error.message)


def _pointer(parts: Any) -> str:
    return "/" + "/".join(str(p) for p in parts) if parts else "/"


def iter_fields(fields: list[dict[str, Any]], base: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(path, field) for each field of a list, groups' inner fields included."""
    for index, field in enumerate(fields):
        path = f"{base}/{index}"
        yield path, field
        if field.get("type") == "group":
            yield from iter_fields(field.get("fields", []), f"{path}/fields")


def all_fields(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for s, step in enumerate(document.get("steps", [])):
        yield from iter_fields(step.get("fields", []), f"/steps/{s}/fields")


def top_level_names(document: dict[str, Any]) -> frozenset[str]:
    return frozenset(
        f["name"] for step in document.get("steps", []) for f in step.get("fields", [])
    )


def _check_names(fields: list[dict[str, Any]], base: str, seen: set[str]) -> list[tuple[str, str]]:
    found = []
    for index, field in enumerate(fields):
        name = field["name"]
        if name in seen:
            found.append((f"{base}/{index}/name", f"duplicate field name {name!r}"))
        seen.add(name)
        if field["type"] == "group":
            found += _check_names(field["fields"], f"{base}/{index}/fields", set())
    return found


def _check_checks(
    checks: list[dict[str, Any]], base: str, known: frozenset[str], fields: frozenset[str]
) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for index, check in enumerate(checks):
        path = f"{base}/{index}"
        found += [(f"{path}/rule", p) for p in check_rule(check["rule"], known=known)]
        if "field" in check and check["field"] not in fields:
            found.append(
                (f"{path}/field", f"no field {check['field']!r} here to show the message on")
            )
    return found


def _check_field(  # noqa: PLR0912 - one branch per rule
    path: str, field: dict[str, Any], known: frozenset[str], sources: frozenset[str]
) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for low, high in (("min_length", "max_length"), ("min", "max"), ("min_items", "max_items")):
        if low in field and high in field and field[low] > field[high]:
            found.append((f"{path}/{low}", f"{low} is greater than {high}"))
    if "pattern" in field:
        try:
            re.compile(field["pattern"])
        except re.error as exc:
            found.append((f"{path}/pattern", f"not a regular expression: {exc}"))
    if field.get("locked") and "prefill" not in field:
        found.append((f"{path}/locked", "a locked field needs a prefill source"))
    if field["type"] in {"select", "radio", "checkbox"} and not (
        "options" in field or "options_from" in field
    ):
        found.append((path, "a choice field needs options or options_from"))
    prefill = field.get("prefill", "")
    if prefill.startswith("exchange.") and prefill.split(".")[1] not in sources:
        found.append((f"{path}/prefill", f"no prefill source {prefill.split('.')[1]!r}"))
    if "options_from" in field:
        if field["type"] not in {"select", "radio"}:
            found.append((f"{path}/options_from", "only select and radio fields take options_from"))
        if field["options_from"]["source"] not in sources:
            found.append(
                (
                    f"{path}/options_from/source",
                    f"no prefill source {field['options_from']['source']!r}",
                )
            )
    if field["type"] == "office" and "department" not in field:
        found.append((path, "an office field needs the department whose offices it offers"))
    if field["type"] != "office":
        found += [
            (f"{path}/{key}", f"only office fields take {key}")
            for key in ("department", "service_centres")
            if key in field
        ]
    if field["type"] == "group":
        found += [
            (f"{path}/fields/{i}/type", "an office field cannot be inside a group")
            for i, sub in enumerate(field["fields"])
            if sub["type"] == "office"
        ]
        inner = frozenset(f["name"] for f in field["fields"])
        found += _check_checks(field.get("checks", []), f"{path}/checks", known | inner, inner)
    elif "checks" in field:
        found.append((f"{path}/checks", "only a group takes checks; put others on the step"))
    if "options" in field:
        values = [o["value"] for o in field["options"]]
        if len(values) != len(set(values)):
            found.append((f"{path}/options", "option values are not unique"))
    for key in ("visible_if", "required_if"):
        if key in field:
            found += [(f"{path}/{key}", p) for p in check_rule(field[key], known=known)]
    return found


def _check_types(document: dict[str, Any]) -> list[tuple[str, str]]:
    """Exchange message types must exist (when the bus's registry is loaded)."""
    known = message_types()
    if not known:
        return []
    used = [("/exchange/type", (document.get("exchange") or {}).get("type"))]
    used += [
        (f"/prefill_sources/{name}/type", spec["type"])
        for name, spec in (document.get("prefill_sources") or {}).items()
    ]
    return [
        (path, f"unknown message type {key!r}") for path, key in used if key and key not in known
    ]


def _check_routing(document: dict[str, Any]) -> list[tuple[str, str]]:
    routing = document.get("routing")
    if routing is None:
        return []
    kinds = {f["name"]: f["type"] for step in document["steps"] for f in step["fields"]}
    found = []
    if "field" in routing and kinds.get(routing["field"]) != "address":
        found.append(
            (
                "/routing/field",
                f"routing by {routing['by']} needs an address field, not {routing['field']!r}",
            )
        )
    if "office" in routing and kinds.get(routing["office"]) != "office":
        found.append(("/routing/office", f"no office field {routing['office']!r} at the top level"))
    return found


def lint_document(  # noqa: PLR0912 - one branch per rule
    document: Any, *, file: str, expected: tuple[str, str] | None = None
) -> list[Problem]:
    """Every problem of a parsed definition, in document order."""
    errors = (
        []
        if _fast_validator().is_valid(document)
        else sorted(format_validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    )
    if errors:
        return [Problem(file, _pointer(e.absolute_path), _message(e)) for e in errors]
    found: list[tuple[str, str]] = []
    if expected is not None:
        if document["code"] != expected[0]:
            found.append(
                ("/code", f"code {document['code']!r} does not match folder {expected[0]!r}")
            )
        if document["variant"] != expected[1]:
            found.append(
                ("/variant", f"variant {document['variant']!r} does not match file {expected[1]!r}")
            )
    step_ids: set[str] = set()
    seen: set[str] = set()
    for s, step in enumerate(document["steps"]):
        if step["id"] in step_ids:
            found.append((f"/steps/{s}/id", f"duplicate step id {step['id']!r}"))
        step_ids.add(step["id"])
        found += _check_names(step["fields"], f"/steps/{s}/fields", seen)
    known = top_level_names(document)
    for s, step in enumerate(document["steps"]):
        if "visible_if" in step:
            found += [
                (f"/steps/{s}/visible_if", p) for p in check_rule(step["visible_if"], known=known)
            ]
    sources = frozenset(document.get("prefill_sources", {}))
    for s, step in enumerate(document["steps"]):
        on_step = frozenset(f["name"] for f in step["fields"])
        found += _check_checks(step.get("checks", []), f"/steps/{s}/checks", known, on_step)
    for path, field in all_fields(document):
        found += _check_field(path, field, known, sources)
    for name, source in document.get("prefill_sources", {}).items():
        for key, rule in source["request"].items():
            found += [
                (f"/prefill_sources/{name}/request/{key}", p)
                for p in check_rule(rule, known=frozenset({"profile"}))
            ]
    found += _check_routing(document)
    found += _check_types(document)
    for key, rule in document.get("mapping", {}).items():
        found += [(f"/mapping/{key}", p) for p in check_rule(rule, known=known)]
    exchange = document.get("exchange")
    if document["kind"] == "information" and exchange is None:
        found.append(("/exchange", "an information service needs an exchange request"))
    for key, rule in (exchange or {}).get("request", {}).items():
        found += [(f"/exchange/request/{key}", p) for p in check_rule(rule, known=known)]
    return [Problem(file, path, reason) for path, reason in found]


def parse_file(
    path: Path, *, root: Path | None = None
) -> tuple[LoadedDefinition | None, list[Problem]]:
    """Read and lint one YAML file; the definition only when it has no problems."""
    label = (
        str(path.relative_to(root)) if root is not None and path.is_relative_to(root) else str(path)
    )
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)  # noqa: S506 - a safe loader
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        reason = " ".join(str(exc).split())
        return None, [Problem(label, "/", f"cannot read the file as YAML: {reason}")]
    problems = lint_document(document, file=label, expected=(path.parent.name, path.stem))
    return (None if problems else LoadedDefinition(label, document)), problems


def discover(root: Path | None = None) -> list[Path]:
    root = root or services_root()
    return sorted(p for p in root.glob("*/*.yaml") if p.is_file())


def check_all(root: Path | None = None) -> tuple[list[LoadedDefinition], list[Problem]]:
    """Lint every definition under `root`: the good ones and every problem found."""
    root = root or services_root()
    good: list[LoadedDefinition] = []
    problems: list[Problem] = []
    for path in discover(root):
        loaded, found = parse_file(path, root=root.parent)
        problems += found
        if loaded is not None:
            good.append(loaded)
    return good, problems


# Keys whose value is a text: one string, or {"ru": ..., "en": ...}.
TEXT_KEYS = frozenset({"title", "description", "note", "label", "hint", "text", "message"})


def localize(document: Any, language: str) -> Any:
    """A copy of a definition with every text in one language (Russian by default).

    Only the keys that hold texts are touched, so rule literals and mappings keep their
    shape. English falls back to Russian and the other way round.
    """
    if isinstance(document, list):
        return [localize(item, language) for item in document]
    if not isinstance(document, dict):
        return document
    result: dict[str, Any] = {}
    for key, value in document.items():
        if key in TEXT_KEYS and isinstance(value, dict):
            result[key] = value.get(language) or value.get("ru") or value.get("en") or ""
        elif key in {"visible_if", "required_if", "rule", "request", "mapping", "example"}:
            result[key] = value
        else:
            result[key] = localize(value, language)
    return result
