"""notify() and delivery: transactional, exactly once per channel, retries with backoff,
preferences, rate limits, the sweeper, templates and languages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings

from tests.notifications.conftest import FakeChannel
from uslugi.core import clock
from uslugi.notifications import events, services
from uslugi.notifications.constants import Channel, Outcome, SkipReason, Status
from uslugi.notifications.models import DeliveryAttempt, Notification, NotificationTemplate
from uslugi.notifications.rendering import templates_load

pytestmark = pytest.mark.django_db

SUBMITTED = {"number": "2026-000123-4", "service": "Foreign passport", "agency": "Interior"}


def submit(person: Any, event_id: str = "application:1:submitted", **extra: Any) -> None:
    services.notify(
        event=events.APPLICATION_SUBMITTED,
        recipient=person,
        event_id=event_id,
        context={**SUBMITTED, **extra},
        link="/applications/1/",
    )


def rows(person: Any, channel: Channel | None = None) -> list[Notification]:
    found = Notification.objects.filter(recipient=person)
    if channel is not None:
        found = found.filter(channel=channel)
    return list(found.order_by("created_at"))


# --- Transactions ---------------------------------------------------------------------------


def test_committed_event_is_in_the_inbox_and_emailed(person: Any, committed: Any) -> None:
    with committed(), transaction.atomic():
        submit(person)
    inbox, email = rows(person, Channel.INBOX), rows(person, Channel.EMAIL)
    assert len(inbox) == 1
    assert inbox[0].status == Status.SENT
    assert str(inbox[0].subject) == "Заявление 2026-000123-4 отправлено"
    assert inbox[0].link == "/applications/1/"
    assert [e.status for e in email] == [Status.SENT]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["anna@example.ru"]
    assert mail.outbox[0].subject == "Заявление 2026-000123-4 отправлено"
    assert "http://127.0.0.1:8000/applications/1/" in mail.outbox[0].body
    # Not asked for by default for this event.
    assert rows(person, Channel.SMS) == []


def test_email_is_not_sent_before_the_commit(
    person: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        submit(person)
        assert mail.outbox == []
    assert len(callbacks) == 1
    assert mail.outbox == []
    assert rows(person, Channel.EMAIL)[0].status == Status.PENDING


class Refused(Exception):
    pass


def submit_then_fail(person: Any, event_id: str = "application:1:submitted") -> None:
    with transaction.atomic():
        submit(person, event_id=event_id)
        raise Refused


def test_rolled_back_transaction_notifies_nobody(person: Any, committed: Any) -> None:
    with committed() as callbacks, pytest.raises(Refused):
        submit_then_fail(person)
    assert callbacks == []
    assert Notification.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_rolled_back_and_committed_for_real(person: Any) -> None:
    """With real commits (no test transaction around): only the committed event arrives."""
    with pytest.raises(Refused):
        submit_then_fail(person, event_id="rolled-back")
    with transaction.atomic():
        submit(person, event_id="committed")
    assert {n.event_id for n in Notification.objects.all()} == {"committed"}
    assert len(mail.outbox) == 1


def test_context_and_link_are_checked(person: Any) -> None:
    with pytest.raises(TypeError, match="not a plain value"):
        services.notify(
            event=events.APPLICATION_SUBMITTED,
            recipient=person,
            event_id="x",
            context={"account": person},
        )
    for link in ("https://evil.example/", "//evil.example/", "applications/1"):
        with pytest.raises(ValueError, match="path on this portal"):
            services.notify(
                event=events.APPLICATION_SUBMITTED,
                recipient=person,
                event_id="x",
                context=SUBMITTED,
                link=link,
            )
    with pytest.raises(LookupError):
        services.notify(event="no.such_event", recipient=person, event_id="x", context={})
    with pytest.raises(ValueError, match="event_id"):
        services.notify(
            event=events.APPLICATION_SUBMITTED, recipient=person, event_id="", context={}
        )


# --- Exactly once ---------------------------------------------------------------------------------


def test_same_event_id_twice_notifies_once(person: Any, committed: Any) -> None:
    with committed(), transaction.atomic():
        submit(person)
        submit(person)
    with committed(), transaction.atomic():
        submit(person)
    assert len(rows(person, Channel.INBOX)) == 1
    assert len(rows(person, Channel.EMAIL)) == 1
    assert len(mail.outbox) == 1


def test_a_retried_task_does_not_send_twice(person: Any, committed: Any) -> None:
    from uslugi.notifications.tasks import deliver

    with committed(), transaction.atomic():
        submit(person)
    email = rows(person, Channel.EMAIL)[0]
    # The queue delivers the task again (a worker retry, a duplicate enqueue, the sweeper).
    assert deliver.enqueue(str(email.pk)).return_value == "not_due"
    assert services.notification_deliver(notification_id=str(email.pk)) == "not_due"
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.SENT, 1)


def test_two_workers_claim_one_message_once(person: Any, fake_email: Any) -> None:
    channel = fake_email()
    with transaction.atomic():  # no commit callbacks run: the rows wait as after a crash
        submit(person)
    email = rows(person, Channel.EMAIL)[0]
    results = [services.notification_deliver(notification_id=str(email.pk)) for _ in range(3)]
    assert results == ["sent", "not_due", "not_due"]
    assert len(channel.sent) == 1


# --- Failures and retries ---------------------------------------------------------------------


def test_failure_is_retried_with_backoff_then_marked_failed(
    person: Any, committed: Any, fake_email: Callable[..., FakeChannel]
) -> None:
    channel = fake_email(failures=100)
    start = clock.now()
    with clock.frozen(start), committed(), transaction.atomic():
        submit(person)
    email = rows(person, Channel.EMAIL)[0]
    assert (email.status, email.attempts) == (Status.PENDING, 1)
    pauses = []
    for attempt in range(2, 7):
        previous = email.next_attempt_at
        assert previous is not None
        pauses.append(previous)
        # Not yet due: nothing happens.
        assert services.notification_deliver(notification_id=str(email.pk)) == "not_due"
        # The sweeper (the immediate test backend cannot defer tasks) sends it when due.
        with clock.frozen(previous + dt.timedelta(minutes=5)), committed():
            assert services.notifications_sweep().queued == [str(email.pk)]
        email.refresh_from_db()
        assert email.attempts == attempt
    assert email.status == Status.FAILED
    assert email.next_attempt_at is None
    assert email.last_error == "SMTP server answered 451"
    assert channel.calls == 6
    # The pause doubles: 1, 2, 4, 8, 16 minutes after each failed attempt.
    attempts = list(DeliveryAttempt.objects.filter(notification=email).order_by("number"))
    assert [a.outcome for a in attempts] == [Outcome.ERROR] * 6
    gaps = [
        (pause - attempt.finished_at).total_seconds()
        for pause, attempt in zip(pauses, attempts, strict=False)
    ]
    assert gaps == [60, 120, 240, 480, 960]
    # A failed message is not swept again.
    with clock.frozen(start + dt.timedelta(days=1)):
        assert services.notifications_sweep().queued == []


def test_recovers_after_a_failure(person: Any, committed: Any, fake_email: Any) -> None:
    channel = fake_email(failures=1)
    with committed(), transaction.atomic():
        submit(person)
    email = rows(person, Channel.EMAIL)[0]
    assert email.status == Status.PENDING
    with clock.frozen(clock.now() + dt.timedelta(minutes=10)), committed():
        services.notifications_sweep()
    email.refresh_from_db()
    assert (email.status, email.attempts, email.reference) == (Status.SENT, 2, "ref-2")
    assert len(channel.sent) == 1


def test_errors_never_hold_the_address_or_text(
    person: Any, committed: Any, fake_email: Any
) -> None:
    fake_email(failures=1, error=RuntimeError("cannot send to anna@example.ru: Заявление"))
    with committed(), transaction.atomic():
        submit(person)
    email = rows(person, Channel.EMAIL)[0]
    assert email.last_error == "unexpected error: RuntimeError"
    assert "anna" not in DeliveryAttempt.objects.get(notification=email).error


# --- Preferences -------------------------------------------------------------------------------


def test_preferences_are_honoured(person: Any, committed: Any) -> None:
    services.preferences_save(
        account=person,
        enabled={(events.APPLICATION_SUBMITTED, Channel.SMS)},  # email off, SMS on
    )
    with committed(), transaction.atomic():
        submit(person)
    assert {n.channel for n in rows(person)} == {Channel.INBOX, Channel.SMS}
    assert mail.outbox == []


def test_inbox_and_security_email_cannot_be_turned_off(person: Any, committed: Any) -> None:
    services.preferences_save(account=person, enabled=set())
    with committed(), transaction.atomic():
        submit(person)
        services.notify(
            event=events.SECURITY_PASSWORD_CHANGED,
            recipient=person,
            event_id="password:1",
            context={"time": "25.11.2026 21:40"},
        )
    by_event = {(n.event, n.channel) for n in rows(person)}
    assert by_event == {
        (events.APPLICATION_SUBMITTED, Channel.INBOX),
        (events.SECURITY_PASSWORD_CHANGED, Channel.INBOX),
        (events.SECURITY_PASSWORD_CHANGED, Channel.EMAIL),
    }
    assert [m.subject for m in mail.outbox] == ["Пароль изменён"]


def test_sms_goes_through_the_identity_gateway(person: Any, committed: Any) -> None:
    from uslugi.identity.models import SmsMessage

    with committed(), transaction.atomic():
        services.notify(
            event=events.APPLICATION_INFORMATION_REQUESTED,
            recipient=person,
            event_id="status:7",
            context={"number": "2026-000123-4", "service": "Foreign passport"},
            link="/applications/1/",
        )
    sms = rows(person, Channel.SMS)[0]
    assert sms.status == Status.SENT
    message = SmsMessage.objects.get()
    assert str(message.phone) == "+79161234567"
    assert "2026-000123-4" in str(message.text)
    assert str(sms.subject) == ""
    assert len(mail.outbox) == 1


def test_no_address_no_message(db: None, committed: Any) -> None:
    from tests.notifications.conftest import make_account

    phone_only = make_account(email=None, phone="+79160000001")
    with committed(), transaction.atomic():
        submit(phone_only)
    assert {n.channel for n in rows(phone_only)} == {Channel.INBOX}


# --- Rate limits -----------------------------------------------------------------------------


@override_settings(NOTIFICATIONS_RATE_LIMITS={"email": 2, "sms": 1})
def test_rate_limit_per_recipient(person: Any, stranger: Any, committed: Any) -> None:
    with committed(), transaction.atomic():
        for number in range(3):
            submit(person, event_id=f"application:{number}")
        submit(stranger, event_id="application:0")
    emails = rows(person, Channel.EMAIL)
    assert [e.status for e in emails] == [Status.SENT, Status.SENT, Status.SKIPPED]
    assert emails[2].skip_reason == SkipReason.RATE_LIMITED
    # The inbox is unaffected; another person has a limit of their own.
    assert len(rows(person, Channel.INBOX)) == 3
    assert rows(stranger, Channel.EMAIL)[0].status == Status.SENT
    assert len(mail.outbox) == 3
    # An hour later there is room again.
    with clock.frozen(clock.now() + dt.timedelta(hours=1, minutes=1)), committed():
        submit(person, event_id="application:later")
    assert rows(person, Channel.EMAIL)[-1].status == Status.SENT


# --- The sweeper ----------------------------------------------------------------------------


def test_sweeper_sends_what_a_crash_left_pending(
    person: Any, fake_email: Any, committed: Any
) -> None:
    channel = fake_email()
    with transaction.atomic():
        submit(person)  # committed, but the process died before queueing the task
    assert services.notifications_sweep().queued == []  # not overdue yet
    with clock.frozen(clock.now() + dt.timedelta(minutes=6)), committed():
        report = services.notifications_sweep()
    assert len(report.queued) == 1
    assert len(channel.sent) == 1
    assert rows(person, Channel.EMAIL)[0].status == Status.SENT


def test_sweeper_releases_a_dead_workers_claim(
    person: Any, fake_email: Any, committed: Any
) -> None:
    channel = fake_email()
    with transaction.atomic():
        submit(person)
    email = rows(person, Channel.EMAIL)[0]
    Notification.objects.filter(pk=email.pk).update(
        status=Status.SENDING, claimed_at=clock.now(), attempts=1
    )
    with clock.frozen(clock.now() + dt.timedelta(minutes=5)):
        assert services.notifications_sweep().released == 0
    with clock.frozen(clock.now() + dt.timedelta(minutes=16)), committed():
        report = services.notifications_sweep()
    assert report.released == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.SENT, 2)
    assert len(channel.sent) == 1


def test_requeue_failed(person: Any, fake_email: Any, committed: Any) -> None:
    channel = fake_email(failures=1)
    with override_settings(NOTIFICATIONS_MAX_ATTEMPTS=1), committed(), transaction.atomic():
        submit(person)
    email = rows(person, Channel.EMAIL)[0]
    assert email.status == Status.FAILED
    with committed():
        assert services.notifications_requeue(ids=[email.pk]) == 1
    email.refresh_from_db()
    assert email.status == Status.SENT
    assert len(channel.sent) == 1


# --- Templates and language ------------------------------------------------------------------


def test_language_of_the_account(person: Any, committed: Any) -> None:
    person.language = "en"  # an account model with a language field
    with committed(), transaction.atomic():
        submit(person)
    assert mail.outbox[0].subject == "Application 2026-000123-4 sent"
    assert "Your application no. 2026-000123-4" in mail.outbox[0].body
    assert rows(person, Channel.INBOX)[0].language == "en"


def test_newest_template_version_is_used(person: Any, staff_user: Any, committed: Any) -> None:
    assert templates_load() == 42
    assert templates_load() == 0
    version = services.template_version_add(
        event=events.APPLICATION_SUBMITTED,
        channel=Channel.EMAIL,
        language="ru",
        subject="Заявление № {{ number }} <принято>",
        body="Услуга: {{ service }} & {{ agency }}\n{{ link }}",
        author=staff_user,
    )
    assert version.version == 2
    with committed(), transaction.atomic():
        submit(person)
    assert mail.outbox[0].subject == "Заявление № 2026-000123-4 <принято>"  # not escaped
    assert mail.outbox[0].body.startswith("Услуга: Foreign passport & Interior")
    assert rows(person, Channel.EMAIL)[0].template_id == version.pk
    assert (
        NotificationTemplate.objects.filter(
            event=events.APPLICATION_SUBMITTED, channel=Channel.EMAIL, language="ru"
        ).count()
        == 2
    )


def test_broken_template_is_refused(staff_user: Any) -> None:
    from django.template import TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError):
        services.template_version_add(
            event=events.APPLICATION_SUBMITTED,
            channel=Channel.EMAIL,
            language="ru",
            subject="{% if %}",
            body="x",
            author=staff_user,
        )
    with pytest.raises(TemplateSyntaxError):
        services.template_version_add(
            event=events.APPLICATION_SUBMITTED,
            channel=Channel.EMAIL,
            language="ru",
            subject="x",
            body="{% include 'core/base.html' %}",
            author=staff_user,
        )


def test_every_event_has_texts_for_every_channel_and_language() -> None:
    from uslugi.notifications.rendering import render, sample_context

    for event in events.all_events():
        for channel in Channel:
            for language in ("ru", "en"):
                text = render(
                    event=event.key,
                    channel=channel,
                    language=language,
                    context={**sample_context(event.key), "link": "https://x.test/a"},
                )
                assert text is not None, (event.key, channel, language)
                assert text.body
                assert "{{" not in text.body
                if channel != Channel.SMS:
                    assert text.subject
                else:
                    assert len(text.body) <= 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_workers_send_once(person: Any, fake_email: Any) -> None:
    """Eight workers race for one message on PostgreSQL: one claim wins, one email goes."""
    import threading

    from django.db import connection

    channel = fake_email()
    with transaction.atomic():
        submit(person)  # the delivery task runs at commit: make it pending again
    email = rows(person, Channel.EMAIL)[0]
    Notification.objects.filter(pk=email.pk).update(
        status=Status.PENDING, attempts=0, sent_at=None, next_attempt_at=clock.now()
    )
    channel.sent.clear()
    start = threading.Barrier(8)
    results: list[str] = []

    def worker() -> None:
        try:
            start.wait()
            results.append(services.notification_deliver(notification_id=str(email.pk)))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["not_due"] * 7 + ["sent"]
    assert len(channel.sent) == 1
