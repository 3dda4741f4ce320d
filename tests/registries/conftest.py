"""Fixtures of the sandbox registries' tests: a generated population, faults, and a way
to call a registry's handler as the exchange would."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tests.factories.registries import (  # noqa: F401 - fixtures
    _sandbox_population_session,
    registry_fault,
    sandbox_population,
)
from uslugi.exchange.interfaces import HandlerContext, get_handler, get_message_type


def call(type_key: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Call a registry's handler as the bus does; check the answer against its schema."""
    handler = get_handler(type_key)
    message_type = get_message_type(type_key)
    assert handler is not None, f"{type_key} has no handler"
    assert message_type is not None, f"{type_key} is not registered"
    context = HandlerContext(
        message_id="00000000-0000-0000-0000-000000000001",
        correlation_id="test",
        sender="test",
        type_key=type_key,
    )
    response = handler(payload, context)
    validator = Draft202012Validator(
        message_type.response_schema, format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    errors = [e.message for e in validator.iter_errors(response)]
    assert not errors, errors
    return response


@pytest.fixture
def population(sandbox_population: Any) -> Any:  # noqa: F811 - the imported fixture, renamed
    return sandbox_population
