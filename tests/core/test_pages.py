"""The design system's pages and components as a person (and a screen reader) gets them."""

# Russian text and the en dash of page titles are what the pages really say, not confusables.

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.paginator import Paginator
from django.template import loader
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from uslugi.core import views

TEMPLATES_DIR = Path(views.__file__).parent / "templates"
LOCALE_DIR = Path(views.__file__).parents[1] / "locale"


# The home page reads the catalogue (popular services, life situations).
pytestmark = pytest.mark.django_db


class Page(HTMLParser):
    """The parts of an HTML page the tests look at."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.texts: dict[str, list[str]] = {}
        self._open: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))
        if tag in {"h1", "title", "script", "button"}:
            self._open.append(tag)
            self.texts.setdefault(tag, []).append("")

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for tag in self._open:
            self.texts[tag][-1] += data

    def find(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [
            found
            for name, found in self.elements
            if name == tag and all(found.get(key) == value for key, value in attrs.items())
        ]

    def text(self, tag: str) -> list[str]:
        return [" ".join(text.split()) for text in self.texts.get(tag, [])]

    def classes(self, tag: str) -> list[set[str]]:
        return [set(found.get("class", "").split()) for name, found in self.elements if name == tag]


def get_page(client: Client, path: str, status: int = 200) -> Page:
    response = client.get(path)
    assert response.status_code == status
    return Page(response.content.decode())


# --- Home page and language ---------------------------------------------------------------


def test_home_page_is_in_russian_by_default(client: Client) -> None:
    page = get_page(client, "/")

    assert page.find("html")[0]["lang"] == "ru"
    assert page.text("h1") == ["Государственные услуги в одном месте"]
    assert page.text("title") == ["Государственные услуги онлайн – Услуги"]


def test_home_page_in_english_after_choosing_it(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"

    page = get_page(client, "/")

    assert page.find("html")[0]["lang"] == "en"
    assert page.text("h1") == ["Public services in one place"]
    assert page.text("title") == ["Public services online – Uslugi"]


def test_language_switch_is_a_form_that_works_without_javascript(client: Client) -> None:
    page = get_page(client, "/?from=test")

    form = page.find("form", action="/i18n/setlang/")
    assert form
    assert form[0]["method"] == "post"
    assert page.find("input", type="hidden", name="next", value="/?from=test")
    # Choosing a language is CSRF-exempt, so the switch carries no token and is cacheable.
    assert not page.find("input", type="hidden", name="csrfmiddlewaretoken")
    english = page.find("button", type="submit", name="language", value="en")
    assert english
    assert english[0]["lang"] == "en"
    # The current language is marked, not offered.
    assert page.find("span", lang="ru", **{"aria-current": "true"})
    assert not page.find("button", value="ru")


def test_language_switch_works_from_a_browser_with_csrf_checks_on() -> None:
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"


def test_language_switch_keeps_the_page_and_refuses_other_sites(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/some/page?x=1"})
    assert response["Location"] == "/some/page?x=1"

    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.parametrize("path", ["/", "/no-such-page"])
def test_pages_have_one_h1_a_skip_link_and_the_design_system(client: Client, path: str) -> None:
    response = client.get(path)
    page = Page(response.content.decode())

    assert len(page.text("h1")) == 1
    assert page.find("a", href="#main-content", **{"class": "govuk-skip-link"})
    assert len(page.find("main", id="main-content")) == 1
    assert page.find("link", rel="stylesheet", href="/static/uslugi/css/uslugi.css")
    assert page.find("script", type="module", src="/static/uslugi/js/app.mjs")
    assert {"govuk-template"} <= page.classes("html")[0]
    assert {"govuk-template__body"} <= page.classes("body")[0]


def test_home_page_has_no_crown_and_no_gov_uk_branding(client: Client) -> None:
    html = client.get("/").content.decode()

    assert "GOV.UK" not in html
    assert "govuk-logo" not in html
    assert "crown" not in html.lower()


def test_home_page_sections_say_honestly_that_nothing_is_published(client: Client) -> None:
    """With an empty catalogue the sections say so instead of showing made-up services."""
    page = get_page(client, "/")
    html = client.get("/").content.decode()

    assert "Популярные услуги" in html
    assert "Жизненные ситуации" in html
    assert "Каталог услуг ещё не опубликован." in html
    # The search box points at the catalogue's search page.
    assert page.find("form", role="search")[0]["action"] == "/search"


def test_home_page_lists_the_services_it_is_given(rf: RequestFactory) -> None:
    request = rf.get("/")
    services = [{"title": "Заменить паспорт", "url": "/services/passport", "summary": "В 45 лет"}]
    html = loader.render_to_string(
        "core/home.html", {"popular_services": services, "life_situations": []}, request
    )
    page = Page(html)

    assert page.find("a", href="/services/passport")
    assert "В 45 лет" in html
    assert "Каталог услуг ещё не опубликован." not in html


def test_every_link_on_the_home_page_leads_somewhere(client: Client) -> None:
    page = get_page(client, "/")

    for link in page.find("a"):
        href = link["href"]
        if href.startswith("/") and not href.startswith("//"):
            assert client.get(href).status_code == 200, href
        else:
            assert href.startswith(("#", "https://")), href


# --- Error pages --------------------------------------------------------------------------


def test_not_found_page_is_helpful_and_in_the_design_system(client: Client) -> None:
    page = get_page(client, "/no-such-page", status=404)

    assert page.text("h1") == ["Страница не найдена"]
    assert page.find("a", href="/")
    assert page.find("link", rel="stylesheet", href="/static/uslugi/css/uslugi.css")


@pytest.mark.parametrize(
    ("view", "status", "heading"),
    [
        (views.error_400, 400, "С вашим запросом что-то не так"),
        (views.error_403, 403, "Вы не можете открыть эту страницу"),
        (views.error_404, 404, "Страница не найдена"),
    ],
)
def test_error_pages_render(rf: RequestFactory, view: object, status: int, heading: str) -> None:
    request = rf.get("/somewhere")
    request.session = {}  # type: ignore[attr-defined]
    response = view(request, Exception("test"))  # type: ignore[operator]

    assert response.status_code == status
    page = Page(response.content.decode())
    assert page.text("h1") == [heading]


def test_server_error_page_needs_no_request_or_context() -> None:
    with translation.override("en"):
        html = loader.get_template("core/errors/500.html").render()
    page = Page(html)

    assert page.text("h1") == ["Sorry, there is a problem with the portal"]
    assert page.find("html")[0]["lang"] == "en"
    assert page.find("link", rel="stylesheet", href="/static/uslugi/css/uslugi.css")
    assert page.find("a", href="#main-content")


def test_server_error_view_answers_500(rf: RequestFactory) -> None:
    response = views.error_500(rf.get("/"))

    assert response.status_code == 500
    assert "Извините, на портале возникла проблема" in response.content.decode()


# --- Security headers ---------------------------------------------------------------------


def test_home_page_security_headers(client: Client) -> None:
    response = client.get("/")

    csp = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp)
    assert nonce, csp
    assert re.search(r"script-src 'self' 'nonce-", csp)
    assert "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    page = Page(response.content.decode())
    inline_scripts = [found for found in page.find("script") if "src" not in found]
    assert inline_scripts
    assert all(found.get("nonce") == nonce.group(1) for found in inline_scripts)

    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_templates_use_no_inline_styles() -> None:
    """The CSP allows style-src 'self' only: a style attribute or element would be blocked."""
    for template in TEMPLATES_DIR.rglob("*.html"):
        text = template.read_text()
        assert not re.search(r"\sstyle\s*=|<style", text), template
        assert not re.search(r"\son[a-z]+\s*=", text), template  # no inline event handlers


# --- Components ---------------------------------------------------------------------------


class ExampleForm(forms.Form):
    name = forms.CharField(label="Full name", help_text="As on your passport", max_length=50)
    about = forms.CharField(label="About", widget=forms.Textarea, required=False)
    region = forms.ChoiceField(label="Region", choices=[("77", "Moscow"), ("78", "St Petersburg")])
    contact = forms.ChoiceField(
        label="How to contact you",
        choices=[("email", "Email"), ("sms", "Text message")],
        widget=forms.RadioSelect,
    )
    documents = forms.MultipleChoiceField(
        label="Documents",
        choices=[("passport", "Passport"), ("snils", "SNILS")],
        widget=forms.CheckboxSelectMultiple,
    )
    agree = forms.BooleanField(label="I agree")
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, object]:
        raise forms.ValidationError("The form as a whole is wrong")


def render_form(template: str, form: forms.Form) -> Page:
    html = "".join(
        loader.render_to_string(template, {"field": field, "form": form}) for field in form
    )
    return Page(html)


def test_error_summary_links_each_error_to_its_control() -> None:
    form = ExampleForm(data={"name": "", "contact": "", "region": "99"})
    assert not form.is_valid()
    with translation.override("en"):
        html = loader.render_to_string("components/error_summary.html", {"form": form})
    page = Page(html)

    links = {found["href"] for found in page.find("a")}
    assert links == {
        "#id_name",
        "#id_region",
        "#id_contact_0",
        "#id_documents_0",
        "#id_agree",
    }
    assert "The form as a whole is wrong" in html
    assert "There is a problem" in html
    assert page.find("div", role="alert")


def test_no_error_summary_for_a_valid_or_unbound_form() -> None:
    html = loader.render_to_string("components/error_summary.html", {"form": ExampleForm()})
    assert not html.strip()


def test_field_renders_label_hint_error_and_control() -> None:
    form = ExampleForm(data={"name": "", "region": "99", "about": "x"})
    form.is_valid()
    page = render_form("components/field.html", form)

    name = page.find("input", name="name")[0]
    assert set(name["class"].split()) == {"govuk-input", "govuk-input--error"}
    assert name["aria-describedby"] == "id_name-hint id_name-error"
    assert page.find("label", **{"for": "id_name"})
    assert page.find("div", id="id_name-hint")
    assert page.find("p", id="id_name-error")

    textarea = page.find("textarea", name="about")[0]
    assert textarea["class"] == "govuk-textarea"
    assert "aria-describedby" not in textarea
    select = page.find("select", name="region")[0]
    assert set(select["class"].split()) == {"govuk-select", "govuk-select--error"}

    radios = page.find("input", type="radio", name="contact")
    assert [radio["id"] for radio in radios] == ["id_contact_0", "id_contact_1"]
    assert all(radio["class"] == "govuk-radios__input" for radio in radios)
    assert page.find("fieldset", **{"aria-describedby": "id_contact-error"})
    checkboxes = page.find("input", type="checkbox", name="documents")
    assert [box["id"] for box in checkboxes] == ["id_documents_0", "id_documents_1"]
    agree = page.find("input", type="checkbox", name="agree")[0]
    assert agree["class"] == "govuk-checkboxes__input"
    assert page.find("input", type="hidden", name="token")


def test_field_marks_optional_fields_and_keeps_choices() -> None:
    form = ExampleForm(data={"contact": "sms", "documents": ["snils"], "about": "hi"})
    form.is_valid()
    with translation.override("en"):
        html = loader.render_to_string("components/field.html", {"field": form["about"]})
        radios = Page(loader.render_to_string("components/field.html", {"field": form["contact"]}))
        boxes = Page(loader.render_to_string("components/field.html", {"field": form["documents"]}))

    assert "About (optional)" in " ".join(html.split())
    assert "checked" in radios.find("input", value="sms")[0]
    assert "checked" not in radios.find("input", value="email")[0]
    assert "checked" in boxes.find("input", value="snils")[0]


def test_field_as_page_heading() -> None:
    form = ExampleForm()
    html = loader.render_to_string(
        "components/field.html", {"field": form["name"], "is_page_heading": True}
    )
    page = Page(html)

    assert page.text("h1") == ["Full name"]
    assert page.find("label", **{"class": "govuk-label govuk-label--l"})


def test_summary_list_tag_and_panel() -> None:
    rows = [
        {"key": "Name", "value": "Ivan", "action_url": "/change/name"},
        {"key": "Region", "value": "Moscow"},
    ]
    with translation.override("en"):
        summary = loader.render_to_string("components/summary_list.html", {"rows": rows})
    tag = loader.render_to_string("components/tag.html", {"text": "Sent", "colour": "green"})
    panel = loader.render_to_string(
        "components/panel.html", {"title": "Application sent", "reference": "A-1"}
    )

    assert Page(summary).find("a", href="/change/name")
    assert 'Change<span class="govuk-visually-hidden"> name</span>' in summary
    assert summary.count('<div class="govuk-summary-list__row') == 2
    assert '<strong class="govuk-tag govuk-tag--green">Sent</strong>' in tag
    assert Page(panel).text("h1") == ["Application sent"]
    assert "<strong>A-1</strong>" in panel


def test_pagination_from_a_django_page_keeps_the_query(rf: RequestFactory) -> None:
    page_obj = Paginator(list(range(100)), 10).page(5)
    request = rf.get("/search", {"q": "паспорт", "page": "5"})
    html = loader.render_to_string("components/pagination.html", {"page": page_obj}, request)
    page = Page(html)

    hrefs = [found["href"] for found in page.find("a")]
    assert hrefs[0] == "?q=%D0%BF%D0%B0%D1%81%D0%BF%D0%BE%D1%80%D1%82&page=4"  # previous
    assert hrefs[-1].endswith("page=6")  # next
    assert page.find("a", **{"aria-current": "page"})[0]["href"].endswith("page=5")
    assert "govuk-pagination__item--ellipses" in html


def test_pagination_with_cursor_links() -> None:
    html = loader.render_to_string(
        "components/pagination.html", {"next_url": "?cursor=abc", "previous_url": ""}
    )
    page = Page(html)

    assert [found["href"] for found in page.find("a")] == ["?cursor=abc"]
    assert "govuk-pagination--block" in html


def test_no_pagination_for_a_single_page() -> None:
    page_obj = Paginator([1, 2], 10).page(1)
    html = loader.render_to_string("components/pagination.html", {"page": page_obj})
    assert "govuk-pagination" not in html


def test_notification_banner_renders_messages_and_a_given_heading(rf: RequestFactory) -> None:
    request = rf.get("/")
    request.session = {}  # type: ignore[attr-defined]
    storage = FallbackStorage(request)
    storage.add(25, "Application sent")  # SUCCESS
    storage.add(20, "The service closes at midnight")  # INFO
    with translation.override("en"):
        html = loader.render_to_string(
            "components/notification_banner.html", {"messages": storage, "heading": ""}
        )
        single = loader.render_to_string(
            "components/notification_banner.html",
            {"heading": "Payment received", "type": "success"},
        )

    page = Page(html)
    assert page.find("div", role="alert")
    assert page.find("div", role="region")
    assert "Application sent" in html
    assert "The service closes at midnight" in html
    assert "govuk-notification-banner--success" in single
    assert "Payment received" in single


# --- Translations -------------------------------------------------------------------------


def untranslated(po_text: str) -> list[str]:
    """The msgids of a .po file whose msgstr (or any plural form) is empty."""
    missing = []
    for entry in po_text.split("\n\n")[1:]:  # the first entry is the header
        msgid: list[str] = []
        strings: list[list[str]] = []
        current: list[str] | None = None
        for line in entry.strip().splitlines():
            if line.startswith("msgid "):
                current = msgid
                current.append(line.removeprefix("msgid "))
            elif line.startswith("msgstr"):
                strings.append([line.split(" ", 1)[1]])
                current = strings[-1]
            elif line.startswith('"') and current is not None:
                current.append(line)
            elif not line.startswith("#"):
                current = None  # msgid_plural or msgctxt
        if msgid and (not strings or any(not "".join(s).strip('"') for s in strings)):
            missing.append("".join(msgid))
    return missing


def test_every_string_has_a_russian_translation() -> None:
    """`make messages` extracts new strings; each needs a Russian msgstr before it ships."""
    po = (LOCALE_DIR / "ru" / "LC_MESSAGES" / "django.po").read_text()

    assert untranslated(po) == []
    assert "#, fuzzy" not in po.split("\n\n", 1)[1]
    assert (LOCALE_DIR / "ru" / "LC_MESSAGES" / "django.mo").exists()


# --- Service navigation ---------------------------------------------------------------------


@pytest.mark.django_db
def test_service_navigation_offers_sign_in_to_a_visitor(client: Client) -> None:
    page = get_page(client, "/")

    login = reverse("identity:login")
    assert page.find("a", href=login, **{"class": "govuk-service-navigation__link"})
    assert not page.find("form", action=reverse("identity:logout"))


@pytest.mark.django_db
def test_service_navigation_for_a_signed_in_person(
    client: Client, django_user_model: type[Any]
) -> None:
    client.force_login(django_user_model.objects.create_user("ivan@example.ru", "Tiger7Moon!"))
    page = get_page(client, "/")

    assert page.find("a", href=reverse("identity:account"))
    sign_out = page.find("form", action=reverse("identity:logout"))
    assert sign_out
    assert sign_out[0]["method"] == "post"
    assert not page.find("a", href=reverse("identity:login"))
