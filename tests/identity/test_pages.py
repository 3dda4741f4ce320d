"""Every identity page renders for who may see it, in Russian and English, without inline
scripts or styles; personal data never goes into a URL."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.identity.conftest import signed_in
from uslugi.identity.models import Account

pytestmark = pytest.mark.django_db

PUBLIC = [
    "/account/login/",
    "/account/register/",
    "/account/recover/",
    "/account/centres/",
    "/dev/sms-outbox/",
    "/dev/post-outbox/",
]
SIGNED_IN = [
    "/account/",
    "/account/profile/",
    "/account/profile/contact/phone/",
    "/account/profile/contact/email/",
    "/account/profile/addresses/",
    "/account/profile/documents/add/",
    "/account/profile/delete/",
    "/account/security/",
    "/account/security/password/",
    "/account/security/app/",
    "/account/security/sms/",
    "/account/security/second-step/off/",
    "/account/security/recovery-codes/new/",
    "/account/standard/",
    "/account/confirm/",
]


def assert_clean(html: str) -> None:
    assert html.count("<h1") == 1
    assert " style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)[^>]*>", html)


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("path", PUBLIC)
def test_public_pages(path: str, language: str) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get(path)
    assert response.status_code == 200
    assert f'lang="{language}"' in response.content.decode()
    assert_clean(response.content.decode())


@pytest.mark.parametrize("path", SIGNED_IN)
def test_signed_in_pages(path: str, person: Account) -> None:
    client = signed_in(Client(HTTP_ACCEPT_LANGUAGE="ru"), person)
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Cache-Control"] == "no-store"
    assert_clean(response.content.decode())


@pytest.mark.parametrize("path", SIGNED_IN)
def test_signed_in_pages_need_sign_in(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/?next=")


def test_operator_pages(operator: Account, standard_person: Account) -> None:
    client = signed_in(Client(HTTP_ACCEPT_LANGUAGE="ru"), operator)
    for path in ("/account/operator/", f"/account/operator/person/{standard_person.pk}/"):
        response = client.get(path)
        assert response.status_code == 200
        assert_clean(response.content.decode())


def test_login_redirects_only_to_this_site(client: Client, person: Account) -> None:
    response = client.post(
        "/account/login/?next=https://evil.example/",
        {
            "identifier": "+79161234567",
            "password": "Tiger7Moon-Walk",
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == "/account/"
    client.post("/account/logout/")
    response = client.post(
        "/account/login/",
        {"identifier": "+79161234567", "password": "Tiger7Moon-Walk", "next": "/account/profile/"},
    )
    assert response["Location"] == "/account/profile/"


def test_home_page_links_sign_in(client: Client) -> None:
    page = client.get("/").content.decode()
    assert 'href="/account/login/"' in page


@pytest.mark.parametrize(
    "model",
    [
        "account", "smsmessage", "postalletter", "servicecentre", "confirmation",
        "loginevent", "accountsession", "standardverification",
    ],
)  # fmt: skip
def test_admin_pages(admin_client: Client, model: str, person: Account) -> None:
    assert admin_client.get(f"/admin/identity/{model}/").status_code == 200
    if model == "account":
        assert admin_client.get(f"/admin/identity/account/{person.pk}/change/").status_code == 200
