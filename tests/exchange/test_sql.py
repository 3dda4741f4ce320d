"""The prepared hot-path writes store exactly what the ORM would, on both databases."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from tests.exchange.conftest import CONSUMER, ECHO, Bus
from uslugi.core import clock
from uslugi.exchange import services, sql
from uslugi.exchange.constants import MessageStatus
from uslugi.exchange.models import ExchangeMessage, ExchangeSystem, MessageEvent


def test_insert_and_update_round_trip(bus: Bus) -> None:
    sender = ExchangeSystem.objects.get(code=CONSUMER)
    now = clock.now()
    message = ExchangeMessage(
        sender=sender,
        recipient=sender,
        type_key=ECHO.key,
        deadline=now + dt.timedelta(minutes=1),
        status=MessageStatus.SENDING,
        claimed_by="token",
        request_payload={"text": "Привет", "n": [1, 2]},
        attachments=[{"name": "a.pdf", "sha256": "0" * 64, "size": 3}],
    )
    message.correlation_id = message.pk
    sql.insert([message])
    sql.insert([message.event("sending", "one", at=now), message.event("answered", "two")])

    stored = ExchangeMessage.objects.get(pk=message.pk)
    assert stored.request_payload == {"text": "Привет", "n": [1, 2]}
    assert stored.attachments == message.attachments
    assert stored.created_at == message.created_at
    assert stored.deadline == message.deadline
    assert list(MessageEvent.objects.filter(message=message).values_list("detail", flat=True)) == [
        "one",
        "two",
    ]

    where = {"id": message.pk, "status": MessageStatus.SENDING, "claimed_by": "other"}
    values = {
        "status": MessageStatus.ANSWERED,
        "response_payload": {"note": "plaintext-marker"},
        "claimed_by": "",
    }
    assert sql.update_where(ExchangeMessage, values=values, where=where) == 0
    where["claimed_by"] = "token"
    assert sql.update_where(ExchangeMessage, values=values, where=where) == 1
    stored.refresh_from_db()
    assert stored.status == MessageStatus.ANSWERED
    assert stored.response_payload == {"note": "plaintext-marker"}
    # Encrypted at rest like any ORM write.
    table = ExchangeMessage._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT request_payload, response_payload FROM {table} WHERE id = %s",  # noqa: S608
            [ExchangeMessage._meta.pk.get_db_prep_value(message.pk, connection)],
        )
        request_raw, response_raw = cursor.fetchone()
    assert "Привет" not in request_raw
    assert "plaintext-marker" not in response_raw


def test_select_reads_back_what_the_orm_reads(bus: Bus) -> None:
    sent = services.exchange_send(
        sender=CONSUMER,
        type_key=ECHO.key,
        payload={"text": "Привет"},
        attachments=[{"name": "a.pdf", "sha256": "0" * 64, "size": 3}],
    )
    (read,) = sql.select(ExchangeMessage, where={"id": sent.pk, "status": MessageStatus.QUEUED})
    orm = ExchangeMessage.objects.get(pk=sent.pk)
    for field in ExchangeMessage._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(orm, field.attname), field.name
        assert type(getattr(read, field.attname)) is type(getattr(orm, field.attname)), field.name
    assert read.request_payload == {"text": "Привет"}
    assert read.created_at.tzinfo is not None
    assert not read._state.adding  # a loaded row: save() updates it
    assert sql.select(ExchangeMessage, where={"id": sent.pk, "status": "sending"}) == []


def test_a_batch_preparer_never_reuses_a_ciphertext(bus: Bus) -> None:
    now = clock.now()
    messages = [
        services.exchange_send(sender=CONSUMER, type_key=ECHO.key, payload={"text": str(i)})
        for i in range(2)
    ]
    prepare = sql.Preparer()
    values = {"status": MessageStatus.ANSWERED, "response_payload": {"same": 1}, "updated_at": now}
    statements = [
        prepare.update(
            ExchangeMessage, values=values, where={"id": m.pk, "status": MessageStatus.QUEUED}
        )
        for m in messages
    ]
    (_, first), (_, second) = statements
    assert first[0] == second[0]  # the status, prepared once
    assert first[2] == second[2]  # the time, likewise
    assert first[1] != second[1]  # each payload encrypted under its own nonce
    assert [sql.execute(s) for s in statements] == [1, 1]
    for message in messages:
        message.refresh_from_db()
        assert message.response_payload == {"same": 1}
        assert message.updated_at == now


def test_events_keep_their_fields(bus: Bus) -> None:
    message = services.exchange_send(sender=CONSUMER, type_key=ECHO.key, payload={"text": "x"})
    message.attempts = 3
    at = clock.now() - dt.timedelta(seconds=5)
    event = message.event(MessageStatus.SENDING, "attempt 3", at=at)
    sql.insert([event])
    stored = MessageEvent.objects.get(message=message, state=MessageStatus.SENDING)
    assert (stored.message_id, stored.at, stored.attempt, stored.detail) == (
        message.pk,
        at,
        3,
        "attempt 3",
    )


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite claim")
def test_the_sqlite_claim_takes_only_due_queued_messages(bus: Bus) -> None:
    due = [
        services.exchange_send(sender=CONSUMER, type_key=ECHO.key, payload={"text": str(i)})
        for i in range(3)
    ]
    later = services.exchange_send(sender=CONSUMER, type_key=ECHO.key, payload={"text": "later"})
    now = clock.now()
    ExchangeMessage.objects.filter(pk=later.pk).update(
        next_attempt_at=now + dt.timedelta(minutes=1)
    )
    ExchangeMessage.objects.filter(pk=due[2].pk).update(status=MessageStatus.FAILED)

    def claim(token: str) -> int:
        return sql.claim_sqlite(
            ExchangeMessage,
            queued=MessageStatus.QUEUED,
            sending=MessageStatus.SENDING,
            token=token,
            now=now,
            limit=1,
        )

    assert [claim("a"), claim("b"), claim("c")] == [1, 1, 0]
    rows = ExchangeMessage.objects.filter(status=MessageStatus.SENDING)
    assert sorted(rows.values_list("claimed_by", "attempts", "claimed_at")) == [
        ("a", 1, now),
        ("b", 1, now),
    ]
    assert {m.pk for m in rows} == {due[0].pk, due[1].pk}
