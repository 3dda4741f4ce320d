"""JSON Schema validation of payloads, with compiled validators kept per message type.

Error texts name the place and the rule broken, never the value (payloads hold personal
data, and these texts reach logs and API answers).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jsonschema_rs
from jsonschema import ValidationError
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for

from uslugi.exchange.interfaces import MessageType

MAX_ERRORS = 10
_validators: dict[tuple[str, str, int], Validator] = {}
_fast: dict[tuple[str, str, int], Any] = {}


def _fast_validator(message_type: MessageType, which: str) -> Any:
    """The same schema compiled by jsonschema-rs (formats asserted too): it answers
    "valid" many times faster; only a payload it refuses goes to the Python validator,
    which decides and explains."""
    schema = message_type.request_schema if which == "request" else message_type.response_schema
    cache_key = (message_type.key, which, id(schema))
    validator = _fast.get(cache_key)
    if validator is None:
        validator = _fast[cache_key] = jsonschema_rs.validator_for(schema, validate_formats=True)
    return validator


def _validator(message_type: MessageType, which: str) -> Validator:
    schema = message_type.request_schema if which == "request" else message_type.response_schema
    cache_key = (message_type.key, which, id(schema))
    validator = _validators.get(cache_key)
    if validator is None:
        cls = validator_for(schema)
        cls.check_schema(schema)
        validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
        _validators[cache_key] = validator
    return validator


def _describe(error: ValidationError) -> str:
    where = "/".join(str(p) for p in error.absolute_path) or "(root)"
    if error.validator in {"required", "additionalProperties", "dependentRequired"}:
        return f"{where}: {error.message}"  # names properties, not values
    rule = error.validator_value
    if isinstance(rule, str | int | float | bool) and len(str(rule)) <= 80:
        return f"{where}: fails {error.validator}={rule}"
    return f"{where}: fails {error.validator}"


def errors(message_type: MessageType, which: str, payload: Any) -> list[str]:
    """What is wrong with `payload` against the type's `which` ("request"/"response") schema."""
    if not isinstance(payload, Mapping):
        return ["(root): must be a JSON object"]
    try:
        if _fast_validator(message_type, which).is_valid(payload):
            return []
    except (ValueError, TypeError):
        pass  # a value jsonschema-rs cannot read (a masked string wrapper): Python decides

    validator = _validator(message_type, which)
    found = sorted(validator.iter_errors(payload), key=lambda e: [str(p) for p in e.absolute_path])
    return [_describe(e) for e in found[:MAX_ERRORS]]


def check_schemas(message_type: MessageType) -> None:
    """Compile both schemas (raises jsonschema.SchemaError for a broken one)."""
    _validator(message_type, "request")
    _validator(message_type, "response")
