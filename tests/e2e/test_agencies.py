"""The back office in a real browser (issue 9): an officer signs in with the password and
the SMS code from the outbox, finds a new application in the queue by its number, accepts
it, asks the applicant for information, and approves it with a PDF result document; the
applicant, in a browser of her own, answers the request and downloads the result. Then
the officer's accept action once more with JavaScript off.

Departments, staff and applications come from the agencies tests' helpers (a real
submission through the applications app, delivered to the agency's inbox). Controls are
found by their `name`, ids and links; texts are compared through the same catalogue the
pages use.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import expect

from tests.agencies.conftest import (  # noqa: F401 - fixtures
    HOME,
    departments,
    home_service,
    staff,
    submit,
)
from tests.e2e.conftest import DESKTOP, LOCALE, axe_serious_violations
from tests.factories.people import verified_person
from uslugi.agencies.models import CaseFile
from uslugi.applications import services as applications_services
from uslugi.applications.constants import AttachmentKind, Status
from uslugi.applications.models import Application
from uslugi.catalog.models import Department
from uslugi.forms.models import DefinitionVersion
from uslugi.identity.models import Account

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OFFICER_EMAIL = "officer@agency.test"
OFFICER_PASSWORD = "Uslugi-Test-2026"  # the agencies helper `staff` sets it
OFFICER_PHONE = "+79990000101"
APPLICANT_PHONE = "+79167654321"
APPLICANT_PASSWORD = "Tiger7Moon-Walk"
RESULT = b"%PDF-1.7\n1 0 obj << /Title (reshenie) >> endobj\ntrailer <<>>\n%%EOF\n"
REQUEST = "Приложите копию трудовой книжки."
ANSWER = "Копия трудовой книжки будет в МФЦ, прошу учесть стаж с 2015 года."
APPROVAL = "Разрешение выдано."


def t(text: str, language: str = "ru") -> str:
    """A text as the portal shows it in `language` (the same catalogue the pages use)."""
    with translation.override(language):
        return str(translation.gettext(text))


# --- fixtures ----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    """Uploads (the result document) kept under a temporary directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


@pytest.fixture
def officer(departments: dict[str, Department]) -> Account:  # noqa: F811 - the imported fixture
    """An officer of the migration directorate whose second sign-in step is an SMS code."""
    account = staff(OFFICER_EMAIL, departments[HOME])
    account.phone = OFFICER_PHONE
    account.save(update_fields=["phone"])
    return account


@pytest.fixture
def applicant(db: None) -> Account:
    """A standard account with checked personal data and a password."""
    return verified_person(phone=APPLICANT_PHONE, password=APPLICANT_PASSWORD)


@pytest.fixture
def application(applicant: Account, home_service: DefinitionVersion) -> Application:  # noqa: F811
    """A submitted application routed to the officer's department, delivered to its inbox;
    another one of the same department beside it, so that the search has to find it.

    Delivery is queued on commit, which here runs at once (the tasks run immediately in
    tests, and these tests commit): `deliver_due` only makes sure nothing is left."""
    submit(applicant, home_service, deliver=False)
    submitted = submit(applicant, home_service, deliver=False)
    applications_services.deliver_due()
    found = Application.objects.get(pk=submitted.pk)
    assert found.status == Status.DELIVERED
    assert found.department_code == HOME
    return found


class Browsers:
    """Fresh browser profiles (no cookies) in Russian, each watched for script errors."""

    def __init__(self, browser: Any) -> None:
        self.browser = browser
        self.contexts: list[Any] = []
        self.errors: list[str] = []

    def page(self, *, js: bool) -> Any:
        context = self.browser.new_context(
            viewport=DESKTOP, locale=LOCALE, java_script_enabled=js, accept_downloads=True
        )
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        return page


@pytest.fixture
def browsers(browser: Any) -> Iterator[Browsers]:
    opened = Browsers(browser)
    yield opened
    for context in opened.contexts:
        context.close()
    assert opened.errors == []  # no CSP violation, no script error


# --- helpers -----------------------------------------------------------------------------


def sms_code(page: Any, base: str, phone: str) -> str:
    """The newest code sent to `phone`, read in another tab of the same browser."""
    outbox = page.context.new_page()
    try:
        outbox.goto(base + "/dev/sms-outbox/")
        row = outbox.locator("#sms-outbox tbody tr", has_text=phone).first
        text = row.locator("td").last.inner_text()
    finally:
        outbox.close()
    match = re.search(r"\b(\d{6})\b", text)
    assert match, text
    return match.group(1)


def officer_signs_in(page: Any, base: str, path: str) -> None:
    """Open a back-office page while signed out: password, then the SMS code, then back."""
    page.goto(base + path)
    expect(page).to_have_url(re.compile(r"/account/login/\?next="))
    page.locator("#id_identifier").fill(OFFICER_EMAIL)
    page.locator("#id_password").fill(OFFICER_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/account/login/second-step/")
    code = sms_code(page, base, OFFICER_PHONE)
    page.locator("#id_code").fill(code)
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(base + path)


def applicant_signs_in(page: Any, base: str, path: str) -> None:
    page.goto(base + path)
    expect(page).to_have_url(re.compile(r"/account/login/\?next="))
    page.locator("#id_identifier").fill(APPLICANT_PHONE)
    page.locator("#id_password").fill(APPLICANT_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(base + path)


def status_of(application: Application) -> str:
    application.refresh_from_db()
    return str(application.status)


# --- the journey -------------------------------------------------------------------------


def test_officer_requests_information_and_approves_with_a_result(
    browsers: Browsers,
    live_server: Any,
    officer: Account,
    application: Application,
    axe_source: str,
) -> None:
    base, number = live_server.url, application.number
    case_url = f"/agency/{application.pk}/"
    detail_url = f"/applications/{application.pk}/"

    # The officer signs in with the second step and finds the application by its number.
    desk = browsers.page(js=True)
    officer_signs_in(desk, base, "/agency/")
    rows = desk.locator("#queue a[href^='/agency/']")
    expect(rows).to_have_count(2)
    assert axe_serious_violations(desk, axe_source) == [], "queue"
    desk.locator("#filters [name=number]").fill(number.replace("-", ""))
    desk.locator("#filters button[type=submit]").click()
    expect(rows).to_have_count(1)
    link = desk.locator(f"#queue a[href='{case_url}']")
    expect(link).to_have_text(number)
    link.click()
    expect(desk).to_have_url(base + case_url)
    expect(desk.locator("h1")).to_contain_text(number)
    expect(desk.locator("#status")).to_contain_text(t("Delivered to the agency"))
    expect(desk.locator("#answers")).to_contain_text("Смирнова")
    assert axe_serious_violations(desk, axe_source) == [], "case page"

    # Accept, then ask the applicant for more.
    desk.locator("#accept").click()
    expect(desk.locator("#status")).to_contain_text(t("Accepted by the agency"))
    expect(desk.locator("#assignee")).to_contain_text("Officer")  # the first action takes it
    assert status_of(application) == Status.ACCEPTED
    desk.locator("[name=request_info-comment]").fill(REQUEST)
    desk.locator("#request-info").click()
    expect(desk.locator("#status")).to_contain_text(t("Information requested"))
    expect(desk.locator("#timeline")).to_contain_text(REQUEST)
    expect(desk.locator("#request-info")).to_have_count(0)
    assert status_of(application) == Status.INFO_REQUESTED

    # The applicant, in her own browser, sees the request and answers it.
    home = browsers.page(js=True)
    applicant_signs_in(home, base, detail_url)
    expect(home.locator("#status")).to_contain_text(t("Information requested"))
    expect(home.locator("#agency-request")).to_contain_text(REQUEST)
    home.locator(f"#agency-request a[href='{detail_url}reply']").click()
    expect(home).to_have_url(f"{base}{detail_url}reply")
    home.locator("[name=text]").fill(ANSWER)
    home.locator("main form[enctype='multipart/form-data'] button[type=submit]").click()
    expect(home).to_have_url(base + detail_url)
    expect(home.locator("#status")).to_contain_text(t("Information provided"))
    expect(home.locator("#agency-request")).to_have_count(0)

    # The officer sees the answer and approves with a PDF result document.
    desk.reload()
    expect(desk.locator("#status")).to_contain_text(t("Information provided"))
    expect(desk.locator("#timeline")).to_contain_text(ANSWER)
    desk.locator("input[type=file][name=approve-documents]").set_input_files(
        {"name": "reshenie.pdf", "mimeType": "application/pdf", "buffer": RESULT}
    )
    desk.locator("[name=approve-comment]").fill(APPROVAL)
    desk.locator("#approve").click()
    expect(desk).to_have_url(base + case_url)
    expect(desk.locator("#status")).to_contain_text(t("Completed: approved"))
    expect(desk.locator("#no-actions")).to_be_visible()
    expect(desk.locator("#files a", has_text="reshenie.pdf")).to_have_count(1)
    assert status_of(application) == Status.APPROVED
    result = application.attachments.get(kind=AttachmentKind.RESULT).upload
    assert (result.name, result.content_type, result.size) == (
        "reshenie.pdf",
        "application/pdf",
        len(RESULT),
    )

    # The applicant sees the result on her application and downloads it.
    home.reload()
    expect(home.locator("#status")).to_contain_text(t("Completed: approved"))
    expect(home.locator("#timeline")).to_contain_text(APPROVAL)
    download_link = home.locator("#results a")
    expect(download_link).to_have_count(1)
    expect(download_link).to_have_text("reshenie.pdf")
    with home.expect_download(timeout=5_000) as download:
        download_link.click()
    assert download.value.suggested_filename == "reshenie.pdf"
    assert Path(download.value.path()).read_bytes() == RESULT


def test_officer_accepts_without_javascript(
    browsers: Browsers, live_server: Any, officer: Account, application: Application
) -> None:
    base = live_server.url
    case_url = f"/agency/{application.pk}/"
    desk = browsers.page(js=False)
    officer_signs_in(desk, base, case_url)
    expect(desk.locator("body.js-enabled")).to_have_count(0)
    expect(desk.locator("#status")).to_contain_text(t("Delivered to the agency"))
    desk.locator(f"form[action='{case_url}act/accept/'] [name=accept-comment]").fill(
        "Принято к рассмотрению."
    )
    desk.locator("#accept").click()
    expect(desk).to_have_url(base + case_url)
    expect(desk.locator("#status")).to_contain_text(t("Accepted by the agency"))
    expect(desk.locator("#accept")).to_have_count(0)
    expect(desk.locator("#timeline")).to_contain_text("Принято к рассмотрению.")
    assert status_of(application) == Status.ACCEPTED
    assert CaseFile.objects.get(application=application).assignee_id == officer.pk
