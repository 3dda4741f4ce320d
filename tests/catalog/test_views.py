"""Catalogue pages: browse, search without JavaScript, the passport and the region."""

from __future__ import annotations

import pytest
from django.test import Client

from uslugi.catalog.regions import COOKIE_NAME, SESSION_KEY
from uslugi.catalog.views import apply_url

pytestmark = pytest.mark.usefixtures("catalogue")


@pytest.mark.parametrize(
    "url",
    [
        "/services/",
        "/services/categories/",
        "/services/categories/transport/",
        "/services/departments/",
        "/services/departments/mvd-gibdd/",
        "/services/situations/",
        "/services/situations/buying-a-car/",
        "/services/region/",
        "/service/foreign-passport/",
        "/search",
        "/search?q=",
    ],
)
def test_pages_render(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("<h1") == 1


def test_search_page_works_without_javascript(client: Client) -> None:
    response = client.get("/search", {"q": "штраф гибдд"})
    content = response.content.decode()
    assert 'href="/service/gibdd-fines/"' in content
    filtered = client.get("/search", {"q": "регистрация", "level": "municipal"}).content.decode()
    assert 'href="/service/vehicle-registration/"' not in filtered


def test_search_within_a_department(client: Client) -> None:
    page = client.get("/services/departments/mvd/").content.decode()
    assert 'name="department" value="mvd"' in page
    results = client.get("/search", {"q": "замена", "department": "mvd"}).content.decode()
    assert 'href="/service/driving-licence-replacement/"' in results
    assert 'href="/service/passport-replacement/"' in results


def test_suggestions_fragment(client: Client) -> None:
    response = client.get("/search/suggest", {"q": "загранп"})
    assert response.status_code == 200
    assert "/service/foreign-passport" in response.content.decode()


def test_choosing_a_region_changes_availability(client: Client) -> None:
    page = client.get("/service/moscow-resident-parking/").content.decode()
    assert "/services/region/?next=" in page
    response = client.post(
        "/services/region/", {"region": "69", "next": "/service/moscow-resident-parking/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/service/moscow-resident-parking/"
    assert response.cookies[COOKIE_NAME].value == "69"
    assert client.session[SESSION_KEY] == "69"
    page = client.get("/service/moscow-resident-parking/").content.decode()
    assert "govuk-warning-text" in page  # not available in Tver
    client.post("/services/region/", {"region": "77"})
    page = client.get("/service/moscow-resident-parking/").content.decode()
    assert "govuk-panel--confirmation" in page


def test_region_from_the_cookie_alone(client: Client) -> None:
    client.cookies[COOKIE_NAME] = "69"
    page = client.get("/service/moscow-resident-parking/").content.decode()
    assert "govuk-warning-text" in page


def test_region_chooser_refuses_bad_input_and_foreign_redirects(client: Client) -> None:
    response = client.post("/services/region/", {"region": "99"})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    response = client.post("/services/region/", {"region": "77", "next": "https://evil.example/"})
    assert response["Location"] == "/services/"


def test_no_apply_online_link_while_no_form_is_published(client: Client) -> None:
    from django.core.cache import cache

    cache.clear()  # the forms app caches which forms are published
    assert apply_url("foreign-passport") == ""  # no definition published in this test
    client.post("/services/region/", {"region": "77"})
    page = client.get("/service/foreign-passport/").content.decode()
    assert "govuk-button--start" not in page
    assert "apply in person" in page.lower() or "лично" in page.lower()


def test_apply_online_once_the_form_is_published(client: Client) -> None:
    from django.core.cache import cache

    from uslugi.forms.services import definitions_load

    definitions_load(publish=True)
    cache.clear()
    assert apply_url("foreign-passport") == "/forms/foreign-passport/"
    assert apply_url("driving-licence-replacement") == ""  # a form code with no definition yet
    client.post("/services/region/", {"region": "77"})
    page = client.get("/service/foreign-passport/").content.decode()
    assert 'href="/forms/foreign-passport/"' in page
    assert "govuk-button--start" in page
    cache.clear()


def test_unknown_pages_are_404(client: Client) -> None:
    assert client.get("/service/no-such-service/").status_code == 404
    assert client.get("/services/categories/nope/").status_code == 404
    assert client.get("/services/situations/nope/").status_code == 404
