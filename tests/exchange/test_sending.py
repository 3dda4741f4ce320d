"""The consumer side: refusals before sending, synchronous calls, asynchronous sends."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from tests.exchange.conftest import CONSUMER, ECHO, PROVIDER, Bus
from uslugi.core.audit import AuditEntry
from uslugi.exchange import services
from uslugi.exchange.constants import MessageStatus
from uslugi.exchange.errors import (
    AccessDenied,
    InvalidCallback,
    InvalidPayload,
    RateLimitExceeded,
    SystemInactive,
    UnknownMessageType,
    UnknownSystem,
)
from uslugi.exchange.interfaces import ProviderUnavailable
from uslugi.exchange.models import ExchangeMessage, ExchangeSystem

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
callbacks: list[str] = []


def remember(message_id: str) -> None:
    callbacks.append(message_id)


def refusals(reason: str) -> int:
    return sum(
        1
        for entry in AuditEntry.objects.filter(action="exchange.message_refused")
        if entry.details.get("reason") == reason
    )


# --- Synchronous calls -------------------------------------------------------------------


def test_call_answers_with_a_signed_logged_response(bus: Bus) -> None:
    result = services.exchange_call(sender=CONSUMER, type_key=ECHO.key, payload={"text": "hello"})

    assert result.ok
    assert result.response == {"text": "hello", "length": 5}
    message = ExchangeMessage.objects.get(pk=result.message_id)
    assert message.status == MessageStatus.ANSWERED
    assert message.synchronous
    assert (message.sender.code, message.recipient.code) == (CONSUMER, PROVIDER)
    assert message.signature
    assert message.response_signature
    assert list(message.events.values_list("state", flat=True)) == ["sending", "answered"]
    assert bus.calls == [result.message_id]
    assert bus.contexts[0].sender == CONSUMER


def test_payloads_are_encrypted_at_rest(bus: Bus) -> None:
    result = services.exchange_call(
        sender=CONSUMER,
        type_key=ECHO.key,
        payload={"text": "secret-marker", "snils": "11223344595"},
    )
    table = ExchangeMessage._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT request_payload, response_payload FROM {table} WHERE id = %s",  # noqa: S608
            [ExchangeMessage._meta.pk.get_db_prep_value(result.message_id, connection)],
        )
        request_raw, response_raw = cursor.fetchone()
    for raw in (request_raw, response_raw):
        assert "secret-marker" not in raw
        assert "11223344595" not in raw
    assert (
        ExchangeMessage.objects.get(pk=result.message_id).request_payload["snils"] == "11223344595"
    )


def test_typed_provider_error_is_an_answer(bus: Bus) -> None:
    result = services.exchange_call(sender=CONSUMER, type_key=ECHO.key, payload={"text": "nobody"})

    assert result.status == "error"
    assert result.error_code == "not_found"
    assert ExchangeMessage.objects.get(pk=result.message_id).status == MessageStatus.ANSWERED


def test_typed_error_details_reach_the_consumer(bus: Bus) -> None:
    result = services.exchange_call(
        sender=CONSUMER, type_key=ECHO.key, payload={"text": "mismatch"}
    )
    assert (result.status, result.error_code) == ("error", "mismatch")
    assert result.error_details == {"fields": ["surname"]}


def test_provider_down_gives_an_unavailable_result_not_an_exception(bus: Bus) -> None:
    def down(payload: dict, context: object) -> dict:
        raise ProviderUnavailable("registry is down")

    bus.replace(down)
    result = services.exchange_call(sender=CONSUMER, type_key=ECHO.key, payload={"text": "hi"})

    assert result.unavailable
    assert result.error_code == "unavailable"
    assert ExchangeMessage.objects.get(pk=result.message_id).status == MessageStatus.FAILED


def test_response_breaking_the_schema_is_not_passed_on(bus: Bus) -> None:
    result = services.exchange_call(
        sender=CONSUMER, type_key=ECHO.key, payload={"text": "bad-response"}
    )
    assert result.unavailable
    assert result.error_code == "bad_response"
    assert result.response is None


# --- Refusals ----------------------------------------------------------------------------


def test_schema_invalid_request_is_refused_before_sending(bus: Bus) -> None:
    with pytest.raises(InvalidPayload) as caught:
        services.exchange_call(
            sender=CONSUMER, type_key=ECHO.key, payload={"text": "", "snils": "12345", "x": 1}
        )

    assert bus.calls == []
    # Where and which rule, never the value (payloads hold personal data).
    assert any(e.startswith("snils: fails pattern") for e in caught.value.errors)
    assert "12345" not in str(caught.value)
    rejected = ExchangeMessage.objects.get()
    assert rejected.status == MessageStatus.REJECTED
    assert rejected.error_code == "invalid_payload"
    assert list(rejected.events.values_list("state", flat=True)) == ["rejected"]
    assert refusals("invalid_payload") == 1

    with pytest.raises(InvalidPayload):
        services.exchange_send(sender=CONSUMER, type_key=ECHO.key, payload={"text": 42})
    assert bus.calls == []


def test_unknown_type_is_refused(bus: Bus) -> None:
    with pytest.raises(UnknownMessageType):
        services.exchange_send(sender=CONSUMER, type_key="nope.nothing/1", payload={})
    assert not ExchangeMessage.objects.exists()
    assert refusals("unknown_message_type") == 1


def test_unknown_sender_is_refused(bus: Bus) -> None:
    with pytest.raises(UnknownSystem):
        services.exchange_call(sender="stranger", type_key=ECHO.key, payload={"text": "hi"})
    assert bus.calls == []


def test_without_a_grant_the_request_is_refused(bus: Bus) -> None:
    services.system_register(code="other", name="Other agency")

    with pytest.raises(AccessDenied):
        services.exchange_call(sender="other", type_key=ECHO.key, payload={"text": "hi"})
    with pytest.raises(AccessDenied):
        services.exchange_send(sender="other", type_key=ECHO.key, payload={"text": "hi"})

    assert bus.calls == []
    assert ExchangeMessage.objects.filter(status=MessageStatus.REJECTED).count() == 2
    assert refusals("access_denied") == 2


def test_revoked_grant_refuses(bus: Bus) -> None:
    services.access_revoke(consumer=CONSUMER, type_key=ECHO.key)
    with pytest.raises(AccessDenied):
        services.exchange_call(sender=CONSUMER, type_key=ECHO.key, payload={"text": "hi"})


def test_cached_directory_sees_changes_made_in_this_process(bus: Bus) -> None:
    with override_settings(EXCHANGE_DIRECTORY_CACHE_SECONDS=60):
        assert services.exchange_call(sender=CONSUMER, type_key=ECHO.key, payload={"text": "a"}).ok
        services.access_revoke(consumer=CONSUMER, type_key=ECHO.key)
        with pytest.raises(AccessDenied):
            services.exchange_call(sender=CONSUMER, type_key=ECHO.key, payload={"text": "a"})
        bus.grant()
        assert services.exchange_call(sender=CONSUMER, type_key=ECHO.key, payload={"text": "a"}).ok


def test_rate_limit_per_consumer_and_type(bus: Bus) -> None:
    bus.grant(rate=2)
    for _ in range(2):
        assert services.exchange_call(sender=CONSUMER, type_key=ECHO.key, payload={"text": "a"}).ok

    with pytest.raises(RateLimitExceeded):
        services.exchange_call(sender=CONSUMER, type_key=ECHO.key, payload={"text": "a"})
    with pytest.raises(RateLimitExceeded):
        services.exchange_send(sender=CONSUMER, type_key=ECHO.key, payload={"text": "a"})

    assert len(bus.calls) == 2
    assert refusals("rate_limited") == 2
    # Refused messages do not count against the limit.
    assert ExchangeMessage.objects.filter(status=MessageStatus.REJECTED).count() == 2


def test_rate_limit_window_moves(bus: Bus, frozen_clock: object) -> None:
    bus.grant(rate=1)
    assert services.exchange_call(sender=CONSUMER, type_key=ECHO.key, payload={"text": "a"}).ok
    with pytest.raises(RateLimitExceeded):
        services.exchange_call(sender=CONSUMER, type_key=ECHO.key, payload={"text": "a"})
    frozen_clock.advance(61)  # type: ignore[attr-defined]
    assert services.exchange_call(sender=CONSUMER, type_key=ECHO.key, payload={"text": "a"}).ok


def test_inactive_system_is_refused(bus: Bus) -> None:
    ExchangeSystem.objects.filter(code=CONSUMER).update(active=False)
    with pytest.raises(SystemInactive):
        services.exchange_call(sender=CONSUMER, type_key=ECHO.key, payload={"text": "a"})


# --- Asynchronous sends ------------------------------------------------------------------


def test_send_queues_then_a_worker_delivers_and_calls_back(
    bus: Bus, django_capture_on_commit_callbacks: object
) -> None:
    callbacks.clear()
    message = services.exchange_send(
        sender=CONSUMER,
        type_key=ECHO.key,
        payload={"text": "later"},
        callback=f"{__name__}.remember",
    )
    assert message.status == MessageStatus.QUEUED
    assert bus.calls == []  # the test's transaction has not committed: nothing sent yet

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        report = services.exchange_deliver_due()

    assert report.claimed == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.ANSWERED
    assert message.response_payload == {"text": "later", "length": 5}
    assert message.attempts == 1
    assert list(message.events.values_list("state", flat=True)) == ["queued", "sending", "answered"]
    assert callbacks == [str(message.pk)]


def test_callback_must_be_importable(bus: Bus) -> None:
    with pytest.raises(InvalidCallback):
        services.exchange_send(
            sender=CONSUMER, type_key=ECHO.key, payload={"text": "a"}, callback="no.such.function"
        )


def test_correlation_id_is_kept(bus: Bus) -> None:
    correlation = "0196f7e2-9b7a-7c39-8a44-0c2f1e2d3a4b"
    first = services.exchange_send(
        sender=CONSUMER, type_key=ECHO.key, payload={"text": "a"}, correlation_id=correlation
    )
    second = services.exchange_call(
        sender=CONSUMER, type_key=ECHO.key, payload={"text": "b"}, correlation_id=correlation
    )
    assert str(first.correlation_id) == correlation == second.correlation_id
    assert ExchangeMessage.objects.filter(correlation_id=correlation).count() == 2


class Boom(Exception):
    pass


def send_then_fail(tasks_in_transaction: list[int]) -> None:
    """The caller's transaction: it sends a message, then fails and rolls back."""
    with transaction.atomic():
        services.exchange_send(sender=CONSUMER, type_key=ECHO.key, payload={"text": "a"})
        tasks_in_transaction.append(DBTaskResult.objects.count())
        raise Boom


@pytest.mark.django_db(transaction=True)
def test_rolled_back_caller_sends_nothing_with_the_database_queue(bus_tx: Bus) -> None:
    seen: list[int] = []
    with override_settings(TASKS=DB_TASKS):
        with pytest.raises(Boom):
            send_then_fail(seen)
        assert seen == [1]  # enqueued inside the transaction...
        assert DBTaskResult.objects.count() == 0  # ...and gone with it
        assert not ExchangeMessage.objects.exists()
        services.exchange_deliver_due()
    assert bus_tx.calls == []


@pytest.mark.django_db(transaction=True)
def test_committed_send_is_delivered_by_the_task_worker(bus_tx: Bus) -> None:
    from django.core.management import call_command

    with override_settings(TASKS=DB_TASKS):
        message = services.exchange_send(sender=CONSUMER, type_key=ECHO.key, payload={"text": "a"})
        call_command("worker", "--batch", "--interval", "0")
    message.refresh_from_db()
    assert message.status == MessageStatus.ANSWERED
    assert bus_tx.calls == [str(message.pk)]


@pytest.mark.django_db(transaction=True)
def test_rolled_back_caller_sends_nothing_with_the_immediate_backend(bus_tx: Bus) -> None:
    with pytest.raises(Boom):
        send_then_fail([])
    assert not ExchangeMessage.objects.exists()
    assert bus_tx.calls == []

    # Committed: delivered once the transaction ends.
    with transaction.atomic():
        message = services.exchange_send(sender=CONSUMER, type_key=ECHO.key, payload={"text": "b"})
    assert bus_tx.calls == [str(message.pk)]
