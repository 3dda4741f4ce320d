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

import yaml
from django.conf import settings
from jsonschema import Draft202012Validator

from uslugi.forms.logic import check_rule

SCHEMA_PATH = Path(__file__).parent / "schema" / "definition.schema.json"


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


def _check_field(path: str, field: dict[str, Any], known: frozenset[str]) -> list[tuple[str, str]]:
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
    if "options" in field:
        values = [o["value"] for o in field["options"]]
        if len(values) != len(set(values)):
            found.append((f"{path}/options", "option values are not unique"))
    for key in ("visible_if", "required_if"):
        if key in field:
            found += [(f"{path}/{key}", p) for p in check_rule(field[key], known=known)]
    return found


def lint_document(
    document: Any, *, file: str, expected: tuple[str, str] | None = None
) -> list[Problem]:
    """Every problem of a parsed definition, in document order."""
    errors = sorted(format_validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        return [Problem(file, _pointer(e.absolute_path), e.message) for e in errors]
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
    for path, field in all_fields(document):
        found += _check_field(path, field, known)
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
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
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
