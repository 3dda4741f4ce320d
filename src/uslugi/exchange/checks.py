"""System checks: every registered message type has valid JSON Schemas."""

from __future__ import annotations

from typing import Any

from django.core import checks
from jsonschema.exceptions import SchemaError

from uslugi.exchange import schemas
from uslugi.exchange.interfaces import message_types


@checks.register()
def message_type_schemas(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    problems: list[checks.CheckMessage] = []
    for key, message_type in message_types().items():
        try:
            schemas.check_schemas(message_type)
        except SchemaError as exc:
            problems.append(
                checks.Error(
                    f"message type {key} has an invalid JSON Schema: {exc.message}",
                    id="exchange.E001",
                )
            )
    return problems
