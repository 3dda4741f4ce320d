"""The inbox and preference pages, and the development email outbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client, override_settings

from uslugi.notifications import events, services
from uslugi.notifications.constants import Channel
from uslugi.notifications.models import Notification, Preference
from uslugi.notifications.selectors import unread_count

pytestmark = pytest.mark.django_db


def status_changed(person: Any, number: int, *, link: str = "/account/") -> Notification:
    services.notify(
        event=events.APPLICATION_STATUS_CHANGED,
        recipient=person,
        event_id=f"status:{number}",
        context={"number": f"2026-00000{number}-1", "service": "Passport", "status": "Accepted"},
        link=link,
    )
    return Notification.objects.get(event_id=f"status:{number}", channel=Channel.INBOX)


@pytest.fixture
def signed_in(client: Client, person: Any) -> Client:
    client.force_login(person)
    return client


def test_pages_need_sign_in(client: Client) -> None:
    for url in ("/notifications/", "/notifications/preferences"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/account/login/" in response["Location"]


def test_inbox_lists_newest_first_with_unread_marked(signed_in: Client, person: Any) -> None:
    first = status_changed(person, 1)
    second = status_changed(person, 2)
    services.notification_read(account=person, notification_id=first.pk)
    page = signed_in.get("/notifications/").content.decode()
    assert page.index("2026-000002-1") < page.index("2026-000001-1")
    assert page.count("govuk-tag--blue") == 1  # only the second is new
    assert "1 unread notification." in page
    assert f'href="/notifications/{second.pk}/"' in page
    assert unread_count(person) == 1


def test_opening_marks_read_and_follows_the_link(signed_in: Client, person: Any) -> None:
    notification = status_changed(person, 1, link="/catalog/")
    response = signed_in.get(f"/notifications/{notification.pk}/")
    assert response.status_code == 302
    assert response["Location"] == "/catalog/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert unread_count(person) == 0


def test_opening_without_a_link_shows_it(signed_in: Client, person: Any) -> None:
    services.notify(
        event=events.SECURITY_SIGN_IN,
        recipient=person,
        event_id="login:1",
        context={"time": "25.11.2026 21:40", "device": "Firefox <script>"},
    )
    notification = Notification.objects.get(channel=Channel.INBOX)
    response = signed_in.get(f"/notifications/{notification.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Firefox &lt;script&gt;" in page  # escaped on display
    assert "<h1" in page


def test_another_persons_notification_is_not_found(
    client: Client, person: Any, stranger: Any
) -> None:
    theirs = status_changed(stranger, 1)
    client.force_login(person)
    assert client.get(f"/notifications/{theirs.pk}/").status_code == 404
    assert client.get("/notifications/not-a-uuid/").status_code == 404
    assert "2026-000001-1" not in client.get("/notifications/").content.decode()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read(signed_in: Client, person: Any, stranger: Any) -> None:
    status_changed(person, 1)
    status_changed(person, 2)
    status_changed(stranger, 3)
    assert signed_in.get("/notifications/read-all").status_code == 405
    response = signed_in.post("/notifications/read-all")
    assert response.status_code == 302
    assert unread_count(person) == 0
    assert unread_count(stranger) == 1


def test_preferences_page_saves_choices(signed_in: Client, person: Any, committed: Any) -> None:
    page = signed_in.get("/notifications/preferences").content.decode()
    assert 'name="application.submitted:email" checked' in page
    assert 'name="security.sign_in:email"' not in page  # locked on: disabled, no name
    assert 'name="application.submitted:inbox"' not in page
    response = signed_in.post(
        "/notifications/preferences",
        {"application.status_changed:email": "on", "application.submitted:sms": "on"},
    )
    assert response.status_code == 302
    chosen = {(p.event, p.channel): p.enabled for p in Preference.objects.filter(account=person)}
    assert chosen[events.APPLICATION_SUBMITTED, Channel.EMAIL] is False
    assert chosen[events.APPLICATION_SUBMITTED, Channel.SMS] is True
    assert (events.APPLICATION_STATUS_CHANGED, Channel.EMAIL) not in chosen  # unchanged
    assert (events.SECURITY_SIGN_IN, Channel.EMAIL) not in chosen
    with committed(), transaction.atomic():
        services.notify(
            event=events.APPLICATION_SUBMITTED,
            recipient=person,
            event_id="a:1",
            context={"number": "1", "service": "s", "agency": "a"},
        )
    assert mail.outbox == []
    assert {n.channel for n in Notification.objects.all()} == {Channel.INBOX, Channel.SMS}
    # Submitting a locked box is ignored.
    signed_in.post("/notifications/preferences", {"security.sign_in:email": ""})
    assert not Preference.objects.filter(event=events.SECURITY_SIGN_IN).exists()


def test_unread_count_context_processor(rf: Any, person: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    from uslugi.notifications.context_processors import unread

    status_changed(person, 1)
    request = rf.get("/")
    request.user = person
    assert unread(request)["notifications_unread"]() == 1
    request.user = AnonymousUser()
    assert unread(request)["notifications_unread"]() == 0


def test_development_email_outbox(client: Client, person: Any, tmp_path: Path) -> None:
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=tmp_path,
    ):
        mail.send_mail("Первое письмо", "Текст http://x.test/a", "a@x.test", ["b@x.test"])
        mail.send_mail("Второе письмо", "Ещё текст", "a@x.test", ["c@x.test"])
        page = client.get("/notifications/dev/email-outbox/").content.decode()
    assert page.index("Второе письмо") < page.index("Первое письмо")
    assert "c@x.test" in page
    assert 'href="http://x.test/a"' in page
    assert "The file email backend is not in use" not in page


def test_development_email_outbox_absent_in_production(client: Client) -> None:
    with override_settings(PRODUCTION=True):
        assert client.get("/notifications/dev/email-outbox/").status_code == 404
