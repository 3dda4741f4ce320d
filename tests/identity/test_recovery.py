"""Password recovery: the same answer for everyone, single-use codes, sessions ended."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from tests.identity.conftest import PASSWORD, last_sms_code, signed_in
from uslugi.identity.models import Account, OneTimeCode, SmsMessage

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Harbour9Lights"


def without_tokens(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r'"X-CSRFToken": "[^"]+"', "", html)
    return re.sub(r'nonce="[^"]+"', "", html)


def recover(client: Client, identifier: str) -> Any:
    return client.post("/account/recover/", {"identifier": identifier}, follow=True)


def test_recovery_by_phone_ends_every_session(client: Client, person: Account) -> None:
    elsewhere = signed_in(Client(), person)
    recover(client, "+7 916 123-45-67")
    response = client.post("/account/recover/code/", {"code": last_sms_code("+79161234567")})
    assert response["Location"] == "/account/recover/password/"
    response = client.post(
        "/account/recover/password/", {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    )
    assert response["Location"] == "/account/login/"
    assert Account.objects.get(pk=person.pk).check_password(NEW_PASSWORD)
    assert elsewhere.get("/account/").status_code == 302  # signed out there


def test_recovery_by_snils_sends_to_the_bound_phone(
    client: Client, standard_person: Account
) -> None:
    recover(client, "112-233-445 95")
    assert last_sms_code("+79167654321")


def test_recovery_by_email(client: Client, standard_person: Account) -> None:
    recover(client, "anna@example.ru")
    assert len(mail.outbox) == 1
    code = re.search(r"\b(\d{6})\b", mail.outbox[0].body)
    assert code
    assert client.post("/account/recover/code/", {"code": code.group(1)}).status_code == 302


def test_unknown_account_gets_the_same_answer(person: Account) -> None:
    known, unknown = Client(HTTP_ACCEPT_LANGUAGE="en"), Client(HTTP_ACCEPT_LANGUAGE="en")
    known_page = recover(known, "+79161234567")
    unknown_page = recover(unknown, "+79160000000")
    assert known_page.redirect_chain == unknown_page.redirect_chain
    assert without_tokens(known_page.content.decode()) == without_tokens(
        unknown_page.content.decode()
    )
    # Wrong codes behave the same, up to the limit.
    for client in (known, unknown):
        answers = [
            client.post("/account/recover/code/", {"code": "000000"}).content.decode()
            for _ in range(4)
        ]
        assert "The code is wrong" in answers[0]
        assert "too many times" in answers[3]
    assert SmsMessage.objects.count() == 1  # nothing was sent for the unknown one
    assert OneTimeCode.objects.filter(account__isnull=True).count() == 1


def test_recovery_code_cannot_be_used_twice(client: Client, person: Account) -> None:
    recover(client, "+79161234567")
    code = last_sms_code()
    client.post("/account/recover/code/", {"code": code})
    client.post(
        "/account/recover/password/", {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    )
    # The same code, in the same browser and in another.
    again = Client(HTTP_ACCEPT_LANGUAGE="en")
    session = again.session
    session["identity_recovery"] = str(OneTimeCode.objects.model().pk)
    session.save()
    assert "wrong" in again.post("/account/recover/code/", {"code": code}).content.decode()
    response = client.post(
        "/account/recover/password/",
        {"password": "Other7Password", "password_again": "Other7Password"},
    )
    assert response["Location"] == "/account/recover/"
    assert Account.objects.get(pk=person.pk).check_password(NEW_PASSWORD)


def test_accepted_code_is_single_use(client: Client, person: Account) -> None:
    recover(client, "+79161234567")
    code = last_sms_code()
    code_id = client.session["identity_recovery"]
    client.post("/account/recover/code/", {"code": code})
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    session = other.session
    session["identity_recovery"] = code_id
    session.save()
    assert (
        "already been used" in other.post("/account/recover/code/", {"code": code}).content.decode()
    )


def test_recovery_code_expires(client: Client, person: Account, later: Any) -> None:
    recover(client, "+79161234567")
    later(minutes=5, seconds=1)
    response = client.post("/account/recover/code/", {"code": last_sms_code()})
    assert "expired" in response.content.decode()


def test_the_new_password_follows_the_rules(client: Client, person: Account) -> None:
    recover(client, "+79161234567")
    client.post("/account/recover/code/", {"code": last_sms_code()})
    response = client.post(
        "/account/recover/password/", {"password": "password", "password_again": "password"}
    )
    assert "Latin capital and small letters and digits" in response.content.decode()
    assert Account.objects.get(pk=person.pk).check_password(PASSWORD)


def test_recovery_requests_are_rate_limited(client: Client, person: Account) -> None:
    for _ in range(3):
        recover(client, "+79161234567")
    page = recover(client, "+79161234567").content.decode()
    assert "Too many attempts" in page
    unknown = [recover(client, "+79160000000") for _ in range(4)][-1].content.decode()
    assert "Too many attempts" in unknown
