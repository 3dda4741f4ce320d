"""The message log (purge, admin), the type registry for integrators, the command."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client, override_settings

from tests.exchange.conftest import CONSUMER, ECHO, Bus
from uslugi.core import clock
from uslugi.core.audit import AuditEntry
from uslugi.core.fields import EncryptedField
from uslugi.exchange import services
from uslugi.exchange.constants import MessageStatus
from uslugi.exchange.models import ExchangeMessage, MessageEvent
from uslugi.identity.models import Account


def call(text: str = "hi") -> str:
    return services.exchange_call(
        sender=CONSUMER, type_key=ECHO.key, payload={"text": text}
    ).message_id


# --- Retention ---------------------------------------------------------------------------


@override_settings(EXCHANGE_RETENTION_DAYS=30)
def test_purge_respects_retention_in_batches_without_reading_payloads(
    bus: Bus, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = clock.now()
    old = [call(f"old {i}") for i in range(5)]
    recent = call("recent")
    pending = services.exchange_send(sender=CONSUMER, type_key=ECHO.key, payload={"text": "q"})
    ExchangeMessage.objects.filter(pk__in=[*old, pending.pk]).update(
        created_at=now - dt.timedelta(days=31)
    )
    ExchangeMessage.objects.filter(pk=recent).update(created_at=now - dt.timedelta(days=29))

    def no_decrypting(self: Any, token: str) -> Any:
        raise AssertionError("the purge decrypted a payload")

    monkeypatch.setattr(EncryptedField, "decrypt", no_decrypting)
    assert services.messages_purge(batch=2) == 5
    monkeypatch.undo()

    left = set(ExchangeMessage.objects.values_list("pk", flat=True))
    assert left == {ExchangeMessage._meta.pk.to_python(recent), pending.pk}  # pending: not finished
    assert not MessageEvent.objects.filter(message_id__in=old).exists()
    assert services.messages_purge() == 0


def test_purge_command(bus: Bus) -> None:
    out = StringIO()
    call_command("exchange", "purge", stdout=out)
    assert "0 messages purged" in out.getvalue()


# --- Admin -------------------------------------------------------------------------------


@pytest.fixture
def operator(db: None) -> Client:
    """A staff member who may read the log but not payloads."""
    account = Account.objects.create_user("operator@uslugi.local", "x-Password-1", is_staff=True)
    account.user_permissions.add(Permission.objects.get(codename="view_exchangemessage"))
    client = Client()
    client.force_login(account)
    return client


def test_admin_searches_the_log(bus: Bus, operator: Client) -> None:
    first = call("one")
    services.exchange_call(
        sender=CONSUMER,
        type_key=ECHO.key,
        payload={"text": "two"},
        correlation_id="0196f7e2-9b7a-7c39-8a44-0c2f1e2d3a4b",
    )
    url = "/admin/exchange/exchangemessage/"

    by_correlation = operator.get(url, {"q": "0196f7e2-9b7a-7c39-8a44-0c2f1e2d3a4b"})
    assert by_correlation.status_code == 200
    assert by_correlation.context["cl"].result_count == 1
    assert operator.get(url, {"q": first}).context["cl"].result_count == 1
    assert operator.get(url, {"q": "testprov.echo"}).context["cl"].result_count == 2
    assert operator.get(url, {"q": CONSUMER}).context["cl"].result_count == 2
    assert operator.get(url, {"status": "answered"}).context["cl"].result_count == 2
    assert operator.get(url, {"type": ECHO.key}).context["cl"].result_count == 2
    today = (clock.now() - dt.timedelta(hours=1)).isoformat()
    tomorrow = (clock.now() + dt.timedelta(days=1)).isoformat()
    by_time = operator.get(url, {"created_at__gte": today, "created_at__lt": tomorrow})
    assert by_time.context["cl"].result_count == 2


def test_admin_shows_the_timeline_and_hides_payloads_without_permission(
    bus: Bus, operator: Client, admin_client: Client
) -> None:
    message_id = call("private text")
    url = f"/admin/exchange/exchangemessage/{message_id}/change/"

    page = operator.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "synchronous call" in html  # the timeline
    assert "private text" not in html
    assert not AuditEntry.objects.filter(action="exchange.payload_viewed").exists()

    page = admin_client.get(url)
    assert "private text" in page.content.decode()
    assert AuditEntry.objects.filter(action="exchange.payload_viewed").count() == 1


def test_operator_without_permission_cannot_resend(bus: Bus, operator: Client) -> None:
    message_id = call()
    ExchangeMessage.objects.filter(pk=message_id).update(status=MessageStatus.DEAD_LETTER)
    response = operator.post(
        "/admin/exchange/exchangemessage/", {"action": "resend", "_selected_action": [message_id]}
    )
    assert ExchangeMessage.objects.get(pk=message_id).status == MessageStatus.DEAD_LETTER
    assert response.status_code in {200, 302}


def test_admin_lists_systems_and_grants(bus: Bus, admin_client: Client) -> None:
    call()
    assert admin_client.get("/admin/exchange/exchangesystem/").status_code == 200
    assert admin_client.get("/admin/exchange/accessgrant/").status_code == 200
    assert admin_client.get("/admin/exchange/accessgrant/add/").status_code == 200


# --- The registry for integrators ---------------------------------------------------------


def test_api_lists_types_with_schemas(bus_types: Bus, client: Client) -> None:
    response = client.get("/api/v1/exchange/types")
    assert response.status_code == 200
    types = {t["key"]: t for t in response.json()}
    assert types[ECHO.key]["request_schema"] == ECHO.request_schema
    assert types[ECHO.key]["provider"] == "testprov"
    assert types[ECHO.key]["in_process"] is True
    assert "example.echo/1" in types

    detail = client.get(f"/api/v1/exchange/types/{ECHO.key}")
    assert detail.status_code == 200
    assert detail.json()["response_schema"] == ECHO.response_schema

    missing = client.get("/api/v1/exchange/types/nope.nothing/1")
    assert missing.status_code == 404
    assert missing.json()["code"] == "unknown_message_type"


def test_docs_page_lists_types(bus_types: Bus, client: Client) -> None:
    page = client.get("/exchange/types")
    assert page.status_code == 200
    html = page.content.decode()
    assert ECHO.key in html
    assert "&quot;maxLength&quot;: 100" in html  # the request schema, escaped in <pre>
    assert client.get(f"/exchange/types/{ECHO.key}").status_code == 200
    assert client.get("/exchange/types/nope/1").status_code == 404


# --- The command ---------------------------------------------------------------------------


def test_command_grants_calls_and_delivers(bus_types: Bus, db: None) -> None:
    out = StringIO()
    call_command("exchange", "grant", "agency", ECHO.key, "--rate", "5", stdout=out)
    call_command("exchange", "call", "agency", ECHO.key, '{"text": "cli"}', stdout=out)
    assert '"status": "ok"' in out.getvalue()
    services.exchange_send(sender="agency", type_key=ECHO.key, payload={"text": "later"})
    call_command("exchange", "deliver", "--once", stdout=out)
    assert "1 messages delivered" in out.getvalue()
    call_command("exchange", "keys", stdout=out)
    call_command("exchange", "types", stdout=out)
    assert ECHO.key in out.getvalue()


def test_demo_grants_the_portal_every_in_process_type(bus_types: Bus, db: None) -> None:
    from uslugi.exchange import demo

    demo.load(StringIO())
    demo.load(StringIO())  # idempotent
    assert services.exchange_call(sender=CONSUMER, type_key=ECHO.key, payload={"text": "x"}).ok


@override_settings(EXCHANGE_RETENTION_DAYS=30)
def test_the_delivery_loop_also_purges(bus: Bus) -> None:
    old = call("old")
    ExchangeMessage.objects.filter(pk=old).update(created_at=clock.now() - dt.timedelta(days=31))
    rounds = iter([False, True])
    services.run_worker(interval=0, stop=lambda: next(rounds))
    assert not ExchangeMessage.objects.filter(pk=old).exists()
