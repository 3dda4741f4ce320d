"""Outgoing HTTP: posting a signed envelope to an external provider and reading its signed
answer. The same protocol the portal serves at POST /exchange/v1/messages (docs/exchange.md)."""

from __future__ import annotations

import threading
from typing import Any

import httpx

from uslugi.exchange import directory, envelope, schemas
from uslugi.exchange.constants import ErrorCode
from uslugi.exchange.envelope import Envelope, EnvelopeError, ResponseEnvelope, Signature
from uslugi.exchange.interfaces import get_message_type
from uslugi.exchange.models import ExchangeSystem
from uslugi.exchange.services.common import ANSWER, FAIL, RETRY, Outcome, log

MESSAGES_PATH = "/exchange/v1/messages"
RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})

_local = threading.local()


def _client() -> httpx.Client:
    client = getattr(_local, "client", None)
    if client is None:
        client = httpx.Client(headers={"User-Agent": "uslugi-exchange/1"}, follow_redirects=False)
        _local.client = client
    return client


def messages_url(system: ExchangeSystem) -> str:
    return system.base_url.rstrip("/") + MESSAGES_PATH


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None


def _problem(response: httpx.Response) -> tuple[str, str]:
    try:
        body: Any = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    code = str(body.get("code") or f"http_{response.status_code}")[:64]
    return code, str(body.get("detail") or body.get("title") or "")[:500]


def post_envelope(
    *, env: Envelope, signature: Signature, provider: ExchangeSystem, timeout: float
) -> Outcome:
    """Deliver one envelope over HTTP; the provider's signed answer, or what to do next."""
    try:
        response = _client().post(
            messages_url(provider),
            json=env.to_wire(signature),
            timeout=max(timeout, 0.1),
            headers={"Accept": "application/json"},
        )
    except httpx.TimeoutException:
        return Outcome(RETRY, error_code=ErrorCode.UNAVAILABLE, error_message="no answer in time")
    except httpx.HTTPError as exc:
        return Outcome(RETRY, error_code=ErrorCode.TRANSPORT, error_message=type(exc).__name__)
    if response.status_code in RETRYABLE_STATUSES:
        code, detail = _problem(response)
        return Outcome(
            RETRY,
            error_code=ErrorCode.UNAVAILABLE,
            error_message=f"HTTP {response.status_code} {code} {detail}".strip()[:500],
            retry_after=_retry_after(response),
        )
    if response.status_code != 200:
        code, detail = _problem(response)
        return Outcome(FAIL, error_code=code, error_message=detail)
    return read_answer(response, env=env, provider=provider)


def read_answer(response: httpx.Response, *, env: Envelope, provider: ExchangeSystem) -> Outcome:
    """Check a provider's answer: well formed, about our message, signed by the provider."""
    try:
        answer, signature = ResponseEnvelope.from_wire(response.json())
    except (ValueError, EnvelopeError) as exc:
        return Outcome(FAIL, error_code=ErrorCode.BAD_RESPONSE, error_message=str(exc)[:500])
    expected = (env.id, env.correlation_id, env.recipient, env.sender, env.type)
    got = (answer.message_id, answer.correlation_id, answer.sender, answer.recipient, answer.type)
    public = None if signature is None else directory.verification_key(provider, signature.key_id)
    if (
        signature is None
        or got != expected
        or public is None
        or not envelope.verify(public, signature, answer.canonical())
    ):
        log.warning("exchange.bad_response_signature", provider=provider.code, message_id=env.id)
        return Outcome(
            FAIL,
            error_code=ErrorCode.BAD_RESPONSE_SIGNATURE,
            error_message="the answer is not signed by the provider or not about this message",
        )
    if answer.ok:
        message_type = get_message_type(env.type)
        problems = (
            [] if message_type is None else schemas.errors(message_type, "response", answer.payload)
        )
        if problems:
            return Outcome(
                FAIL, error_code=ErrorCode.BAD_RESPONSE, error_message="; ".join(problems)
            )
    return Outcome(
        ANSWER,
        payload=answer.payload,
        error_code=answer.error_code,
        error_message=answer.error_message,
        error_details=answer.error_details or None,
        signature=signature,
        answered=answer.answered,
    )
