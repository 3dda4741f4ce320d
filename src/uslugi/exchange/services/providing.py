"""The provider side: handing a verified request to an in-process handler, and getting
its answer signed. Used by workers, synchronous calls and the HTTP endpoint alike."""

from __future__ import annotations

from uslugi.exchange import schemas
from uslugi.exchange.constants import ErrorCode, SystemKind
from uslugi.exchange.directory import Party
from uslugi.exchange.envelope import Signature
from uslugi.exchange.interfaces import (
    HandlerContext,
    ProviderError,
    ProviderUnavailable,
    get_handler,
    get_message_type,
)
from uslugi.exchange.models import ExchangeMessage
from uslugi.exchange.services.common import ANSWER, FAIL, RETRY, Outcome, answer, log


def provide_in_process(  # noqa: PLR0911 - one return per kind of outcome
    message: ExchangeMessage, *, provider: Party, consumer: str
) -> Outcome:
    """Call the registered handler of the message's type and sign what it answers.

    `ProviderUnavailable` and unexpected crashes are retried by the bus; the other typed
    errors are answers; a response that breaks the response schema is a provider failure.
    A message already answered is not handed to the handler again: its stored answer
    stands (idempotency by message id).
    """
    if message.answered_at is not None and message.response_signature:
        return answer_from_store(message)
    message_type = get_message_type(message.type_key)
    handler = get_handler(message.type_key)
    if message_type is None or handler is None or provider.system.kind != SystemKind.INTERNAL:
        return Outcome(RETRY, error_code=ErrorCode.NO_HANDLER, error_message="no handler here")
    context = HandlerContext(
        message_id=str(message.pk),
        correlation_id=str(message.correlation_id),
        sender=consumer,
        type_key=message.type_key,
        test=message.test,
    )
    try:
        response = handler(message.request_payload, context)
    except ProviderUnavailable as exc:
        return Outcome(RETRY, error_code=exc.code, error_message=exc.message)
    except ProviderError as exc:
        return answer(
            message,
            provider=provider,
            consumer=consumer,
            error_code=exc.code,
            error_message=exc.message,
            error_details=exc.details,
        )
    except Exception as exc:  # noqa: BLE001 - a provider's bug: retried, then a dead letter
        log.exception(
            "exchange.handler_crashed", message_type=message.type_key, error=type(exc).__name__
        )
        return Outcome(
            RETRY,
            error_code=ErrorCode.HANDLER_CRASHED,
            error_message=f"the handler raised {type(exc).__name__}",
        )
    problems = schemas.errors(message_type, "response", response)
    if problems:
        log.error("exchange.bad_response", message_type=message.type_key, problems=problems)
        return Outcome(FAIL, error_code=ErrorCode.BAD_RESPONSE, error_message="; ".join(problems))
    return answer(message, provider=provider, consumer=consumer, payload=response)


def answer_from_store(message: ExchangeMessage) -> Outcome:
    """The answer stored for a message, as an outcome (nothing is called or signed again)."""
    return Outcome(
        ANSWER,
        payload=message.response_payload,
        error_code=message.error_code,
        error_message=message.error_message,
        error_details=message.error_details,
        signature=Signature(key_id=message.response_key_id, value=message.response_signature),
        answered=message.answered_at,
    )
