"""The prepared hot-path writes store exactly what the ORM would, on both databases."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from tests.exchange.conftest import CONSUMER, ECHO, Bus
from uslugi.core import clock
from uslugi.exchange import sql
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
