"""The catalogue in a real browser: search in Russian and English, open a service,
change region and see its availability change, browse a category and a life situation."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import axe_serious_violations

pytestmark = pytest.mark.e2e


@pytest.fixture
def catalogue(transactional_db: Any) -> None:
    from uslugi.catalog import demo

    demo.load_catalogue()


def search(page: Any, base: str, query: str) -> None:
    page.goto(base + "/search")
    page.locator("#search-q").fill(query)
    page.locator("#search-q").press("Enter")
    expect(page.locator("#results-heading")).to_be_visible()


def choose_region(page: Any, code: str) -> None:
    page.locator("#availability a[href*='/services/region/']").click()
    page.locator("#id_region").select_option(code)
    page.locator("main button.govuk-button").click()


@pytest.mark.usefixtures("catalogue")
def test_search_open_change_region_and_browse(
    context: Any, live_server: Any, axe_source: str
) -> None:
    base = live_server.url
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))

    # Suggestions appear as you type (htmx), and lead to the service.
    page.goto(base + "/search")
    page.locator("#search-q").press_sequentially("загранп", delay=30)
    expect(page.locator("#search-suggestions a").first).to_be_visible()
    expect(
        page.locator("#search-suggestions a[href^='/service/foreign-passport']").first
    ).to_be_visible()

    # Russian, an abbreviation: the traffic fines come first.
    search(page, base, "штраф гибдд")
    first = page.locator(".uslugi-service-list__item a").first
    expect(first).to_have_attribute("href", "/service/gibdd-fines/")
    assert axe_serious_violations(page, axe_source) == []

    # English: the foreign passport; open it.
    search(page, base, "foreign passport")
    first = page.locator(".uslugi-service-list__item a").first
    expect(first).to_have_attribute("href", "/service/foreign-passport/")
    first.click()
    expect(page.locator("h1")).to_have_text("Загранпаспорт старого образца")
    assert axe_serious_violations(page, axe_source) == []

    # A regional service: available in Moscow, not in Tver.
    search(page, base, "парковочное разрешение")
    page.locator(".uslugi-service-list__item a").first.click()
    expect(page).to_have_url(base + "/service/moscow-resident-parking/")
    expect(page.locator("#availability .govuk-inset-text")).to_be_visible()  # no region yet
    choose_region(page, "77")
    expect(page).to_have_url(base + "/service/moscow-resident-parking/")
    expect(page.locator("#availability .govuk-panel--confirmation")).to_contain_text("Москва")
    choose_region(page, "69")
    expect(page.locator("#availability .govuk-warning-text")).to_contain_text("Тверская область")
    expect(page.locator("#availability .govuk-panel--confirmation")).to_have_count(0)
    assert axe_serious_violations(page, axe_source) == []

    # Browse a category.
    page.goto(base + "/services/categories/")
    page.get_by_role("link", name="Транспорт и дорожное хозяйство").click()
    expect(page.locator("h1")).to_have_text("Транспорт и дорожное хозяйство")
    expect(page.locator("a[href='/service/gibdd-fines/']")).to_be_visible()

    # Browse a life situation from the catalogue's landing page.
    page.goto(base + "/services/")
    page.get_by_role("link", name="Рождение ребёнка").click()
    expect(page.locator("h1")).to_have_text("Рождение ребёнка")
    expect(page.locator(".uslugi-steps a").first).to_have_attribute(
        "href", "/service/birth-registration/"
    )
    assert axe_serious_violations(page, axe_source) == []
    assert errors == []  # no CSP violations or script errors


@pytest.mark.usefixtures("catalogue")
def test_search_and_region_work_without_javascript(
    context_without_js: Any, live_server: Any
) -> None:
    page = context_without_js.new_page()
    search(page, live_server.url, "загранпаспорт")
    page.locator(".uslugi-service-list__item a").first.click()
    choose_region(page, "92")
    expect(page.locator("#availability .govuk-panel--confirmation")).to_contain_text("Севастополь")


@pytest.mark.usefixtures("catalogue")
def test_catalogue_fits_a_phone(browser: Any, live_server: Any) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="ru-RU")
    try:
        page = context.new_page()
        page.goto(live_server.url + "/service/vehicle-registration/")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the page scrolls sideways on a phone ({width}px)"
    finally:
        context.close()
