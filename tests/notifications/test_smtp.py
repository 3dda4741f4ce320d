"""Email notifications reach a real SMTP server (aiosmtpd on loopback)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings

from tests.notifications.conftest import SmtpServer
from uslugi.notifications import events, services
from uslugi.notifications.constants import Channel, Status
from uslugi.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_email_arrives_at_an_smtp_server(
    person: Any, smtp_server: SmtpServer, committed: Any
) -> None:
    with (
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST=smtp_server.host,
            EMAIL_PORT=smtp_server.port,
        ),
        committed(),
        transaction.atomic(),
    ):
        services.notify(
            event=events.APPLICATION_RESULT_READY,
            recipient=person,
            event_id="application:1:result",
            context={"number": "2026-000123-4", "service": "Заграничный паспорт"},
            link="/applications/1/",
        )
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "anna@example.ru"
    # Django folds the encoded header; unfolding leaves the leading space.
    assert message["Subject"].strip() == "Готов результат по заявлению 2026-000123-4"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "«Заграничный паспорт»" in text
    assert "http://127.0.0.1:8000/applications/1/" in text
    email = Notification.objects.get(channel=Channel.EMAIL)
    assert email.status == Status.SENT


def test_smtp_server_down_is_a_retry_without_personal_data(person: Any, committed: Any) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with (
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
        ),
        committed(),
        transaction.atomic(),
    ):
        services.notify(
            event=events.DRAFT_EXPIRING,
            recipient=person,
            event_id="draft:1:expiring",
            context={"service": "Заграничный паспорт", "expires_on": "10.12.2026"},
        )
    email = Notification.objects.get(channel=Channel.EMAIL)
    assert (email.status, email.attempts) == (Status.PENDING, 1)
    assert email.last_error == "email not sent: ConnectionRefusedError"
