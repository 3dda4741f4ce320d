"""The message-type registry for integrators: /api/v1/exchange/types."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from uslugi.core.problems import responses
from uslugi.exchange import selectors

router = Router(tags=["exchange"])


class MessageTypeOut(Schema):
    key: str
    code: str
    version: int
    provider: str
    title: str
    description: str
    default_deadline_seconds: float
    in_process: bool
    request_schema: dict[str, Any]
    response_schema: dict[str, Any]
    examples: list[dict[str, Any]]


@router.get(
    "/types",
    response=list[MessageTypeOut],
    summary="List the message types of the exchange bus, with their JSON Schemas",
)
def type_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [doc.as_dict() for doc in selectors.message_type_list()]


@router.get(
    "/types/{path:key}",
    response={200: MessageTypeOut, **responses(404)},
    summary="One message type (e.g. pfr.snils-verify/1) with its schemas and examples",
)
def type_detail(request: HttpRequest, key: str) -> dict[str, Any]:
    return selectors.message_type_get(key=key).as_dict()
