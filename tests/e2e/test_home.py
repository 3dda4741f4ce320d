"""The home page in a real browser: language switch, stylesheet, CSP, accessibility."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import axe_serious_violations

pytestmark = pytest.mark.e2e

RUSSIAN_HEADING = "Государственные услуги в одном месте"
ENGLISH_HEADING = "Public services in one place"


def open_home(context: Any, url: str) -> tuple[Any, dict[str, int], list[str]]:
    """Open the home page; return it, the status of each static file, and console errors."""
    page = context.new_page()
    statuses: dict[str, int] = {}
    errors: list[str] = []
    page.on("response", lambda response: statuses.__setitem__(response.url, response.status))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url + "/")
    return page, statuses, errors


def test_home_page_switches_language_and_is_accessible(
    context: Any, live_server: Any, axe_source: str
) -> None:
    page, statuses, errors = open_home(context, live_server.url)

    expect(page.locator("h1")).to_have_text(RUSSIAN_HEADING)
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    stylesheet = live_server.url + "/static/uslugi/css/uslugi.css"
    assert statuses.get(stylesheet) == 200, statuses
    assert statuses.get(live_server.url + "/static/uslugi/js/app.mjs") == 200, statuses
    assert statuses.get(live_server.url + "/static/govuk/govuk-frontend.min.js") == 200, statuses
    # The body-class script ran under the CSP nonce, and GOV.UK Frontend started.
    expect(page.locator("body")).to_have_class(
        "govuk-template__body js-enabled govuk-frontend-supported"
    )
    # app.mjs ran and started GOV.UK Frontend's components.
    expect(page.locator(".govuk-skip-link")).to_have_attribute("data-govuk-skip-link-init", "")
    # The stylesheet is applied: the header carries the brand colour.
    header = page.locator(".uslugi-header")
    assert header.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(13, 76, 211)"

    page.get_by_role("button", name="English").click()

    expect(page.locator("h1")).to_have_text(ENGLISH_HEADING)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url == live_server.url + "/"
    missing = [url for url, status in statuses.items() if status >= 400]
    assert errors == [], (errors, missing)  # a CSP violation shows up here

    assert axe_serious_violations(page, axe_source) == []
    page.get_by_role("button", name="Русский").click()
    expect(page.locator("h1")).to_have_text(RUSSIAN_HEADING)
    assert axe_serious_violations(page, axe_source) == []


def test_language_switch_works_without_javascript(
    context_without_js: Any, live_server: Any
) -> None:
    page, statuses, _ = open_home(context_without_js, live_server.url)

    expect(page.locator("h1")).to_have_text(RUSSIAN_HEADING)
    assert statuses.get(live_server.url + "/static/uslugi/css/uslugi.css") == 200

    page.get_by_role("button", name="English").click()

    expect(page.locator("h1")).to_have_text(ENGLISH_HEADING)
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_skip_link_moves_to_the_main_content(context: Any, live_server: Any) -> None:
    page, _, _ = open_home(context, live_server.url)

    page.keyboard.press("Tab")
    skip = page.locator(".govuk-skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")

    assert page.url.endswith("#main-content")
