"""Fixtures of the notifications tests: people, a channel that fails, a real SMTP server."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth import get_user_model

from uslugi.notifications import channels
from uslugi.notifications.constants import Channel

PASSWORD = "Tiger7Moon-Walk"


def make_account(*, email: str | None, phone: str | None, **extra: Any) -> Any:
    # No password hash: hashing one per test would dominate these tests' time.
    return get_user_model().objects.create(email=email, phone=phone, **extra)


@pytest.fixture
def person(db: None) -> Any:
    """An account with an email address and a mobile phone."""
    return make_account(email="anna@example.ru", phone="+79161234567", surname="Смирнова")


@pytest.fixture
def stranger(db: None) -> Any:
    return make_account(email="boris@example.ru", phone="+79167654321", surname="Иванов")


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    """`with committed(): ...` runs the block's on-commit callbacks at its end, as a real
    commit would (the test's own transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@dataclass
class FakeChannel(channels.NotificationChannel):
    """An email channel that records what it sends and fails the first `failures` times."""

    failures: int = 0
    error: Exception = field(
        default_factory=lambda: channels.ChannelError("SMTP server answered 451")
    )
    sent: list[dict[str, str]] = field(default_factory=list)
    calls: int = 0
    identifier = Channel.EMAIL  # type: ignore[assignment]

    def address(self, recipient: Any) -> str | None:
        return recipient.email or None

    def send(self, *, address: str, subject: str, body: str) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        self.sent.append({"to": address, "subject": subject, "body": body})
        return f"ref-{self.calls}"


@pytest.fixture
def fake_email() -> Iterator[Callable[..., FakeChannel]]:
    """`fake_email(failures=2)` puts a recording email channel in place for the test."""
    restores: list[Callable[[], None]] = []

    def install(**kwargs: Any) -> FakeChannel:
        channel = FakeChannel(**kwargs)
        restores.append(channels.replace(channel))
        return channel

    yield install
    for restore in reversed(restores):
        restore()


class _Collect:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.arrived:
            self.messages.append(message)  # type: ignore[arg-type]
            self.arrived.notify_all()
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 5.0) -> list[EmailMessage]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.messages) >= count, timeout=timeout)
        return list(self.messages)


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: _Collect

    def wait_for(self, count: int, timeout: float = 5.0) -> list[EmailMessage]:
        return self.handler.wait_for(count, timeout)


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server on a free loopback port (aiosmtpd), collecting what arrives."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = _Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, handler)
    finally:
        controller.stop()


@pytest.fixture
def staff_user(db: None) -> Any:
    return get_user_model().objects.create_superuser("notifications-admin@example.test")


@pytest.fixture
def client() -> Any:
    """A browser set to English (the tests read the English source texts)."""
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")
