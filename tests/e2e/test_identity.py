"""Identity journeys in a real browser, found by visible labels in Russian and English:
register with a phone, upgrade to the standard level over the exchange, a failed check
with its reason, confirmation by post, confirmation in person by an operator."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import expect

from tests.factories.registries import generate_sandbox
from uslugi.exchange import conf, services
from uslugi.identity import demo, registry_checks
from uslugi.identity.constants import Level
from uslugi.identity.models import Account

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Tiger7Moon-Walk"
LOCALES = {"ru": "ru-RU", "en": "en-US"}


def t(text: str, language: str) -> str:
    """A text as the portal shows it in `language` (the same catalogue the pages use)."""
    with translation.override(language):
        return str(translation.gettext(text))


@pytest.fixture(params=["ru", "en"])
def language(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def page(browser: Any, language: str) -> Iterator[Any]:
    context = browser.new_context(locale=LOCALES[language], viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    yield page
    context.close()
    assert errors == []  # no CSP violation, no script error


@pytest.fixture
def population() -> Any:
    """50 synthetic persons in the sandbox registries, and the bus open for identity."""
    records = generate_sandbox(persons=50, seed=1)
    services.providers_ensure()
    for key in (
        registry_checks.SNILS_VERIFY,
        registry_checks.PASSPORT_VERIFY,
        registry_checks.INN_BY_PASSPORT,
    ):
        services.access_grant(consumer=conf.portal_system(), type_key=key)
    return records


def someone(population: Any) -> Any:
    return population.find(
        lambda p: (
            p.current_passport is not None
            and p.current_passport.status == "valid"
            and p.current_passport.surname == p.surname
            and p.patronymic
        )
    )


def latest_code_from_outbox(page: Any, url: str, pattern: str) -> str:
    page.goto(url)
    text = page.locator("tbody tr").first.locator("td").last.inner_text()  # the text column
    match = re.search(pattern, text)
    assert match, text
    return match.group(1)


def register(
    page: Any, base: str, language: str, *, surname: str, first_name: str, phone: str
) -> None:
    page.goto(base + "/account/register/")
    page.get_by_label(t("Surname", language), exact=True).fill(surname)
    page.get_by_label(t("First name", language), exact=True).fill(first_name)
    page.get_by_label(t("Mobile phone or email", language)).fill(phone)
    page.get_by_role("button", name=t("Continue", language)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t("Enter the code from the SMS", language)
    )
    # The countdown module runs (the page shows the expiry time without it).
    expect(page.locator("[data-countdown-value]")).to_have_text(re.compile(r"^[45]:\d\d$"))
    code_page = page.url
    code = latest_code_from_outbox(page, base + "/dev/sms-outbox/", r"\b(\d{6})\b")
    page.goto(code_page)
    page.get_by_label(t("Code", language), exact=True).fill(code)
    page.get_by_role("button", name=t("Confirm", language)).click()
    page.get_by_label(t("Create a password", language)).fill(PASSWORD)
    page.get_by_label(t("Repeat the password", language)).fill(PASSWORD)
    page.get_by_role("button", name=t("Create account", language)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{surname} {first_name}")


def sign_in(page: Any, base: str, language: str, identifier: str, password: str = PASSWORD) -> None:
    page.goto(base + "/account/login/")
    page.get_by_label(t("Phone, email or SNILS", language)).fill(identifier)
    page.get_by_label(t("Password", language), exact=True).fill(password)
    page.locator("main").get_by_role("button", name=t("Sign in", language)).click()


def sign_out(page: Any, base: str, language: str) -> None:
    page.goto(base + "/account/")
    page.locator("main").get_by_role("button", name=t("Sign out", language)).click()


def submit_personal_data(
    page: Any, base: str, language: str, record: Any, *, surname: str | None = None
) -> None:
    passport = record.current_passport
    page.goto(base + "/account/standard/")
    page.get_by_label(t("Surname", language), exact=True).fill(surname or record.surname)
    page.get_by_label(t("First name", language), exact=True).fill(record.first_name)
    page.get_by_label(re.compile("^" + re.escape(t("Patronymic", language)))).fill(
        record.patronymic
    )
    page.get_by_label(t("Date of birth", language)).fill(record.birth_date.strftime("%d.%m.%Y"))
    page.get_by_label(
        t("Female" if record.gender == "female" else "Male", language), exact=True
    ).check()
    page.get_by_label(t("SNILS", language), exact=True).fill(record.snils)
    page.get_by_label(t("Passport series and number", language)).fill(passport.series_number)
    page.get_by_label(t("Division code", language)).fill(passport.division_code)
    page.get_by_label(t("Date of issue", language)).fill(passport.issue_date.strftime("%d.%m.%Y"))
    page.get_by_label(t("Issued by", language)).fill(passport.issuer)
    page.get_by_role("button", name=t("Submit for checking", language)).click()


def test_register_with_a_phone_and_sign_in(page: Any, live_server: Any, language: str) -> None:
    base = live_server.url
    register(page, base, language, surname="Петрова", first_name="Елена", phone="+7 912 345-67-89")
    expect(page.locator("#account-level")).to_contain_text(t("Simplified", language))
    sign_out(page, base, language)
    sign_in(page, base, language, "+79123456789")
    expect(page.get_by_role("heading", level=1)).to_have_text("Петрова Елена")


def test_upgrade_to_standard_with_registry_data(
    page: Any, live_server: Any, language: str, population: Any
) -> None:
    base, record = live_server.url, someone(population)
    register(
        page,
        base,
        language,
        surname=record.surname,
        first_name=record.first_name,
        phone="+79031112233",
    )
    submit_personal_data(page, base, language, record)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t("Your account is now standard", language)
    )
    page.goto(base + "/account/")
    expect(page.locator("#account-level")).to_contain_text(t("Standard", language))
    assert Account.objects.get(phone="+79031112233").level == Level.STANDARD


def test_a_mismatching_name_fails_the_check_with_the_reason(
    page: Any, live_server: Any, language: str, population: Any
) -> None:
    base, record = live_server.url, someone(population)
    register(
        page, base, language, surname="Неверова", first_name=record.first_name, phone="+79031112244"
    )
    submit_personal_data(page, base, language, record, surname="Неверова")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t("Your data did not pass the checks", language)
    )
    reason = t(
        "The Pension Fund holds this SNILS under a different name. Enter your surname, first name and patronymic exactly as in your passport. If you have changed your name, tell the Pension Fund first.",
        language,
    )
    expect(page.locator("#checks")).to_contain_text(reason)
    expect(page.locator("#checks")).to_contain_text(t("Failed", language))


def test_confirm_by_post_with_the_code_from_the_letter(
    page: Any, live_server: Any, language: str, population: Any
) -> None:
    base, record = live_server.url, someone(population)
    register(
        page,
        base,
        language,
        surname=record.surname,
        first_name=record.first_name,
        phone="+79031112255",
    )
    submit_personal_data(page, base, language, record)
    page.goto(base + "/account/confirm/")
    page.get_by_role("link", name=t("Get a code by post", language)).click()
    page.get_by_label(t("Address for the letter", language)).fill(
        "125009, Moscow, Tverskaya St 9, flat 1"
    )
    page.get_by_role("button", name=t("Send me the letter", language)).click()
    code = latest_code_from_outbox(page, base + "/dev/post-outbox/", r":\s*([A-Z0-9]{8})\b")
    page.goto(base + "/account/confirm/post/")
    page.get_by_label(t("Code from the letter", language)).fill(code)
    page.get_by_role("button", name=t("Confirm", language)).click()
    expect(page.locator("#account-level")).to_contain_text(t("Confirmed", language))


def test_an_operator_confirms_a_person_in_person(
    page: Any, live_server: Any, language: str, population: Any, browser: Any
) -> None:
    demo.load(io.StringIO())  # the demo operator and service centres
    base, record = live_server.url, someone(population)
    register(
        page,
        base,
        language,
        surname=record.surname,
        first_name=record.first_name,
        phone="+79031112266",
    )
    submit_personal_data(page, base, language, record)
    sign_out(page, base, language)

    sign_in(page, base, language, demo.DEMO_OPERATOR_EMAIL, demo.DEMO_ADMIN_PASSWORD)
    page.goto(base + "/account/operator/")
    page.get_by_label(re.compile("^" + t("SNILS", language))).fill(record.snils)
    page.get_by_role("button", name=t("Find", language)).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(record.surname)
    expect(page.locator("#person-data")).to_contain_text(record.birth_date.strftime("%d.%m.%Y"))
    assert record.snils not in page.url
    page.get_by_label(
        t("The person is present, showed this identity document, and its data matches", language)
    ).check()
    page.get_by_role("button", name=t("Confirm identity", language)).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(record.surname)
    account = Account.objects.get(phone="+79031112266")
    assert (account.level, account.confirmation_method) == ("confirmed", "in_person")


def test_identity_pages_have_no_serious_accessibility_problems(
    page: Any, live_server: Any, language: str, axe_source: str
) -> None:
    from tests.e2e.conftest import axe_serious_violations

    for path in ("/account/login/", "/account/register/", "/account/recover/", "/account/centres/"):
        page.goto(live_server.url + path)
        assert axe_serious_violations(page, axe_source) == [], path
    register(
        page, live_server.url, language, surname="Петрова", first_name="Елена", phone="+79123450000"
    )
    for path in ("/account/", "/account/standard/", "/account/security/", "/account/profile/"):
        page.goto(live_server.url + path)
        assert axe_serious_violations(page, axe_source) == [], path
