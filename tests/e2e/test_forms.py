"""The forms engine in a real browser, with JavaScript on and off.

The foreign passport application: prefill from verified personal data (locked values
shown disabled), validation errors (summary with links, inline messages), the live
condition (htmx re-renders the step's fields; without JavaScript, Continue does),
Back links, leaving and resuming the draft after signing in again, check your answers
with its change links and problem list. The traffic fines information service asked
about a sandbox vehicle. Controls are found by their `name` and ids (labels change
language); texts are compared through the same catalogue the pages use.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, axe_serious_violations
from tests.factories.people import verified_person
from tests.factories.registries import generate_sandbox
from uslugi.exchange import conf as exchange_conf
from uslugi.exchange import services as exchange_services
from uslugi.forms.constants import VersionStatus
from uslugi.forms.models import DefinitionVersion, Draft
from uslugi.forms.services import definition_store, definitions_load, version_transition
from uslugi.identity.models import Account

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Tiger7Moon-Walk"
PHONE = "+79167654321"
PASSPORT = "/forms/foreign-passport"
FINES = "/forms/gibdd-fines"
LOCALES = {"ru": "ru-RU", "en": "en-US"}


def t(text: str, language: str = "ru") -> str:
    """A text as the portal shows it in `language` (the same catalogue the pages use)."""
    with translation.override(language):
        return str(translation.gettext(text))


# --- fixtures ----------------------------------------------------------------------------


@pytest.fixture
def published(transactional_db: None) -> None:
    """The shipped definitions, published (as `uslugi forms load --publish` does)."""
    report = definitions_load(publish=True)
    ours = [str(p) for p in report.problems if "foreign-passport" in str(p) or "gibdd" in str(p)]
    assert ours == [], ours


@pytest.fixture
def applicant(transactional_db: None) -> Account:
    """A standard account with checked personal data (passport 45 08 123456) and a password."""
    return verified_person(
        phone=PHONE, email="anna@example.ru", patronymic="Павловна", password=PASSWORD
    )


@pytest.fixture
def fines_bus(transactional_db: None) -> Any:
    """A sandbox population in the registries, the exchange's providers and the portal's
    grant for gibdd.fines/1."""
    population = generate_sandbox(persons=60, seed=7)
    exchange_services.providers_ensure()
    exchange_services.access_grant(consumer=exchange_conf.portal_system(), type_key="gibdd.fines/1")
    return population


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def js(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


class Browsers:
    """Fresh browser profiles (no cookies), each watched for script and CSP errors."""

    def __init__(self, browser: Any) -> None:
        self.browser = browser
        self.contexts: list[Any] = []
        self.errors: list[str] = []

    def page(self, *, js: bool, language: str = "ru") -> Any:
        context = self.browser.new_context(
            viewport=DESKTOP, locale=LOCALES[language], java_script_enabled=js
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


@pytest.fixture
def page(browsers: Browsers, js: bool) -> Any:
    """A fresh browser profile in Russian, with JavaScript on or off."""
    return browsers.page(js=js)


# --- helpers -----------------------------------------------------------------------------


def sign_in_to(page: Any, base: str, path: str) -> None:
    """Open a form while signed out: the sign-in page brings the person back to it."""
    page.goto(base + path)
    expect(page).to_have_url(re.compile(r"/account/login/\?next="))
    page.locator("#id_identifier").fill(PHONE)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()


def sign_out(page: Any, base: str) -> None:
    page.goto(base + "/account/")
    page.locator("main form[action='/account/logout/'] button").click()
    expect(page).not_to_have_url(re.compile(r"/account/$"))


def continue_(page: Any) -> None:
    """Press Continue and wait for the next page (the step again when it has errors)."""
    page.evaluate("document.documentElement.dataset.leaving = 'yes'")
    page.locator("main form button.govuk-button:not([name])").click()
    expect(page.locator("html[data-leaving]")).to_have_count(0)


def at_step(page: Any, base: str, step: str, form: str = PASSPORT) -> None:
    """On this step's page (a change or problem link adds a fragment)."""
    expect(page).to_have_url(re.compile(f"^{re.escape(f'{base}{form}/step/{step}')}(#.*)?$"))


def at_check(page: Any, base: str, form: str = PASSPORT) -> None:
    # A redirect keeps the fragment of the link that started the way here.
    expect(page).to_have_url(re.compile(f"^{re.escape(f'{base}{form}/check')}(#.*)?$"))
    expect(page.locator("h1")).to_have_text(t("Check your answers"))


def error_summary_links(page: Any) -> list[str]:
    """The error summary's links; each must point at a control on the page."""
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    links = summary.locator("a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    for href in hrefs:
        assert href is not None
        assert href.startswith("#"), href
        expect(page.locator(href)).to_have_count(1)
    return hrefs


def inline_error(page: Any, control_id: str) -> Any:
    return page.locator(f"#{control_id}-error.govuk-error-message")


def is_preview(response: Any) -> bool:
    return "preview=1" in response.url and response.request.method == "POST"


def choose(page: Any, name: str, value: str) -> None:
    """Pick a radio option; when it drives a live condition and JavaScript runs, wait for
    htmx's re-render of the step (it replaces the step's controls, so answering the next
    question before it lands would lose that answer)."""
    option = page.locator(f"[name={name}][value={value}]")
    live = page.locator(f"body.js-enabled [hx-post] [name={name}]").count() > 0
    if live and not option.is_checked():
        with page.expect_response(is_preview) as preview:
            option.check()
        assert preview.value.status == 200
        expect(page.locator(f"[name={name}][value={value}]")).to_be_checked()
    else:
        option.check()


def fill_applicant(page: Any, base: str) -> None:
    at_step(page, base, "applicant")
    continue_(page)  # everything is prefilled from the verified profile


def fill_documents(page: Any, base: str, *, previous: str | None) -> None:
    at_step(page, base, "documents")
    if previous is None:
        choose(page, "had_foreign_passport", "no")
        expect(page.locator("[name=previous_passport_number]")).to_have_count(0)
    else:
        choose(page, "had_foreign_passport", "yes")
        field = page.locator("[name=previous_passport_number]")
        if field.count() == 0:  # without JavaScript the field comes with the next page
            continue_(page)
        page.locator("[name=previous_passport_number]").fill(previous)
    continue_(page)


def fill_address(page: Any, base: str) -> None:
    at_step(page, base, "address")
    page.locator("[name=registration_address__region]").select_option("77")
    page.locator("[name=registration_address__municipality]").select_option("77-001")
    page.locator("[name=registration_address__street]").fill("ул. Садовая")
    page.locator("[name=registration_address__house]").fill("12")
    page.locator("[name=registration_address__flat]").fill("5")
    continue_(page)


def fill_work(page: Any, base: str) -> None:
    at_step(page, base, "work")
    page.locator("[name=employment__0__organisation]").fill("ООО «Ромашка»")
    page.locator("[name=employment__0__position]").fill("Инженер")
    page.locator("[name=employment__0__started_on]").fill("2015-09-01")
    continue_(page)


def fill_purpose(page: Any, base: str) -> None:
    at_step(page, base, "purpose")
    choose(page, "secret_access", "no")
    page.locator("[name=office]").select_option("mfc")
    continue_(page)


def summary_row(page: Any, label: str) -> Any:
    """The check page's row whose key is `label` (a definition label, in Russian)."""
    return page.locator(".govuk-summary-list__row").filter(
        has=page.locator(".govuk-summary-list__key", has_text=re.compile(f"^{re.escape(label)}$"))
    )


# --- the foreign passport ----------------------------------------------------------------


@pytest.mark.usefixtures("published", "applicant")
def test_prefill_errors_live_condition_and_back_links(
    page: Any, live_server: Any, js: bool
) -> None:
    base = live_server.url
    sign_in_to(page, base, PASSPORT + "/")
    at_step(page, base, "applicant")
    expect(page.locator("h1")).to_have_text("Сведения о заявителе")

    # Prefilled from the verified profile; the locked values are shown disabled.
    for name, value in {
        "surname": "Смирнова",
        "first_name": "Анна",
        "birth_date": "1985-03-14",
    }.items():
        expect(page.locator(f"[name={name}]")).to_have_value(value)
        expect(page.locator(f"[name={name}]")).to_be_disabled()
    for name, value in {
        "patronymic": "Павловна",
        "snils": "112-233-445 95",
        "phone": PHONE,
        "email": "anna@example.ru",
    }.items():
        expect(page.locator(f"[name={name}]")).to_have_value(value)
        expect(page.locator(f"[name={name}]")).to_be_enabled()

    # Bad answers: an error summary linking to each control, and inline messages.
    page.locator("[name=phone]").fill("8 916")
    page.locator("[name=email]").fill("not-an-email")
    continue_(page)
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    at_step(page, base, "applicant")
    assert set(error_summary_links(page)) == {"#id_phone", "#id_email"}
    expect(inline_error(page, "id_phone")).to_be_visible()
    expect(inline_error(page, "id_email")).to_be_visible()
    expect(page).to_have_title(re.compile("^" + re.escape(t("Error:"))))
    expect(page.locator("[name=surname]")).to_have_value("Смирнова")  # still shown, locked
    if js:  # GOV.UK Frontend moves the focus to the control a summary link names
        page.locator(".govuk-error-summary a[href='#id_email']").click()
        expect(page.locator("#id_email")).to_be_focused()
    page.locator("[name=phone]").fill(PHONE)
    page.locator("[name=email]").fill("anna@example.ru")
    continue_(page)

    # The passport comes from the profile; the previous passport is asked only on "yes".
    at_step(page, base, "documents")
    expect(page.locator("[name=passport__series_number]")).to_have_value("45 08 123456")
    expect(page.locator("[name=passport__issued_on]")).to_have_value("2008-05-20")
    expect(page.locator("[name=passport__issued_by]")).to_have_value("ОВД Тверского района")
    expect(page.locator("[name=passport__division_code]")).to_have_value("770-001")
    previous = page.locator("[name=previous_passport_number]")
    expect(previous).to_have_count(0)
    continue_(page)  # nothing chosen
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert error_summary_links(page) == ["#id_had_foreign_passport_0"]
    expect(inline_error(page, "id_had_foreign_passport")).to_be_visible()

    page.evaluate("document.documentElement.dataset.probe = 'same-page'")
    if js:
        # htmx posts the step as answered so far and swaps #step-fields: no reload.
        with page.expect_response(is_preview):
            page.locator("[name=had_foreign_passport][value=yes]").check()
        expect(previous).to_be_visible()
        expect(page.locator("html[data-probe=same-page]")).to_have_count(1)
        expect(page.locator("[name=had_foreign_passport][value=yes]")).to_be_checked()
        # The person's place is kept: the option they chose still has the focus.
        expect(page.locator("[name=had_foreign_passport][value=yes]")).to_be_focused()
        # No errors on a preview, and nothing saved.
        expect(inline_error(page, "id_previous_passport_number")).to_have_count(0)
        with page.expect_response(is_preview):
            page.locator("[name=had_foreign_passport][value=no]").check()
        expect(previous).to_have_count(0)
        with page.expect_response(is_preview):
            page.locator("[name=had_foreign_passport][value=yes]").check()
        expect(previous).to_be_visible()
        expect(page.locator("html[data-probe=same-page]")).to_have_count(1)
        assert Draft.objects.get().data.get("had_foreign_passport") is None
        continue_(page)  # "yes" with no number: the field is now required
    else:
        # Without JavaScript nothing changes until Continue re-renders the step.
        page.locator("[name=had_foreign_passport][value=yes]").check()
        expect(previous).to_have_count(0)
        continue_(page)
    at_step(page, base, "documents")
    expect(previous).to_be_visible()
    expect(page.locator("html[data-probe=same-page]")).to_have_count(0)  # a new page
    assert error_summary_links(page) == ["#id_previous_passport_number"]
    expect(inline_error(page, "id_previous_passport_number")).to_be_visible()
    expect(page.locator("[name=had_foreign_passport][value=yes]")).to_be_checked()
    previous.fill("75 12")  # does not match the pattern
    continue_(page)
    expect(inline_error(page, "id_previous_passport_number")).to_be_visible()
    expect(previous).to_have_value("75 12")
    previous.fill("75 1234567")
    continue_(page)
    at_step(page, base, "address")

    # Back: the answers given are there, and can be changed.
    page.locator("a.govuk-back-link").click()
    at_step(page, base, "documents")
    expect(page.locator("[name=had_foreign_passport][value=yes]")).to_be_checked()
    expect(previous).to_have_value("75 1234567")
    page.locator("a.govuk-back-link").click()
    at_step(page, base, "applicant")
    expect(page.locator("[name=email]")).to_have_value("anna@example.ru")
    page.locator("[name=patronymic]").fill("")
    continue_(page)
    at_step(page, base, "documents")
    page.locator("a.govuk-back-link").click()
    at_step(page, base, "applicant")
    expect(page.locator("[name=patronymic]")).to_have_value("")
    # The first step's Back leads to the service's page in the catalogue (not loaded here).
    expect(page.locator("a.govuk-back-link")).to_have_attribute(
        "href", "/service/foreign-passport/"
    )


@pytest.mark.usefixtures("published", "applicant")
def test_leave_and_resume_the_draft_after_signing_in_again(
    page: Any, live_server: Any, browsers: Browsers, js: bool
) -> None:
    base = live_server.url
    sign_in_to(page, base, PASSPORT + "/")
    fill_applicant(page, base)
    fill_documents(page, base, previous="75 1234567")
    fill_address(page, base)
    at_step(page, base, "work")
    page.locator("[name=employment__0__organisation]").fill("not saved: no Continue")
    sign_out(page, base)
    page.goto(base + PASSPORT + "/step/work")  # signed out: no draft is shown
    expect(page).to_have_url(re.compile(r"/account/login/\?next="))

    # Sign in again, in the same browser or another one (set to English): back at the step
    # where they stopped, with the form's texts in the browser's language.
    again = page if js else browsers.page(js=False, language="en")
    sign_in_to(again, base, PASSPORT + "/")
    at_step(again, base, "work")
    expect(again.locator("h1")).to_have_text(
        "Трудовая деятельность и учёба за последние 10 лет"
        if js
        else "Work and study in the last 10 years"
    )
    expect(again.locator("[name=employment__0__organisation]")).to_have_value("")
    again.locator("a.govuk-back-link").click()
    at_step(again, base, "address")
    expect(again.locator("[name=registration_address__region]")).to_have_value("77")
    expect(again.locator("[name=registration_address__municipality]")).to_have_value("77-001")
    expect(again.locator("[name=registration_address__street]")).to_have_value("ул. Садовая")
    expect(again.locator("[name=registration_address__house]")).to_have_value("12")
    again.locator("a.govuk-back-link").click()
    at_step(again, base, "documents")
    expect(again.locator("[name=had_foreign_passport][value=yes]")).to_be_checked()
    expect(again.locator("[name=previous_passport_number]")).to_have_value("75 1234567")
    assert Draft.objects.count() == 1


@pytest.mark.usefixtures("published", "applicant")
def test_check_your_answers_with_change_links_and_problems(
    page: Any, live_server: Any, js: bool
) -> None:
    base = live_server.url
    sign_in_to(page, base, PASSPORT + "/")
    fill_applicant(page, base)

    # Check your answers before the end: the steps not done are listed with links.
    page.goto(base + PASSPORT + "/check")
    at_check(page, base)
    problems = page.locator(".govuk-error-summary a")
    expect(problems.first).to_be_visible()
    hrefs = [problems.nth(i).get_attribute("href") for i in range(problems.count())]
    assert any(h.startswith(f"{PASSPORT}/step/documents#") for h in hrefs), hrefs
    assert any(h.startswith(f"{PASSPORT}/step/purpose#") for h in hrefs), hrefs
    assert not any("/step/applicant" in h for h in hrefs), hrefs
    page.locator(f".govuk-error-summary a[href^='{PASSPORT}/step/documents#']").first.click()
    fill_documents(page, base, previous="75 1234567")
    fill_address(page, base)
    fill_work(page, base)
    fill_purpose(page, base)

    at_check(page, base)
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(summary_row(page, "Фамилия")).to_contain_text("Смирнова")
    expect(summary_row(page, "Фамилия").locator("a")).to_have_count(0)  # locked: no change
    expect(summary_row(page, "СНИЛС")).to_contain_text("112-233-445 95")
    expect(summary_row(page, "Серия и номер предыдущего заграничного паспорта")).to_contain_text(
        "75 1234567"
    )
    expect(summary_row(page, "Адрес постоянной регистрации")).to_contain_text("ул. Садовая")
    expect(summary_row(page, "Где вы получите паспорт")).to_contain_text(
        "Многофункциональный центр (МФЦ)"
    )
    expect(page.locator("main")).to_contain_text("2000.00")

    # Change an answer from check your answers: the dependent question goes away.
    summary_row(page, "Был ли у вас ранее заграничный паспорт?").locator("a").click()
    at_step(page, base, "documents")
    expect(page.locator("[name=previous_passport_number]")).to_have_value("75 1234567")
    choose(page, "had_foreign_passport", "no")
    if js:  # gone at once; without JavaScript, with the next page
        expect(page.locator("[name=previous_passport_number]")).to_have_count(0)
    continue_(page)
    at_step(page, base, "address")
    expect(page.locator("[name=registration_address__house]")).to_have_value("12")
    continue_(page)
    at_step(page, base, "work")
    expect(page.locator("[name=employment__0__organisation]")).to_have_value("ООО «Ромашка»")
    continue_(page)
    at_step(page, base, "purpose")
    expect(page.locator("[name=office]")).to_have_value("mfc")
    continue_(page)
    at_check(page, base)
    expect(summary_row(page, "Был ли у вас ранее заграничный паспорт?")).to_contain_text(t("No"))
    expect(summary_row(page, "Серия и номер предыдущего заграничного паспорта")).to_have_count(0)
    assert Draft.objects.get().data.get("previous_passport_number") is None


@pytest.mark.usefixtures("published", "applicant")
def test_move_a_draft_to_a_new_version_of_the_form(page: Any, live_server: Any) -> None:
    base = live_server.url
    sign_in_to(page, base, PASSPORT + "/")
    fill_applicant(page, base)
    fill_documents(page, base, previous="75 1234567")
    fill_address(page, base)
    at_step(page, base, "work")

    # A new version is published meanwhile: the previous passport's number loses its space.
    current = DefinitionVersion.objects.get(
        definition__code="foreign-passport", status=VersionStatus.PUBLISHED
    )
    document = copy.deepcopy(current.document)
    field = next(
        f for s in document["steps"] for f in s["fields"] if f["name"] == "previous_passport_number"
    )
    field["pattern"] = "^[0-9]{9}$"
    newer, _outcome = definition_store(document=document)
    for target in (VersionStatus.TESTING, VersionStatus.APPROVED, VersionStatus.PUBLISHED):
        newer = version_transition(
            version=newer,
            target=target,
            protocol={"cases": ["e2e"], "approver": "e2e"},
            change_number="E2E-2",
        )

    # The person keeps their version until they choose to move.
    page.reload()
    banner = page.locator(".govuk-notification-banner").filter(
        has=page.locator(f"form[action='{PASSPORT}/move']")
    )
    expect(banner).to_be_visible()
    assert Draft.objects.get().version == current
    banner.locator("button").click()
    at_step(page, base, "documents")  # where the answer to enter again is
    # Told what to enter again (the banner names the question).
    expect(page.locator(f"form[action='{PASSPORT}/move']")).to_have_count(0)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Серия и номер предыдущего заграничного паспорта"
    )
    expect(page.locator("[name=had_foreign_passport][value=yes]")).to_be_checked()
    expect(page.locator("[name=previous_passport_number]")).to_have_value("")
    page.locator("[name=previous_passport_number]").fill("751234567")
    continue_(page)
    at_step(page, base, "address")
    expect(page.locator("[name=registration_address__house]")).to_have_value("12")
    draft = Draft.objects.get()
    assert (draft.version, draft.data["previous_passport_number"]) == (newer, "751234567")


# --- the traffic fines -------------------------------------------------------------------


@pytest.mark.parametrize("setting", [(True, "ru"), (False, "en")], ids=["js-ru", "no-js-en"])
@pytest.mark.usefixtures("published", "applicant")
def test_fines_for_a_demo_vehicle(
    browsers: Browsers,
    live_server: Any,
    fines_bus: Any,
    axe_source: str,
    setting: tuple[bool, str],
) -> None:
    js, language = setting
    owner = fines_bus.find(lambda p: any(v.fines for v in p.vehicles))
    vehicle = next(v for v in owner.vehicles if v.fines)
    base = live_server.url
    page = browsers.page(js=js, language=language)
    sign_in_to(page, base, FINES + "/")
    at_step(page, base, "documents", form=FINES)
    expect(page.locator(".govuk-caption-l")).to_contain_text(
        {"ru": "Штрафы ГИБДД", "en": "Traffic fines"}[language]
    )
    continue_(page)  # neither document: the STS is required
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert error_summary_links(page) == ["#id_sts"]
    expect(inline_error(page, "id_sts")).to_be_visible()
    page.locator("[name=sts]").fill(vehicle.sts)
    page.locator("[name=include_paid][value=yes]").check()
    continue_(page)

    expect(page).to_have_url(f"{base}{FINES}/check")
    expect(page.locator("h1")).to_have_text(t("Check your answers", language))
    page.locator("main form button.govuk-button").click()
    expect(page.locator("h1")).to_have_text(t("Answer", language))
    main = page.locator("main")
    for fine in vehicle.fines:
        expect(main).to_contain_text(fine.uin)
    expect(main.locator("button.govuk-button")).to_have_text(t("Ask again", language))
    if js:  # axe runs in the page: it needs JavaScript (without it, evaluate never returns)
        assert axe_serious_violations(page, axe_source) == [], "answer page"


# --- accessibility -----------------------------------------------------------------------


@pytest.mark.usefixtures("published", "applicant")
def test_form_pages_have_no_serious_accessibility_problems(
    browsers: Browsers, live_server: Any, axe_source: str
) -> None:
    base = live_server.url
    page = browsers.page(js=True)
    sign_in_to(page, base, PASSPORT + "/")
    at_step(page, base, "applicant")
    assert axe_serious_violations(page, axe_source) == [], "step page"
    continue_(page)
    at_step(page, base, "documents")
    continue_(page)
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert axe_serious_violations(page, axe_source) == [], "step page with errors"
    page.locator("[name=had_foreign_passport][value=yes]").check()
    expect(page.locator("[name=previous_passport_number]")).to_be_visible()
    assert axe_serious_violations(page, axe_source) == [], "step page after a live update"
    page.goto(base + PASSPORT + "/check")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert axe_serious_violations(page, axe_source) == [], "check page with problems"
    page.goto(base + PASSPORT + "/step/documents")
    fill_documents(page, base, previous=None)
    fill_address(page, base)
    at_step(page, base, "work")
    page.locator("[name=employment__0__started_on]").fill("2015-09-01")
    continue_(page)  # a row used without its organisation
    expect(inline_error(page, "id_employment__0__organisation")).to_be_visible()
    assert axe_serious_violations(page, axe_source) == [], "group step with errors"
    fill_work(page, base)
    fill_purpose(page, base)
    at_check(page, base)
    assert axe_serious_violations(page, axe_source) == [], "check page"


@pytest.mark.usefixtures("published", "applicant")
def test_change_and_problem_links_land_on_their_question(
    browsers: Browsers, live_server: Any
) -> None:
    """Every change link and every problem link of check your answers names a control on
    the step it opens, as GOV.UK's pattern has it (keyboard and screen-reader users land
    on the question)."""
    base = live_server.url
    page = browsers.page(js=False)
    sign_in_to(page, base, PASSPORT + "/")
    fill_applicant(page, base)
    page.goto(base + PASSPORT + "/check")
    problem_links = page.locator(".govuk-error-summary a")
    expect(problem_links.first).to_be_visible()
    problems = [problem_links.nth(i).get_attribute("href") for i in range(problem_links.count())]
    page.goto(base + PASSPORT + "/step/documents")
    fill_documents(page, base, previous="75 1234567")
    fill_address(page, base)
    fill_work(page, base)
    fill_purpose(page, base)
    at_check(page, base)
    change_links = page.locator(".govuk-summary-list__actions a")
    changes = [change_links.nth(i).get_attribute("href") for i in range(change_links.count())]
    missing = []
    for href in problems + changes:
        path, _sep, fragment = href.partition("#")
        page.goto(base + href)
        expect(page).to_have_url(re.compile(re.escape(path)))
        if page.locator(f"[id='{fragment}']").count() != 1:
            missing.append(href)
    assert missing == [], missing


@pytest.mark.usefixtures("published", "applicant")
def test_a_live_update_keeps_answers_given_while_it_loads(
    browsers: Browsers, live_server: Any
) -> None:
    """On a slow connection a person answers the next question before the step's live
    re-render arrives; the re-render must not wipe that answer."""
    base = live_server.url
    page = browsers.page(js=True)
    sign_in_to(page, base, PASSPORT + "/")
    fill_applicant(page, base)
    fill_documents(page, base, previous=None)
    fill_address(page, base)
    fill_work(page, base)
    at_step(page, base, "purpose")
    held: list[Any] = []
    # Playwright needs a Python function here (a bound builtin like list.append fails).
    page.route("**/step/purpose?preview=1", lambda route: held.append(route))  # noqa: PLW0108
    with page.expect_request(lambda r: "preview=1" in r.url):
        page.locator("[name=secret_access][value=no]").check()
    page.locator("[name=office]").select_option("mfc")  # answered while it loads
    assert len(held) == 1
    with page.expect_response(is_preview):
        held[0].continue_()
    expect(page.locator("[name=secret_access][value=no]")).to_be_checked()
    expect(page.locator("[name=office]")).to_have_value("mfc")
