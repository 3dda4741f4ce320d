"""The admin: template versions, the delivery log, preferences."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from tests.notifications.conftest import FakeChannel
from uslugi.core.audit import AuditEntry
from uslugi.notifications import events, services
from uslugi.notifications.constants import Channel, Status
from uslugi.notifications.models import Notification, NotificationTemplate
from uslugi.notifications.rendering import templates_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client: Client, staff_user: Any) -> Client:
    client.force_login(staff_user)
    return client


@pytest.fixture
def delivered(person: Any, committed: Any, fake_email: Any) -> Notification:
    fake_email(failures=1)
    with committed(), transaction.atomic():
        services.notify(
            event=events.APPLICATION_SUBMITTED,
            recipient=person,
            event_id="a:1",
            context={"number": "2026-000123-4", "service": "Passport", "agency": "Interior"},
        )
        services.preferences_save(account=person, enabled=set())
    return Notification.objects.get(channel=Channel.EMAIL)


@pytest.mark.parametrize("model", ["notificationtemplate", "notification", "preference"])
def test_changelists_render(staff: Client, delivered: Notification, model: str) -> None:
    templates_load()
    response = staff.get(f"/admin/notifications/{model}/")
    assert response.status_code == 200


def test_delivery_log_shows_attempts_but_not_the_text(
    staff: Client, delivered: Notification
) -> None:
    page = staff.get(f"/admin/notifications/notification/{delivered.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "SMTP server answered 451" in html
    assert "2026-000123-4" not in html  # the rendered text is the person's correspondence


def test_requeue_action(
    staff: Client, delivered: Notification, fake_email: Any, committed: Any
) -> None:
    Notification.objects.filter(pk=delivered.pk).update(status=Status.FAILED)
    channel: FakeChannel = fake_email()
    with committed():
        response = staff.post(
            "/admin/notifications/notification/",
            {"action": "requeue", "_selected_action": [str(delivered.pk)]},
        )
    assert response.status_code == 302
    delivered.refresh_from_db()
    assert delivered.status == Status.SENT
    assert len(channel.sent) == 1


def test_editing_a_template_adds_a_version(staff: Client, staff_user: Any) -> None:
    templates_load()
    first = NotificationTemplate.objects.get(
        event=events.APPLICATION_SUBMITTED, channel=Channel.EMAIL, language="en"
    )
    url = f"/admin/notifications/notificationtemplate/{first.pk}/change/"
    page = staff.get(url)
    assert page.status_code == 200
    assert "Application 2026-000123-4 sent" in page.content.decode()  # the preview
    refused = staff.post(url, {"subject": "{% if %}", "body": "x", "note": ""})
    assert refused.status_code == 200
    assert "The template does not work" in refused.content.decode()
    response = staff.post(
        url, {"subject": "Sent: {{ number }}", "body": "{{ service }}", "note": "shorter"}
    )
    assert response.status_code == 302
    versions = NotificationTemplate.objects.filter(
        event=events.APPLICATION_SUBMITTED, channel=Channel.EMAIL, language="en"
    ).order_by("version")
    assert [(v.version, v.subject) for v in versions] == [
        (1, "Application {{ number }} sent"),
        (2, "Sent: {{ number }}"),
    ]
    assert versions[1].author == staff_user
    assert AuditEntry.objects.filter(action="notifications.template_changed").count() == 1
    add = staff.get("/admin/notifications/notificationtemplate/add/")
    assert add.status_code == 200
    assert (
        staff.post(f"/admin/notifications/notificationtemplate/{first.pk}/delete/").status_code
        == 403
    )
