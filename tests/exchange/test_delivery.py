"""Workers: retries with backoff, deadlines, dead letters, signatures, idempotency, claims."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from tests.exchange.conftest import CONSUMER, ECHO, Bus, Clock
from uslugi.core import clock
from uslugi.core.audit import AuditEntry
from uslugi.exchange import directory, services
from uslugi.exchange.constants import MessageStatus
from uslugi.exchange.directory import party
from uslugi.exchange.errors import NotResendable
from uslugi.exchange.interfaces import HandlerContext, ProviderUnavailable
from uslugi.exchange.models import AccessGrant, ExchangeMessage, ExchangeSystem, SystemKey
from uslugi.exchange.services import delivery
from uslugi.exchange.services.common import backoff
from uslugi.exchange.services.delivery import claim_due, requeue_stale_claims
from uslugi.exchange.services.providing import provide_in_process


def down_for(bus: Bus, times: int) -> list[int]:
    """Make the provider raise ProviderUnavailable `times` times, then answer again."""
    failures = [0]

    def flaky(payload: dict[str, Any], context: HandlerContext) -> dict[str, Any]:
        if failures[0] < times:
            failures[0] += 1
            raise ProviderUnavailable("down for maintenance")
        return bus.handler(payload, context)

    bus.replace(flaky)
    return failures


def send(text: str = "hi", **kwargs: Any) -> ExchangeMessage:
    return services.exchange_send(
        sender=CONSUMER, type_key=ECHO.key, payload={"text": text}, **kwargs
    )


def test_provider_down_then_back_is_retried_with_backoff_and_delivered(
    bus: Bus, frozen_clock: Clock
) -> None:
    failures = down_for(bus, 2)
    message = send()

    services.exchange_deliver_due()
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert message.attempts == 1
    assert message.error_code == "unavailable"
    first_wait = (message.next_attempt_at - frozen_clock.now).total_seconds()
    assert 1.0 <= first_wait <= 2.0  # base 2 s, equal jitter: between half and all of it

    assert services.exchange_deliver_due().claimed == 0  # not due yet
    frozen_clock.advance(first_wait)
    services.exchange_deliver_due()
    message.refresh_from_db()
    second_wait = (message.next_attempt_at - frozen_clock.now).total_seconds()
    assert 2.0 <= second_wait <= 4.0
    assert message.attempts == 2

    frozen_clock.advance(second_wait)
    services.exchange_deliver_due()
    message.refresh_from_db()
    assert message.status == MessageStatus.ANSWERED
    assert message.attempts == 3
    assert message.error_code == ""
    assert failures == [2]
    assert bus.calls == [str(message.pk)]
    states = list(message.events.values_list("state", flat=True))
    assert states == ["queued", "sending", "queued", "sending", "queued", "sending", "answered"]


def test_backoff_is_exponential_capped_and_jittered() -> None:
    with override_settings(EXCHANGE_RETRY_BASE_SECONDS=1, EXCHANGE_RETRY_MAX_SECONDS=30):
        for attempt, full in [(1, 1), (2, 2), (3, 4), (4, 8), (6, 30), (20, 30)]:
            delays = {backoff(attempt) for _ in range(20)}
            assert all(full / 2 <= d <= full for d in delays)
            assert len(delays) > 1  # jitter
        assert backoff(1, retry_after=45) == 45


@override_settings(EXCHANGE_MAX_ATTEMPTS=3)
def test_provider_never_back_dead_letter_then_resent(
    bus: Bus, frozen_clock: Clock, admin_client: Any
) -> None:
    down_for(bus, 10**6)
    message = send(deadline=24 * 3600)
    for _ in range(3):
        services.exchange_deliver_due()
        frozen_clock.advance(600)
    message.refresh_from_db()
    assert message.status == MessageStatus.DEAD_LETTER
    assert message.attempts == 3
    assert services.exchange_deliver_due().claimed == 0  # nothing more happens by itself

    # The provider is back; an operator re-sends the dead letter from the admin.
    bus.replace(bus.handler)
    response = admin_client.post(
        "/admin/exchange/exchangemessage/",
        {"action": "resend", "_selected_action": [str(message.pk)]},
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert message.attempts == 0
    assert AuditEntry.objects.filter(action="exchange.message_resent").count() == 1

    services.exchange_deliver_due()
    message.refresh_from_db()
    assert message.status == MessageStatus.ANSWERED
    assert "re-sent (was dead_letter)" in list(message.events.values_list("detail", flat=True))


def test_provider_never_back_times_out_at_the_deadline_then_resent(
    bus: Bus, frozen_clock: Clock
) -> None:
    down_for(bus, 10**6)
    message = send(deadline=20)  # seconds
    for _ in range(10):
        services.exchange_deliver_due()
        frozen_clock.advance(5)
    message.refresh_from_db()
    assert message.status == MessageStatus.TIMED_OUT
    assert message.error_code == "timed_out"
    assert 1 < message.attempts < 10

    bus.replace(bus.handler)
    services.message_resend(message_id=message.pk)
    services.exchange_deliver_due()
    message.refresh_from_db()
    assert message.status == MessageStatus.ANSWERED


def test_a_message_whose_deadline_passed_in_the_queue_times_out(
    bus: Bus, frozen_clock: Clock
) -> None:
    message = send(deadline=10)
    frozen_clock.advance(11)  # no worker ran in time
    services.exchange_deliver_due()
    message.refresh_from_db()
    assert message.status == MessageStatus.TIMED_OUT
    assert bus.calls == []


def test_only_dead_letters_and_timed_out_can_be_resent(bus: Bus) -> None:
    message = send()
    with pytest.raises(NotResendable):
        services.message_resend(message_id=message.pk)


def test_tampered_signature_is_rejected_and_logged(bus: Bus) -> None:
    message = send()
    other = send("other")
    # Swap signatures: each is a valid signature, of another envelope.
    ExchangeMessage.objects.filter(pk=message.pk).update(signature=other.signature)

    services.exchange_deliver_due()
    message.refresh_from_db()
    assert message.status == MessageStatus.REJECTED
    assert message.error_code == "bad_signature"
    assert bus.calls == [str(other.pk)]
    assert AuditEntry.objects.filter(action="exchange.signature_rejected").count() == 1


def test_tampered_payload_is_rejected(bus: Bus) -> None:
    message = send("pay 10")
    ExchangeMessage.objects.filter(pk=message.pk).update(request_payload={"text": "pay 1000"})
    services.exchange_deliver_due()
    message.refresh_from_db()
    assert message.status == MessageStatus.REJECTED
    assert bus.calls == []


def test_unsigned_message_is_rejected(bus: Bus) -> None:
    message = send()
    ExchangeMessage.objects.filter(pk=message.pk).update(signature="")
    services.exchange_deliver_due()
    message.refresh_from_db()
    assert message.status == MessageStatus.REJECTED


def test_duplicate_delivery_is_answered_from_the_stored_response(bus: Bus) -> None:
    message = send()
    assert services.message_deliver(message_id=str(message.pk)) == "answered"
    # The same delivery again (a second task for the same id): nothing is called again.
    assert services.message_deliver(message_id=str(message.pk)) == "answered"
    assert bus.calls == [str(message.pk)]

    # The provider side, handed an answered message again, answers from the store.
    message.refresh_from_db()
    provider = party(message.recipient.code)
    assert provider is not None
    outcome = provide_in_process(message, provider=provider, consumer=CONSUMER)
    assert outcome.payload == message.response_payload
    assert outcome.signature is not None
    assert outcome.signature.value == message.response_signature
    assert bus.calls == [str(message.pk)]


def test_stale_claim_is_requeued_and_delivered_once(bus: Bus, frozen_clock: Clock) -> None:
    message = send()
    claimed = claim_due(limit=10)  # a worker claims it, then dies
    assert [m.pk for m in claimed] == [message.pk]
    assert services.exchange_deliver_due().claimed == 0

    frozen_clock.advance(301)
    assert requeue_stale_claims() == 1
    services.exchange_deliver_due()
    message.refresh_from_db()
    assert message.status == MessageStatus.ANSWERED
    assert bus.calls == [str(message.pk)]


def test_two_claims_never_share_a_message(bus: Bus) -> None:
    sent = {send(str(i)).pk for i in range(7)}
    first = {m.pk for m in claim_due(limit=4)}
    second = {m.pk for m in claim_due(limit=4)}
    assert len(first) == 4
    assert len(second) == 3
    assert first | second == sent
    assert not first & second


@override_settings(EXCHANGE_CLAIM_TIMEOUT_SECONDS=0)
def test_a_batch_that_runs_out_of_time_gives_the_rest_back(bus: Bus) -> None:
    sent = [send(str(i)) for i in range(3)]
    report = services.exchange_deliver_due()
    assert report.claimed == 3
    assert report.by_status == {"answered": 1}  # the first is always attempted
    statuses = dict(ExchangeMessage.objects.values_list("pk", "status"))
    assert sorted(statuses.values()) == ["answered", "queued", "queued"]
    assert ExchangeMessage.objects.filter(status="queued", attempts=0).count() == 2
    assert len(sent) == 3


def test_handler_crash_is_retried(bus: Bus, frozen_clock: Clock) -> None:
    def crash(payload: dict[str, Any], context: HandlerContext) -> dict[str, Any]:
        raise RuntimeError("bug")

    bus.replace(crash)
    message = send()
    services.exchange_deliver_due()
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert message.error_code == "handler_crashed"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_never_deliver_one_message_twice(bus_tx: Bus) -> None:
    total = 120
    ids = {str(send(str(i)).pk) for i in range(total)}
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            start.wait()
            while services.exchange_deliver_due(limit=5).claimed:
                pass
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    assert len(bus_tx.calls) == total
    assert set(bus_tx.calls) == ids  # each once
    assert ExchangeMessage.objects.filter(status=MessageStatus.ANSWERED).count() == total
    assert connection.vendor == "postgresql"
    assert clock.now()  # the clock was never frozen here


def test_a_worker_round_requeues_stale_claims_now_and_then(bus: Bus, frozen_clock: Clock) -> None:
    message = send()
    claim_due(limit=10)  # a worker claims it, then dies
    frozen_clock.advance(301)
    delivery._last_sweep[0] = time.monotonic()  # this process swept a moment ago
    assert services.exchange_deliver_due().requeued_stale == 0  # not looked for yet
    delivery._last_sweep[0] -= 31  # a tenth of the claim timeout later
    report = services.exchange_deliver_due()
    assert (report.requeued_stale, report.claimed) == (1, 1)
    message.refresh_from_db()
    assert message.status == MessageStatus.ANSWERED
    assert bus.calls == [str(message.pk)]


@override_settings(EXCHANGE_DIRECTORY_CACHE_SECONDS=60)
def test_workers_look_systems_up_once_while_the_cache_holds(bus: Bus) -> None:
    for text in ("a", "b"):
        send(text)
    directory.forget_directory()
    services.exchange_deliver_due(limit=1)
    send("c")
    with CaptureQueriesContext(connection) as queries:
        assert services.exchange_deliver_due(limit=2).by_status == {"answered": 2}
    directory_tables = [model._meta.db_table for model in (ExchangeSystem, SystemKey, AccessGrant)]
    read = [q["sql"] for q in queries if any(t in q["sql"] for t in directory_tables)]
    assert read == []  # systems, keys and grants came from the cache


def test_an_outcome_whose_claim_was_taken_over_is_not_written(bus: Bus) -> None:
    kept, lost = send("kept"), send("lost")
    batch = claim_due(limit=10)
    token = batch[0].claimed_by
    attempted = [(message, delivery.attempt(message)) for message in batch]
    # Meanwhile the claim on one of them expired and another worker took it.
    ExchangeMessage.objects.filter(pk=lost.pk).update(claimed_by="another-worker")

    delivery.record(token, attempted)

    kept.refresh_from_db()
    lost.refresh_from_db()
    assert kept.status == MessageStatus.ANSWERED
    assert (lost.status, lost.claimed_by) == (MessageStatus.SENDING, "another-worker")
    assert list(lost.events.values_list("state", flat=True)) == ["queued"]
    assert list(kept.events.values_list("state", flat=True)) == ["queued", "sending", "answered"]
