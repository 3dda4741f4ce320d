"""Applications in a real browser: the foreign passport application sent with a photo,
followed on the dashboard, the agency's request answered with a file, the result
document downloaded, and an email for every step received by a real SMTP server
(aiosmtpd) started by the test. Then the same submission with JavaScript off.

The agency's side is the test helper `services.agency_act` (the back office and the
integration API call it too). Controls are found by their `name`, ids and links, not by
their texts; texts are compared through the same catalogue the pages use.
"""

from __future__ import annotations

import re
import struct
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, LOCALE, axe_serious_violations
from tests.factories.people import verified_person
from tests.notifications.conftest import SmtpServer, smtp_server  # noqa: F401 - fixture
from uslugi.applications import numbers, services
from uslugi.applications.constants import AttachmentKind, Status
from uslugi.applications.models import Application
from uslugi.forms.models import Draft
from uslugi.forms.selectors import version_current
from uslugi.forms.services import definitions_load, draft_start, upload_accept
from uslugi.identity.models import Account

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Tiger7Moon-Walk"
PHONE = "+79167654321"
EMAIL = "anna@example.ru"
PASSPORT = "/forms/foreign-passport"
SUBMIT = "/applications/submit/foreign-passport"
NUMBER = re.compile(r"^\d{4}-\d{8}-\d$")
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
RESULT = b"%PDF-1.7\n1 0 obj << /Title (decision) >> endobj\ntrailer <<>>\n%%EOF\n"
REQUEST = "Приложите копию трудовой книжки."
ANSWER = "Прикладываю копию трудовой книжки."

# Application bugs these journeys meet (the tests pass once they are fixed):


def t(text: str, language: str = "ru") -> str:
    """A text as the portal shows it in `language` (the same catalogue the pages use)."""
    with translation.override(language):
        return str(translation.gettext(text))


def png() -> bytes:
    """A valid 1×1 white PNG (the photo: PNG by content, far below 2 MB)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1×1, 8 bits, RGB
    pixels = zlib.compress(b"\x00\xff\xff\xff")  # filter byte, one white pixel
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


# --- fixtures ----------------------------------------------------------------------------


@pytest.fixture
def published(transactional_db: None) -> None:
    """The shipped definitions, published (as `uslugi forms load --publish` does)."""
    report = definitions_load(publish=True)
    ours = [str(p) for p in report.problems if "foreign-passport" in str(p)]
    assert ours == [], ours


@pytest.fixture
def applicant(transactional_db: None) -> Account:
    """A standard account with checked personal data, a password and an email address."""
    return verified_person(phone=PHONE, email=EMAIL, patronymic="Павловна", password=PASSWORD)


@pytest.fixture
def mail(settings: Any, smtp_server: SmtpServer, tmp_path: Path) -> SmtpServer:  # noqa: F811
    """Email over SMTP to the test's own server; uploads kept under a temporary directory."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = smtp_server.host
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.MEDIA_ROOT = tmp_path / "media"
    return smtp_server


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


def sign_in_to(page: Any, base: str, path: str) -> None:
    """Open a page while signed out: the sign-in page brings the person back to it."""
    page.goto(base + path)
    expect(page).to_have_url(re.compile(r"/account/login/\?next="))
    page.locator("#id_identifier").fill(PHONE)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()


def continue_(page: Any) -> None:
    """Press Continue and wait for the next page (the step again when it has errors)."""
    page.evaluate("document.documentElement.dataset.leaving = 'yes'")
    page.locator("main form button.govuk-button:not([name])").click()
    expect(page.locator("html[data-leaving]")).to_have_count(0)


def at_step(page: Any, base: str, step: str) -> None:
    expect(page).to_have_url(re.compile(f"^{re.escape(f'{base}{PASSPORT}/step/{step}')}(#.*)?$"))
    expect(page.locator(".govuk-error-summary")).to_have_count(0)


def choose(page: Any, name: str, value: str) -> None:
    """Pick a radio option; when it drives a live condition and JavaScript runs, wait for
    htmx's re-render of the step (answering the next question before it lands loses it)."""
    option = page.locator(f"[name={name}][value={value}]")
    live = page.locator(f"body.js-enabled [hx-post] [name={name}]").count() > 0
    if live and not option.is_checked():
        with page.expect_response(
            lambda r: "preview=1" in r.url and r.request.method == "POST"
        ) as preview:
            option.check()
        assert preview.value.status == 200
        expect(page.locator(f"[name={name}][value={value}]")).to_be_checked()
    else:
        option.check()


def fill_the_form(page: Any, base: str) -> None:
    """Every step of the foreign passport form, the photo attached on the last one."""
    at_step(page, base, "applicant")
    for name in ("surname", "first_name", "birth_date"):  # locked, from the profile
        expect(page.locator(f"[name={name}]")).to_be_disabled()
    expect(page.locator("[name=surname]")).to_have_value("Смирнова")
    continue_(page)

    at_step(page, base, "documents")
    expect(page.locator("[name=passport__series_number]")).to_have_value("45 08 123456")
    choose(page, "had_foreign_passport", "no")
    continue_(page)

    at_step(page, base, "address")
    page.locator("[name=registration_address__region]").select_option("77")
    page.locator("[name=registration_address__municipality]").select_option("77-001")
    page.locator("[name=registration_address__street]").fill("ул. Садовая")
    page.locator("[name=registration_address__house]").fill("12")
    page.locator("[name=registration_address__flat]").fill("5")
    continue_(page)

    at_step(page, base, "work")
    page.locator("[name=employment__0__organisation]").fill("ООО «Ромашка»")
    page.locator("[name=employment__0__position]").fill("Инженер")
    page.locator("[name=employment__0__started_on]").fill("2015-09-01")
    continue_(page)

    at_step(page, base, "purpose")
    choose(page, "secret_access", "no")
    page.locator("[name=office]").select_option("mfc")
    page.locator("input[type=file][name=photo]").set_input_files(
        {"name": "photo-35x45.png", "mimeType": "image/png", "buffer": png()}
    )
    continue_(page)


def accept_and_send(page: Any, base: str) -> str:
    """On check your answers: send, and read the number from the confirmation panel."""
    expect(page).to_have_url(re.compile(f"^{re.escape(f'{base}{PASSPORT}/check')}(#.*)?$"))
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    page.locator(f"main form[action='{SUBMIT}'] button[type=submit]").click()
    expect(page).to_have_url(
        re.compile(rf"^{re.escape(base)}/applications/[0-9a-f-]{{36}}/\?submitted=1$")
    )
    panel = page.locator(".govuk-panel--confirmation")
    expect(panel.locator("h1")).to_have_text(t("Application sent"))
    number = panel.locator(".govuk-panel__body strong").inner_text().strip()
    assert NUMBER.match(number), number
    assert numbers.normalize(number) == number  # the check digit holds
    return number


def delivered(number: str) -> Application:
    """The application, delivered to the agency (delivery is queued on commit)."""
    services.deliver_due()  # nothing left to do when the queued attempt already ran
    application = Application.objects.get(number=number)
    assert application.status == Status.DELIVERED, application.status
    return application


def subject(message: Any) -> str:
    # A long non-ASCII subject is folded after "Subject:", which parses with a leading space.
    return str(message["Subject"]).strip()


def subjects_to(server: SmtpServer, expected: list[str], address: str) -> list[str]:
    """The subjects received once every expected one has arrived (or after 10 s); each
    message addressed to `address` only."""
    deadline = time.monotonic() + 10
    arrived = server.wait_for(0)
    while not all(s in [subject(m) for m in arrived] for s in expected):
        if time.monotonic() > deadline:
            break
        arrived = server.wait_for(len(arrived) + 1, timeout=0.5)
    for message in arrived:
        assert str(message["To"]) == address, message["To"]
    return [subject(m) for m in arrived]


# --- the journey -------------------------------------------------------------------------


@pytest.mark.usefixtures("published")
def test_submit_follow_reply_and_download_the_result(
    browsers: Browsers, live_server: Any, applicant: Account, mail: SmtpServer, axe_source: str
) -> None:
    base = live_server.url
    page = browsers.page(js=True)
    sign_in_to(page, base, PASSPORT + "/")
    fill_the_form(page, base)
    number = accept_and_send(page, base)
    application = delivered(number)
    assert not Draft.objects.filter(account=applicant).exists()
    photo = application.attachments.get(kind=AttachmentKind.APPLICANT).upload
    assert (photo.name, photo.content_type, photo.size) == (
        "photo-35x45.png",
        "image/png",
        len(png()),
    )

    # The dashboard lists it with its status and links to its page.
    page.goto(base + "/applications/")
    row = page.locator(f"#applications a[href='/applications/{application.pk}/']")
    expect(row).to_have_text(number)
    expect(page.locator("#applications")).to_contain_text(t("Delivered to the agency"))
    assert axe_serious_violations(page, axe_source) == [], "dashboard"
    page.locator("[name=q]").fill(number.replace("-", ""))  # found by number, dashes or not
    page.locator("main form[method=get] button[type=submit]").click()
    expect(row).to_have_count(1)
    row.click()
    expect(page).to_have_url(f"{base}/applications/{application.pk}/")
    expect(page.locator("h1")).to_contain_text(number)
    expect(page.locator("main")).to_contain_text("photo-35x45.png")  # the person's own file

    # The agency accepts, then asks for more: the page shows the request and the way to answer.
    services.agency_act(application=application, target=Status.ACCEPTED)
    services.agency_act(application=application, target=Status.INFO_REQUESTED, comment=REQUEST)
    page.reload()
    expect(page.locator("#status")).to_contain_text(t("Information requested"))
    expect(page.locator("#agency-request")).to_contain_text(REQUEST)
    answer = page.locator(f"#agency-request a[href='/applications/{application.pk}/reply']")
    expect(answer).to_be_visible()
    assert axe_serious_violations(page, axe_source) == [], "application page with a request"

    # The person answers with text and a PDF.
    answer.click()
    expect(page).to_have_url(f"{base}/applications/{application.pk}/reply")
    page.locator("[name=text]").fill(ANSWER)
    page.locator("input[type=file][name=documents]").set_input_files(
        {"name": "trudovaya.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.locator("main form[enctype='multipart/form-data'] button[type=submit]").click()
    expect(page).to_have_url(f"{base}/applications/{application.pk}/")
    expect(page.locator("#status")).to_contain_text(t("Information provided"))
    expect(page.locator("#agency-request")).to_have_count(0)
    expect(page.locator("#timeline")).to_contain_text(ANSWER)
    expect(page.locator("#timeline a", has_text="trudovaya.pdf")).to_have_count(1)
    application.refresh_from_db()
    assert application.status == Status.INFO_PROVIDED
    reply = application.attachments.get(kind=AttachmentKind.REPLY).upload
    assert (reply.content_type, reply.size) == ("application/pdf", len(PDF))

    # The agency approves with a result document; the person downloads it.
    result = upload_accept(
        account=applicant,
        field={"name": "result", "accept": ["application/pdf"]},
        upload=SimpleUploadedFile("reshenie.pdf", RESULT, "application/pdf"),
    )
    services.agency_act(
        application=application, target=Status.APPROVED, comment="Паспорт готов.", results=[result]
    )
    page.reload()
    expect(page.locator("#status")).to_contain_text(t("Completed: approved"))
    expect(page.locator("#expected")).to_have_text(t("Download the result documents below."))
    link = page.locator("#results a")
    expect(link).to_have_count(1)
    expect(link).to_have_text("reshenie.pdf")
    assert axe_serious_violations(page, axe_source) == [], "application page with the result"
    with page.expect_download(timeout=5_000) as download:
        link.click()
    assert download.value.suggested_filename == "reshenie.pdf"
    assert Path(download.value.path()).read_bytes() == RESULT

    # An email for every step, each to the person's address only.
    def changed(status: str) -> str:
        return f"Заявление {number}: {t(status)}"

    expected = [
        f"Заявление {number} отправлено",
        changed("Delivered to the agency"),
        changed("Accepted by the agency"),
        f"Нужны сведения по заявлению {number}",
        changed("Information provided"),
        f"Готов результат по заявлению {number}",
    ]
    subjects = subjects_to(mail, expected, EMAIL)
    about_it = [s for s in subjects if number in s]
    assert about_it == expected, subjects  # each once, in the order things happened


@pytest.mark.usefixtures("published")
def test_send_the_application_without_javascript(
    browsers: Browsers, live_server: Any, applicant: Account, mail: SmtpServer
) -> None:
    draft = draft_start(account=applicant, version=version_current(code="foreign-passport"))
    draft.data = {
        **draft.data,
        "had_foreign_passport": False,
        "registration_address": {
            "region": "77",
            "municipality": "77-001",
            "street": "ул. Садовая",
            "house": "12",
            "flat": "5",
        },
        "employment": [
            {"organisation": "ООО «Ромашка»", "position": "Инженер", "started_on": "2015-09-01"}
        ],
        "secret_access": False,
        "office": "mfc",
    }
    draft.save(update_fields=["data"])

    base = live_server.url
    page = browsers.page(js=False)
    sign_in_to(page, base, PASSPORT + "/check")
    expect(page.locator("body.js-enabled")).to_have_count(0)
    form = page.locator(f"main form[action='{SUBMIT}']")
    sent = {
        name: form.locator(f"[name={name}]").get_attribute("value")
        for name in ("csrfmiddlewaretoken", "draft", "idempotency_key")
    }
    number = accept_and_send(page, base)
    application = delivered(number)
    assert application.draft_id == draft.pk
    assert not Draft.objects.filter(pk=draft.pk).exists()

    # The same POST again (a retry after a lost answer) finds the same application.
    again = page.request.post(base + SUBMIT, form=sent, max_redirects=0)
    assert again.status == 302
    assert again.headers["location"] == f"/applications/{application.pk}/?submitted=1"
    assert Application.objects.count() == 1

    page.goto(base + "/applications/")
    expect(page.locator(f"#applications a[href='/applications/{application.pk}/']")).to_have_text(
        number
    )
    subjects = subjects_to(mail, [f"Заявление {number} отправлено"], EMAIL)
    assert subjects.count(f"Заявление {number} отправлено") == 1, subjects
