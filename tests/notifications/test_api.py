"""`/api/v1/me/notifications`: the signed-in person's own notifications only."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from uslugi.notifications import events, services
from uslugi.notifications.constants import Channel
from uslugi.notifications.models import Notification

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.notifications.urls")]

URL = "/api/v1/me/notifications"


def notify(person: Any, number: int) -> Notification:
    services.notify(
        event=events.APPLICATION_STATUS_CHANGED,
        recipient=person,
        event_id=f"status:{number}",
        context={"number": str(number), "service": "Passport", "status": "Accepted"},
        link=f"/applications/{number}/",
    )
    return Notification.objects.get(event_id=f"status:{number}", channel=Channel.INBOX)


def test_needs_sign_in(client: Client, person: Any) -> None:
    mine = notify(person, 1)
    assert client.get(URL).status_code == 401
    assert client.post(f"{URL}/{mine.pk}/read").status_code in (401, 403)


def test_pages_newest_first_by_cursor(client: Client, person: Any, stranger: Any) -> None:
    made = [notify(person, number) for number in range(5)]
    notify(stranger, 99)
    client.force_login(person)
    first = client.get(URL, {"limit": 2}).json()
    assert [item["id"] for item in first["items"]] == [str(made[4].pk), str(made[3].pk)]
    assert first["unread"] == 5
    assert first["items"][0]["title"] == "Заявление 4: Accepted"
    assert first["items"][0]["link"] == "/applications/4/"
    assert first["items"][0]["read_at"] is None
    second = client.get(URL, {"limit": 2, "cursor": first["next_cursor"]}).json()
    third = client.get(URL, {"limit": 2, "cursor": second["next_cursor"]}).json()
    seen = [item["id"] for page in (first, second, third) for item in page["items"]]
    assert seen == [str(n.pk) for n in reversed(made)]
    assert third["next_cursor"] == ""
    assert client.get(URL, {"limit": 0}).status_code == 422


def test_mark_read(client: Client, person: Any) -> None:
    mine = notify(person, 1)
    client.force_login(person)
    response = client.post(f"{URL}/{mine.pk}/read")
    assert response.status_code == 200
    assert response.json()["read_at"] is not None
    assert client.post(f"{URL}/{mine.pk}/read").status_code == 200  # idempotent
    assert client.get(URL).json()["unread"] == 0


def test_another_persons_notification_is_404(client: Client, person: Any, stranger: Any) -> None:
    theirs = notify(stranger, 1)
    client.force_login(person)
    for target in (str(theirs.pk), "not-a-uuid", "01a214a6-0000-7000-8000-000000000000"):
        response = client.post(f"{URL}/{target}/read")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["code"] == "notification_not_found"
    assert client.get(URL).json()["items"] == []
    assert client.get(URL, {"cursor": "nonsense"}).json()["code"] == "invalid_cursor"
    theirs.refresh_from_db()
    assert theirs.read_at is None
