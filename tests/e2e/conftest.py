"""Browser fixtures: headless Debian Chromium driven by Playwright's sync API.

Never `playwright install`: it downloads browser builds, which this project does not use.
CI installs Debian's `chromium` package; without it the browser tests skip with a reason.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 900}
# A browser set to Russian, as most of the portal's users have. (Django also honours
# Accept-Language, so a browser set to English gets English until the person chooses.)
LOCALE = "ru-RU"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser profile (no cookies) with JavaScript on."""
    context = browser.new_context(viewport=DESKTOP, locale=LOCALE)
    yield context
    context.close()


@pytest.fixture
def context_without_js(browser: Any) -> Iterator[Any]:
    """A fresh browser profile with JavaScript turned off."""
    context = browser.new_context(viewport=DESKTOP, locale=LOCALE, java_script_enabled=False)
    yield context
    context.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (make assets does)")
    return AXE.read_text()


def axe_serious_violations(page: Any, axe_source: str) -> list[dict[str, Any]]:
    """Run axe-core on the page; return the violations of impact serious or critical.

    axe is injected with `evaluate`, which the page's CSP (script-src 'self' + nonce)
    does not block, so the page is checked under its real policy.
    """
    page.evaluate(axe_source)
    results = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                            "wcag22aa", "best-practice"]},
            resultTypes: ["violations"],
        })"""
    )
    serious = [v for v in results["violations"] if v["impact"] in {"serious", "critical"}]
    for violation in serious:
        print(  # noqa: T201 - shown by pytest when the test fails
            json.dumps(
                {
                    "id": violation["id"],
                    "impact": violation["impact"],
                    "help": violation["help"],
                    "nodes": [node["target"] for node in violation["nodes"]],
                },
                ensure_ascii=False,
            )
        )
    return serious
