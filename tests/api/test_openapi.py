"""The OpenAPI document itself: each component name stands for one schema."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from uslugi.api import api


def _models() -> set[type[BaseModel]]:
    found: set[type[BaseModel]] = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                candidates = [*operation.response_models.values(), *operation.models]
                found.update(
                    m for m in candidates if isinstance(m, type) and issubclass(m, BaseModel)
                )
    return found


def test_no_two_schemas_share_a_component_name() -> None:
    """ninja names components by class name alone, so two `ApplicationOut`s (or two `Level`
    enums) would silently document one operation with the other's schema."""
    seen: dict[str, dict[str, Any]] = {}
    clashes: set[str] = set()
    for model in _models():
        _keys, document = models_json_schema([(model, "serialization")])
        for name, schema in document.get("$defs", {}).items():
            if name == model.__name__:
                continue  # ninja's wrappers (QueryParams, NinjaResponseSchema) are not components
            if name in seen and json.dumps(seen[name], sort_keys=True) != json.dumps(
                schema, sort_keys=True
            ):
                clashes.add(name)
            seen.setdefault(name, schema)
    assert not clashes, f"component names used by different schemas: {sorted(clashes)}"


def test_errors_are_documented_as_problem_details() -> None:
    document = api.get_openapi_schema()
    answer = document["paths"]["/api/v1/me/applications/{application_id}"]["get"]["responses"]
    assert set(answer[404]["content"]) == {"application/problem+json"}
    assert set(answer[200]["content"]) == {"application/json"}
