"""The example external provider's message type (examples/exchange_provider.py answers it).

A message type is declared in code by whoever provides it; for an external system the
portal still needs the schemas, so they are declared here. Nothing can send it until an
`example` system is registered with its key and a consumer is granted the type.
"""

from __future__ import annotations

import datetime as dt

from uslugi.exchange.interfaces import MessageType, register_message_type

ECHO = MessageType(
    code="example.echo",
    version=1,
    provider="example",
    title="Echo: the provider sends the text back (for integrators testing a connection)",
    description=(
        "Answered by examples/exchange_provider.py running as an external system. "
        "Use it to check envelopes, signatures and the HTTP transport end to end."
    ),
    request_schema={
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {"text": {"type": "string", "minLength": 1, "maxLength": 1000}},
        "required": ["text"],
        "additionalProperties": False,
    },
    response_schema={
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            "text": {"type": "string"},
            "length": {"type": "integer", "minimum": 0},
            "provider": {"type": "string"},
        },
        "required": ["text", "length"],
        "additionalProperties": False,
    },
    default_deadline=dt.timedelta(seconds=20),
    examples=[
        {
            "request": {"text": "ping"},
            "response": {"text": "ping", "length": 4, "provider": "example"},
        }
    ],
)

register_message_type(ECHO)
