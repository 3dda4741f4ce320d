"""Reading the bus: the message-type registry for integrators, keys, the message log."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from uslugi.exchange.errors import UnknownMessageType
from uslugi.exchange.interfaces import MessageType, get_handler, get_message_type, message_types
from uslugi.exchange.models import ExchangeMessage, ExchangeSystem, MessageEvent, SystemKey


@dataclass(frozen=True)
class TypeDoc:
    """A message type as integrators see it."""

    message_type: MessageType
    in_process: bool  # answered by a handler inside the portal

    @property
    def key(self) -> str:
        return self.message_type.key

    @property
    def anchor(self) -> str:
        return self.key.replace("/", "-v").replace(".", "-")

    @property
    def deadline_seconds(self) -> int:
        return round(self.message_type.default_deadline.total_seconds())

    @property
    def request_schema_json(self) -> str:
        return _pretty(self.message_type.request_schema)

    @property
    def response_schema_json(self) -> str:
        return _pretty(self.message_type.response_schema)

    @property
    def examples_json(self) -> list[dict[str, str]]:
        return [
            {name: _pretty(value) for name, value in example.items()}
            for example in self.message_type.examples
        ]

    def as_dict(self) -> dict[str, Any]:
        t = self.message_type
        return {
            "key": t.key,
            "code": t.code,
            "version": t.version,
            "provider": t.provider,
            "title": t.title,
            "description": t.description,
            "default_deadline_seconds": t.default_deadline.total_seconds(),
            "in_process": self.in_process,
            "request_schema": t.request_schema,
            "response_schema": t.response_schema,
            "examples": t.examples,
        }


def _pretty(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)


def message_type_list() -> list[TypeDoc]:
    """Every registered message type, by provider then key."""
    return [
        TypeDoc(message_type=t, in_process=get_handler(key) is not None)
        for key, t in sorted(message_types().items(), key=lambda kv: (kv[1].provider, kv[0]))
    ]


def message_type_get(*, key: str) -> TypeDoc:
    message_type = get_message_type(key)
    if message_type is None:
        raise UnknownMessageType(params={"type": key})
    return TypeDoc(message_type=message_type, in_process=get_handler(key) is not None)


def public_key_list() -> QuerySet[SystemKey]:
    """Keys that verify signatures now, of active systems (public halves only)."""
    return (
        SystemKey.objects.defer("private_key")
        .select_related("system")
        .filter(revoked_at__isnull=True, system__active=True)
        .order_by("system__code", "-created_at")
    )


def message_timeline(*, message: ExchangeMessage) -> QuerySet[MessageEvent]:
    return message.events.order_by("at", "id")


def system_list() -> QuerySet[ExchangeSystem]:
    return ExchangeSystem.objects.order_by("code")
