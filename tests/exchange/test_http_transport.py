"""POST /exchange/v1/messages: signed envelopes from external systems (test client)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest
from django.test import Client, override_settings

from tests.exchange.conftest import ECHO, PROVIDER, Bus
from uslugi.core import clock
from uslugi.core.audit import AuditEntry
from uslugi.exchange import envelope, services
from uslugi.exchange.constants import MessageStatus, SystemKind
from uslugi.exchange.envelope import Envelope, ResponseEnvelope
from uslugi.exchange.interfaces import HandlerContext, ProviderUnavailable
from uslugi.exchange.models import ExchangeMessage

URL = "/exchange/v1/messages"
BANK = "bank"


class External:
    """An external system as the test plays it: its own key pair, registered by public key."""

    def __init__(self, code: str = BANK) -> None:
        self.code = code
        self.private_b64, self.public_b64 = envelope.generate_keypair()
        self.private = envelope.load_private_key(self.private_b64)
        system = services.system_register(
            code=code,
            kind=SystemKind.EXTERNAL,
            base_url="http://bank.invalid",
            public_key=self.public_b64,
        )
        self.key_id = system.keys.get(active=True).key_id

    def envelope(self, payload: dict[str, Any], **changes: Any) -> Envelope:
        now = clock.now()
        fields: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "correlation_id": str(uuid.uuid4()),
            "sender": self.code,
            "recipient": PROVIDER,
            "type": ECHO.key,
            "created": now,
            "deadline": now + dt.timedelta(seconds=30),
            "payload": payload,
        }
        fields.update(changes)
        return Envelope(**fields)

    def wire(self, env: Envelope) -> dict[str, Any]:
        return env.to_wire(envelope.sign(self.private, self.key_id, env.canonical()))


def post(client: Client, body: Any) -> Any:
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json")


@pytest.fixture
def bank(bus: Bus) -> External:
    services.providers_ensure()  # the provider system exists, as after `uslugi demo`
    bank = External()
    bus.grant(BANK)
    return bank


@pytest.fixture
def csrf_client() -> Client:
    return Client(enforce_csrf_checks=True)  # the endpoint must not need a CSRF token


def test_signed_envelope_gets_a_signed_answer(
    bank: External, bus: Bus, csrf_client: Client
) -> None:
    env = bank.envelope({"text": "hello"})
    response = post(csrf_client, bank.wire(env))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert body["payload"] == {"text": "hello", "length": 5}
    assert (body["message_id"], body["sender"], body["recipient"]) == (env.id, PROVIDER, BANK)
    # The answer verifies with the provider's key published at /exchange/v1/keys.
    keys = csrf_client.get("/exchange/v1/keys").json()["keys"]
    published = {k["key_id"]: k["public_key"] for k in keys if k["system"] == PROVIDER}
    answer, signature = ResponseEnvelope.from_wire(body)
    assert signature is not None
    public = envelope.load_public_key(published[signature.key_id])
    assert envelope.verify(public, signature, answer.canonical())

    message = ExchangeMessage.objects.get(pk=env.id)
    assert message.status == MessageStatus.ANSWERED
    assert message.channel == "http_in"
    assert bus.contexts[0].sender == BANK


def test_the_same_envelope_twice_is_answered_from_the_stored_response(
    bank: External, bus: Bus, client: Client
) -> None:
    wire = bank.wire(bank.envelope({"text": "once"}))
    first = post(client, wire)
    second = post(client, wire)

    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert len(bus.calls) == 1


def test_another_envelope_under_a_used_id_is_a_conflict(
    bank: External, bus: Bus, client: Client
) -> None:
    env = bank.envelope({"text": "one"})
    assert post(client, bank.wire(env)).status_code == 200
    again = bank.envelope({"text": "two"}, id=env.id)
    response = post(client, bank.wire(again))
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_message"
    assert len(bus.calls) == 1


def test_tampered_envelope_is_rejected_and_logged(bank: External, bus: Bus, client: Client) -> None:
    wire = bank.wire(bank.envelope({"text": "pay 10"}))
    wire["payload"]["text"] = "pay 1000"
    response = post(client, wire)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "bad_signature"
    assert bus.calls == []
    rejected = ExchangeMessage.objects.get()
    assert rejected.status == MessageStatus.REJECTED
    assert rejected.request_payload == {}  # what is not authentic is not kept
    assert AuditEntry.objects.filter(action="exchange.message_refused").exists()


def test_envelope_signed_by_another_key_is_rejected(
    bank: External, bus: Bus, client: Client
) -> None:
    impostor = envelope.load_private_key(envelope.generate_keypair()[0])
    env = bank.envelope({"text": "hi"})
    wire = env.to_wire(envelope.sign(impostor, bank.key_id, env.canonical()))
    assert post(client, wire).status_code == 401


def test_unsigned_envelope_is_rejected(bank: External, bus: Bus, client: Client) -> None:
    wire = bank.wire(bank.envelope({"text": "hi"}))
    del wire["signature"]
    response = post(client, wire)
    assert response.status_code == 401
    assert bus.calls == []


def test_unknown_sender_is_rejected(bus: Bus, client: Client) -> None:
    stranger = External("stranger")
    wire = stranger.wire(stranger.envelope({"text": "hi"}, sender="nobody-knows"))
    assert post(client, wire).status_code == 401


@pytest.mark.parametrize(
    "case",
    [
        ({"type": "nope.nothing/1"}, {"text": "hi"}, 404, "unknown_message_type"),
        ({}, {"text": ""}, 422, "invalid_payload"),
        ({"recipient": "someone-else"}, {"text": "hi"}, 422, "wrong_recipient"),
        ({"created": clock.now() - dt.timedelta(hours=1)}, {"text": "hi"}, 422, "clock_skew"),
    ],
)
def test_refusals_are_problem_details(
    bank: External, bus: Bus, client: Client, case: tuple[dict[str, Any], dict[str, Any], int, str]
) -> None:
    changes, payload, status, code = case
    response = post(client, bank.wire(bank.envelope(payload, **changes)))
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert bus.calls == []


def test_without_a_grant_an_external_system_is_refused(bus: Bus, client: Client) -> None:
    other = External("other-bank")
    response = post(client, other.wire(other.envelope({"text": "hi"})))
    assert response.status_code == 403
    assert response.json()["code"] == "access_denied"


def test_rate_limit_is_429_with_retry_after(bank: External, bus: Bus, client: Client) -> None:
    bus.grant(BANK, rate=1)
    assert post(client, bank.wire(bank.envelope({"text": "a"}))).status_code == 200
    response = post(client, bank.wire(bank.envelope({"text": "b"})))
    assert response.status_code == 429
    assert response["Retry-After"]


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"id": "x"}'])
def test_malformed_envelopes_are_400(bank: External, client: Client, body: bytes) -> None:
    response = post(client, body)
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_envelope"


@override_settings(EXCHANGE_MAX_BODY_BYTES=200)
def test_body_size_is_limited(bank: External, client: Client) -> None:
    response = post(client, bank.wire(bank.envelope({"text": "x" * 90})))
    assert response.status_code == 413


def test_only_post(client: Client) -> None:
    assert client.get(URL).status_code == 405


def test_provider_down_is_503_then_the_same_envelope_succeeds(
    bank: External, bus: Bus, client: Client
) -> None:
    def down(payload: dict[str, Any], context: HandlerContext) -> dict[str, Any]:
        raise ProviderUnavailable("down")

    bus.replace(down)
    wire = bank.wire(bank.envelope({"text": "hi"}))
    response = post(client, wire)
    assert response.status_code == 503
    assert response["Retry-After"]

    bus.replace(bus.handler)
    response = post(client, wire)
    assert response.status_code == 200
    assert response.json()["payload"]["text"] == "hi"
    assert ExchangeMessage.objects.get().attempts == 2


def test_typed_errors_are_signed_answers(bank: External, bus: Bus, client: Client) -> None:
    response = post(client, bank.wire(bank.envelope({"text": "nobody"})))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "error"
    assert body["error"]["code"] == "not_found"
    assert body["payload"] is None

    response = post(client, bank.wire(bank.envelope({"text": "mismatch"})))
    answer, signature = ResponseEnvelope.from_wire(response.json())
    assert answer.error_details == {"fields": ["surname"]}
    keys = client.get("/exchange/v1/keys").json()["keys"]
    public = next(k["public_key"] for k in keys if k["key_id"] == signature.key_id)
    assert envelope.verify(envelope.load_public_key(public), signature, answer.canonical())
