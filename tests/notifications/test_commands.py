"""`uslugi notifications sweep | templates load | templates check`."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from uslugi.core import clock
from uslugi.notifications import events, services
from uslugi.notifications.constants import Channel, Status
from uslugi.notifications.models import Notification, NotificationTemplate

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("notifications", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_templates_load_and_check() -> None:
    assert "42 shipped templates added" in run("templates", "load")
    assert "0 shipped templates added" in run("templates", "load")
    assert "42 templates render" in run("templates", "check")
    NotificationTemplate.objects.create(
        event=events.DRAFT_EXPIRING, channel=Channel.SMS, language="ru", version=2, body="{% if %}"
    )
    with pytest.raises(CommandError, match="1 templates do not render"):
        run("templates", "check")


def test_sweep(person: Any, fake_email: Any, committed: Any) -> None:
    channel = fake_email()
    with transaction.atomic():
        services.notify(
            event=events.DRAFT_EXPIRING,
            recipient=person,
            event_id="draft:1",
            context={"service": "Passport", "expires_on": "01.12.2026"},
        )
    assert "0 queued" in run("sweep")
    with clock.frozen(clock.now() + dt.timedelta(minutes=10)), committed():
        assert "1 queued" in run("sweep")
    assert Notification.objects.get(channel=Channel.EMAIL).status == Status.SENT
    assert len(channel.sent) == 1


def test_demo_loads_templates() -> None:
    from uslugi.notifications import demo

    out = StringIO()
    demo.load(out)
    assert "42 shipped templates added" in out.getvalue()
