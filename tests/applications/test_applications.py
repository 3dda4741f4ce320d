"""Applications: exactly-once submission, the lifecycle, delivery that survives an agency
being down, the personal account pages and the API, each person seeing only their own."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from tests.applications.conftest import PDF, at
from uslugi.applications import numbers, services
from uslugi.applications.constants import Actor, Status
from uslugi.applications.errors import TransitionRefused
from uslugi.applications.models import Application, Event
from uslugi.applications.transport import DeliveryFailed, register
from uslugi.core import clock
from uslugi.forms.models import Draft, Upload
from uslugi.identity.constants import Level
from uslugi.identity.models import Account

pytestmark = pytest.mark.django_db


def _submit(client: Client, draft: Draft, key: str = "k1") -> Any:
    return client.post(
        "/applications/submit/test-permit", {"draft": str(draft.pk), "idempotency_key": key}
    )


def test_number_has_a_check_digit() -> None:
    number = numbers.format_number(2026, 12345)
    assert number == numbers.normalize(number.replace("-", ""))
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert numbers.normalize(wrong) is None
    swapped = number[:5] + number[6] + number[5] + number[7:]
    assert swapped == number or numbers.normalize(swapped) is None


def test_submit_creates_one_application_and_shows_the_number(
    signed_in: Client, applicant: Account, draft: Draft
) -> None:
    response = _submit(signed_in, draft)
    assert response.status_code == 302
    application = Application.objects.get()
    assert response["Location"] == f"/applications/{application.pk}/?submitted=1"
    page = signed_in.get(response["Location"]).content.decode()
    assert "Application sent" in page
    assert application.number in page
    assert application.department_code == "r77-zags"
    assert application.payload == {"applicant": {"surname": "Смирнова"}, "address": ANSWERS_HOME}
    assert not Draft.objects.filter(pk=draft.pk).exists()
    # The same POST again (a double click, a retried request) and another tab's POST
    # (another key) find the same application.
    assert _submit(signed_in, draft)["Location"].startswith(f"/applications/{application.pk}/")
    assert _submit(signed_in, draft, key="other-tab")["Location"].startswith(
        f"/applications/{application.pk}/"
    )
    assert Application.objects.count() == 1
    assert application.status == Status.DELIVERED or Application.objects.get().status in {
        Status.SUBMITTED,
        Status.DELIVERED,
    }


ANSWERS_HOME = {"region": "77", "street": "Тверская", "house": "1"}


def test_api_submit_is_idempotent_by_key(signed_in: Client, draft: Draft) -> None:
    first = signed_in.post(
        "/api/v1/me/applications",
        {"draft": str(draft.pk)},
        content_type="application/json",
        headers={"Idempotency-Key": "abc"},
    )
    assert first.status_code == 201, first.content
    again = signed_in.post(
        "/api/v1/me/applications",
        {"draft": str(draft.pk)},
        content_type="application/json",
        headers={"Idempotency-Key": "abc"},
    )
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Application.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_submissions_of_one_draft_create_one_application(
    applicant: Account, draft: Draft
) -> None:
    results: list[Any] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def submit(key: str) -> None:
        try:
            barrier.wait()
            results.append(
                services.application_submit(account=applicant, draft=draft, idempotency_key=key)
            )
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(f"key-{i % 2}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Application.objects.count() == 1
    assert sum(1 for r in results if r.created) == 1


def test_incomplete_answers_go_back_to_check(signed_in: Client, draft: Draft) -> None:
    draft.data = {"surname": "Смирнова"}
    draft.save(update_fields=["data"])
    response = _submit(signed_in, draft)
    assert response["Location"] == "/forms/test-permit/check"
    assert not Application.objects.exists()


def test_level_too_low_says_how_to_raise_it(
    signed_in: Client, applicant: Account, draft: Draft
) -> None:
    Account.objects.filter(pk=applicant.pk).update(level=Level.SIMPLIFIED)
    response = _submit(signed_in, draft)
    assert response.status_code == 403
    page = response.content.decode()
    assert "/account/standard/" in page
    assert not Application.objects.exists()
    assert Draft.objects.filter(pk=draft.pk).exists()


_down = {"on": True, "calls": 0}


@register("flaky-test")
def _flaky(application: Any) -> str:
    _down["calls"] += 1
    if _down["on"]:
        raise DeliveryFailed("agency system answered 503")
    return "AG-1"


def test_agency_down_for_an_hour_then_back_delivered_once(
    signed_in: Client, applicant: Account, draft: Draft, settings: Any
) -> None:
    settings.APPLICATIONS_TRANSPORT = "flaky-test"
    _down.update(on=True, calls=0)
    with clock.frozen(at(0)):
        response = _submit(signed_in, draft)
    application = Application.objects.get()
    # The applicant sees the application received, never an error, all along.
    page = signed_in.get(response["Location"]).content.decode()
    assert "Received, being delivered" in page
    minute = 0.0
    while minute < 60:
        with clock.frozen(at(minute / 60)):
            services.deliver_due()
        minute += 1
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert application.delivery_attempts >= 3
    assert "503" in application.delivery_error
    _down["on"] = False
    with clock.frozen(at(2)):
        assert services.deliver_due() == 1
        assert services.deliver_due() == 0
    application.refresh_from_db()
    assert application.status == Status.DELIVERED
    assert application.delivery_reference == "AG-1"
    assert Event.objects.filter(application=application, status=Status.DELIVERED).count() == 1
    assert (
        "Delivered to the agency"
        in signed_in.get(f"/applications/{application.pk}/").content.decode()
    )


def _submitted(applicant: Account, draft: Draft) -> Application:
    """Submitted and delivered (tests run in a transaction: on-commit delivery never fires)."""
    application = services.application_submit(
        account=applicant, draft=draft, idempotency_key="x"
    ).application
    assert services.deliver(application.pk)
    application.refresh_from_db()
    return application


def test_cancel_allowed_until_accepted(signed_in: Client, applicant: Account, draft: Draft) -> None:
    application = _submitted(applicant, draft)
    application.refresh_from_db()
    services.agency_act(application=application, target=Status.ACCEPTED)
    api = signed_in.post(f"/api/v1/me/applications/{application.pk}/cancel")
    assert api.status_code == 409
    assert api.json()["code"] == "application_transition_refused"
    page = signed_in.post(f"/applications/{application.pk}/cancel", follow=True).content.decode()
    assert "cannot become" in page
    application.refresh_from_db()
    assert application.status == Status.ACCEPTED


def test_cancel_before_acceptance(signed_in: Client, applicant: Account, draft: Draft) -> None:
    application = _submitted(applicant, draft)
    response = signed_in.post(f"/api/v1/me/applications/{application.pk}/cancel")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


def test_information_requested_reply_with_file_and_result(
    signed_in: Client, applicant: Account, draft: Draft, media: Path
) -> None:
    application = _submitted(applicant, draft)
    application.refresh_from_db()
    services.agency_act(application=application, target=Status.ACCEPTED)
    services.agency_act(
        application=application,
        target=Status.INFO_REQUESTED,
        comment="Приложите скан свидетельства.",
        external_id="ag-ev-1",
    )
    # A repeated agency event (same id, same event) changes nothing.
    services.agency_act(
        application=application,
        target=Status.INFO_REQUESTED,
        comment="Приложите скан свидетельства.",
        external_id="ag-ev-1",
    )
    page = signed_in.get(f"/applications/{application.pk}/").content.decode()
    assert "Приложите скан свидетельства." in page
    # An executable renamed .pdf is refused, whatever the browser says it is.
    exe = SimpleUploadedFile("scan.pdf", b"MZ\x90\x00" + b"\x00" * 100, "application/pdf")
    refused = signed_in.post(
        f"/applications/{application.pk}/reply", {"text": "Вот", "documents": exe}
    )
    assert refused.status_code == 200
    assert "is not a PDF, JPG, PNG file" in refused.content.decode()
    assert not Upload.objects.filter(draft=None, field="files").exists()
    good = SimpleUploadedFile("svid.pdf", PDF, "application/pdf")
    sent = signed_in.post(
        f"/applications/{application.pk}/reply", {"text": "Вот", "documents": good}
    )
    assert sent.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.INFO_PROVIDED
    from uslugi.forms.services import upload_accept

    result = upload_accept(
        account=applicant,
        field={"name": "result", "accept": ["application/pdf"]},
        upload=SimpleUploadedFile("decision.pdf", PDF, "application/pdf"),
    )
    services.agency_act(
        application=application, target=Status.APPROVED, comment="Готово", results=[result]
    )
    page = signed_in.get(f"/applications/{application.pk}/").content.decode()
    assert "decision.pdf" in page
    attachment = application.attachments.get(kind="result")
    download = signed_in.get(f"/applications/{application.pk}/files/{attachment.pk}")
    assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]
    assert download["Content-Disposition"] == 'attachment; filename="decision.pdf"'
    assert download["Content-Length"] == str(len(PDF))
    timeline = signed_in.get(f"/api/v1/me/applications/{application.pk}/timeline").json()
    assert [e["status"] for e in timeline] == [
        "submitted", "delivered", "accepted", "info_requested", "info_provided", "approved",
    ]  # fmt: skip


def test_invalid_transitions_are_refused(applicant: Account, draft: Draft) -> None:
    application = _submitted(applicant, draft)
    with pytest.raises(TransitionRefused):
        services.transition(application=application, target=Status.APPROVED, actor=Actor.APPLICANT)
    with pytest.raises(TransitionRefused):
        services.agency_act(application=application, target=Status.INFO_PROVIDED)


def test_nobody_sees_another_person_s_application(
    stranger: Client, applicant: Account, draft: Draft, media: Path
) -> None:
    application = _submitted(applicant, draft)
    attachment_id = "00000000-0000-7000-8000-000000000000"
    for url in (
        f"/applications/{application.pk}/",
        f"/applications/{application.pk}/reply",
        f"/applications/{application.pk}/cancel",
        f"/applications/{application.pk}/files/{attachment_id}",
        f"/api/v1/me/applications/{application.pk}",
        f"/api/v1/me/applications/{application.pk}/timeline",
        f"/api/v1/me/applications/{application.pk}/attachments",
    ):
        assert stranger.get(url).status_code == 404, url
    assert stranger.post(f"/api/v1/me/applications/{application.pk}/cancel").status_code == 404
    assert stranger.get("/api/v1/me/applications").json()["total"] == 0
    assert "You have no applications yet." in stranger.get("/applications/").content.decode()


def test_dashboard_search_by_number_and_filters(
    signed_in: Client, applicant: Account, draft: Draft
) -> None:
    application = _submitted(applicant, draft)
    page = signed_in.get("/applications/").content.decode()
    assert application.number in page
    digits = application.number.replace("-", "")
    assert application.number in signed_in.get(f"/applications/?q={digits}").content.decode()
    assert (
        application.number not in signed_in.get("/applications/?q=2026-99999999-0").content.decode()
    )
    assert (
        application.number not in signed_in.get("/applications/?group=completed").content.decode()
    )
    assert application.number in signed_in.get("/applications/?group=active").content.decode()
    listed = signed_in.get("/api/v1/me/applications?group=active").json()
    assert listed["items"][0]["number"] == application.number


def test_drafts_on_the_dashboard_can_be_deleted(
    signed_in: Client, applicant: Account, draft: Draft
) -> None:
    page = signed_in.get("/applications/").content.decode()
    assert "Test permit" in page
    response = signed_in.post(f"/applications/drafts/{draft.pk}/delete")
    assert response.status_code == 302
    assert not Draft.objects.filter(pk=draft.pk).exists()


def test_drafts_expire_from_last_activity_with_one_reminder(
    applicant: Account, draft: Draft, settings: Any
) -> None:
    import datetime as dt

    from uslugi.forms.services import draft_save_step, drafts_expire
    from uslugi.notifications.models import Notification

    settings.FORMS_DRAFT_DAYS, settings.FORMS_DRAFT_REMINDER_DAYS = 30, 3
    created = draft.created_at
    # Activity on day 20 moves the expiry: day 28 is not yet reminder time.
    with clock.frozen(created + dt.timedelta(days=20)):
        draft_save_step(draft=draft, answers={}, next_step="about")
    with clock.frozen(created + dt.timedelta(days=28)):
        assert drafts_expire() == (0, 0)
    with clock.frozen(created + dt.timedelta(days=47, hours=1)):
        assert drafts_expire() == (1, 0)
        assert drafts_expire() == (0, 0)  # one reminder
    assert Notification.objects.filter(event="draft.expiring").exists()
    with clock.frozen(created + dt.timedelta(days=50, hours=1)):
        assert drafts_expire() == (0, 1)
    assert not Draft.objects.filter(pk=draft.pk).exists()


def test_periodic_runs_every_job_once(db: None) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("periodic", stdout=out)
    text = out.getvalue()
    assert "deliver_due: 0" in text
    assert "drafts_expire: (0, 0)" in text
