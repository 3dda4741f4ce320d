"""The exchange bus's contract with providers and consumers.

A *message type* (`pfr.snils-verify/1`) is declared in code by the system that provides
it, with JSON Schemas for its request and response. A *provider handler* answers one
message type: it gets the validated request payload and returns a schema-valid response,
or raises one of the typed `ProviderError`s below. `ProviderUnavailable` means "could not
answer now" (the bus retries); every other `ProviderError` is an answer (not retried).

Providers register at start-up (in their AppConfig.ready), e.g. the sandbox registries:

    register_message_type(MessageType(code="pfr.snils-verify", version=1, provider="pfr", ...))
    register_handler("pfr.snils-verify/1", handle_snils_verify)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol


@dataclass(frozen=True)
class MessageType:
    code: str  # "<provider>.<name>", e.g. "pfr.snils-verify"
    version: int
    provider: str  # system code of the provider, e.g. "pfr"
    title: str  # short English description, shown to integrators
    request_schema: dict[str, Any]
    response_schema: dict[str, Any]
    default_deadline: dt.timedelta = dt.timedelta(seconds=30)
    description: str = ""
    examples: list[dict[str, Any]] = field(default_factory=list)  # [{"request":..,"response":..}]

    @property
    def key(self) -> str:
        return f"{self.code}/{self.version}"


@dataclass(frozen=True)
class HandlerContext:
    """What a provider knows about the request besides its payload."""

    message_id: str
    correlation_id: str
    sender: str  # consumer system code
    type_key: str
    test: bool = False  # a marked test message (monitoring autotests)


class ProviderHandler(Protocol):
    def __call__(self, payload: dict[str, Any], context: HandlerContext) -> dict[str, Any]: ...


class ProviderError(Exception):
    """A typed answer that is not a normal response. Not retried (except Unavailable)."""

    code: ClassVar[str] = "provider_error"

    def __init__(self, message: str = "", *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message or self.code)
        self.message = message or self.code
        self.details = details or {}


class NotFoundError(ProviderError):
    code = "not_found"


class MismatchError(ProviderError):
    """The record exists but does not match what was asked (e.g. SNILS of another name)."""

    code = "mismatch"


class InvalidRequestError(ProviderError):
    code = "invalid_request"


class ProviderUnavailable(ProviderError):
    """Could not answer now (down, overloaded, injected fault): the bus retries."""

    code = "unavailable"


PROVIDER_ERRORS: dict[str, type[ProviderError]] = {
    cls.code: cls
    for cls in (NotFoundError, MismatchError, InvalidRequestError, ProviderUnavailable)
}

_types: dict[str, MessageType] = {}
_handlers: dict[str, ProviderHandler] = {}


def register_message_type(message_type: MessageType) -> None:
    existing = _types.get(message_type.key)
    if existing is not None and existing != message_type:
        raise ValueError(f"message type {message_type.key} is already registered differently")
    _types[message_type.key] = message_type


def register_handler(type_key: str, handler: ProviderHandler) -> None:
    """Attach the in-process provider of a message type (one per type)."""
    if type_key not in _types:
        raise ValueError(f"register the message type {type_key} before its handler")
    _handlers[type_key] = handler


def message_types() -> dict[str, MessageType]:
    return dict(_types)


def get_message_type(type_key: str) -> MessageType | None:
    return _types.get(type_key)


def get_handler(type_key: str) -> ProviderHandler | None:
    return _handlers.get(type_key)


def replace_handler_for_tests(type_key: str, handler: ProviderHandler | None) -> Callable[[], None]:
    """Swap a handler (tests and fault simulations); returns a function that restores it."""
    previous = _handlers.get(type_key)
    if handler is None:
        _handlers.pop(type_key, None)
    else:
        _handlers[type_key] = handler

    def restore() -> None:
        if previous is None:
            _handlers.pop(type_key, None)
        else:
            _handlers[type_key] = previous

    return restore


# --- What a consumer gets back (extension of the contract, used by exchange_call) ----------


@dataclass(frozen=True)
class ExchangeResult:
    """The outcome of a synchronous call.

    `status` is "ok" (a schema-valid `response`), "error" (the provider answered with a
    typed error: `error_code` is not_found, mismatch, invalid_request, ...) or
    "unavailable" (no answer in time: down, timed out; show "try again later").
    """

    message_id: str
    correlation_id: str
    status: str
    response: dict[str, Any] | None = None
    error_code: str = ""
    error_message: str = ""
    error_details: dict[str, Any] = field(default_factory=dict)  # a typed error's details

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def unavailable(self) -> bool:
        return self.status == "unavailable"


def unregister_for_tests(type_key: str) -> None:
    """Forget a message type and its handler (test fixtures that register their own types)."""
    _handlers.pop(type_key, None)
    _types.pop(type_key, None)
