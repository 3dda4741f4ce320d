"""Fixtures of the exchange tests: our own message types and handlers (not the registries'),
a consumer system with a grant, and helpers to move time and run workers."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from uslugi.core import clock
from uslugi.exchange import directory, services
from uslugi.exchange.interfaces import (
    HandlerContext,
    MessageType,
    MismatchError,
    NotFoundError,
    register_handler,
    register_message_type,
    replace_handler_for_tests,
    unregister_for_tests,
)

CONSUMER = "portal"
PROVIDER = "testprov"

ECHO = MessageType(
    code="testprov.echo",
    version=1,
    provider=PROVIDER,
    title="Echo for the tests",
    request_schema={
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            "text": {"type": "string", "minLength": 1, "maxLength": 100},
            "snils": {"type": "string", "pattern": "^[0-9]{11}$"},
        },
        "required": ["text"],
        "additionalProperties": False,
    },
    response_schema={
        "type": "object",
        "properties": {"text": {"type": "string"}, "length": {"type": "integer"}},
        "required": ["text", "length"],
        "additionalProperties": False,
    },
    default_deadline=dt.timedelta(minutes=10),
    examples=[{"request": {"text": "hi"}, "response": {"text": "hi", "length": 2}}],
)


@dataclass
class Bus:
    """The test bus: what the echo handler was asked, and knobs to change its behaviour."""

    calls: list[str] = field(default_factory=list)  # message ids, in call order
    contexts: list[HandlerContext] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    type_key: str = ECHO.key

    def handler(self, payload: dict[str, Any], context: HandlerContext) -> dict[str, Any]:
        with self.lock:
            self.calls.append(context.message_id)
            self.contexts.append(context)
        if payload["text"] == "nobody":
            raise NotFoundError("no such record")
        if payload["text"] == "mismatch":
            raise MismatchError("does not match", details={"fields": ["surname"]})
        if payload["text"] == "bad-response":
            return {"text": payload["text"]}  # no length: breaks the response schema
        return {"text": str(payload["text"]), "length": len(payload["text"])}

    def replace(self, handler: Callable[[dict[str, Any], HandlerContext], dict[str, Any]]) -> None:
        replace_handler_for_tests(self.type_key, handler)

    def grant(self, consumer: str = CONSUMER, *, rate: int | None = None) -> None:
        services.access_grant(consumer=consumer, type_key=self.type_key, rate_limit_per_minute=rate)


@pytest.fixture
def bus_types() -> Iterator[Bus]:
    """Our message type and handler registered for one test (no database needed)."""
    bus = Bus()
    register_message_type(ECHO)
    register_handler(ECHO.key, bus.handler)
    directory.forget_keys()
    yield bus
    unregister_for_tests(ECHO.key)
    directory.forget_keys()


@pytest.fixture
def bus(db: None, bus_types: Bus) -> Bus:
    """The test type with the consumer `portal` granted it."""
    bus_types.grant()
    return bus_types


@pytest.fixture
def bus_tx(transactional_db: None, bus_types: Bus) -> Bus:
    """The same, for tests that need real commits (threads, on_commit, the task queue)."""
    bus_types.grant()
    return bus_types


class Clock:
    """Move `clock.now()` forward within a test."""

    def __init__(self) -> None:
        self.now = clock.now()
        self._cm = clock.frozen(self.now)
        self._cm.__enter__()

    def advance(self, seconds: float) -> dt.datetime:
        self._cm.__exit__(None, None, None)
        self.now += dt.timedelta(seconds=seconds)
        self._cm = clock.frozen(self.now)
        self._cm.__enter__()
        return self.now

    def stop(self) -> None:
        self._cm.__exit__(None, None, None)


@pytest.fixture
def frozen_clock() -> Iterator[Clock]:
    moving = Clock()
    yield moving
    moving.stop()
