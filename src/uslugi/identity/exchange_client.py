"""Identity's one door to the exchange bus: send a request with a callback, read the answer.

Everything identity knows about the bus's API is here, so the rest of the app deals in
`Answer`s. Identity never imports the registries: it reaches them only as message types,
sent as the portal's own system (EXCHANGE_PORTAL_SYSTEM), which needs a grant for each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

OK, ERROR, UNAVAILABLE = "ok", "error", "unavailable"


@dataclass(frozen=True)
class Answer:
    """What the registry answered: `kind` OK (payload), ERROR (a typed error code, e.g.
    not_found, mismatch) or UNAVAILABLE (no answer: down, timed out, gave up)."""

    kind: str
    payload: dict[str, Any] = field(default_factory=dict)
    error_code: str = ""
    details: dict[str, Any] = field(default_factory=dict)


def send(*, type_key: str, payload: dict[str, Any], correlation_id: str, callback: str) -> str:
    """Queue a request in the caller's transaction; `callback(message_id)` runs once the
    message is finished (answered, failed, timed out). Returns the message id.

    Raises the bus's DomainError when it refuses at once (unknown type, no grant, rate
    limit, payload outside the schema).
    """
    from uslugi.exchange import conf
    from uslugi.exchange.services import exchange_send

    message = exchange_send(
        sender=conf.portal_system(),
        type_key=type_key,
        payload=payload,
        correlation_id=correlation_id,
        callback=callback,
    )
    return str(message.pk)


def answer(message_id: str) -> Answer | None:
    """The answer to a finished message, or None while it is still on its way."""
    from uslugi.exchange.constants import FINAL_STATUSES
    from uslugi.exchange.models import ExchangeMessage
    from uslugi.exchange.services.sending import result_of

    message = ExchangeMessage.objects.filter(pk=message_id).first()
    if message is None or message.status not in FINAL_STATUSES:
        return None
    result = result_of(message)
    if result.status == OK:
        return Answer(kind=OK, payload=dict(result.response or {}))
    if result.status == ERROR:
        # A mismatch names the differing fields in its typed details (never personal data).
        details: dict[str, Any] = {}
        mismatches = (result.error_details or {}).get("mismatches")
        if result.error_code == "mismatch" and isinstance(mismatches, list):
            details["mismatches"] = [str(name) for name in mismatches]
        return Answer(kind=ERROR, error_code=result.error_code, details=details)
    return Answer(kind=UNAVAILABLE, error_code=result.error_code)
