"""Registration at the simplified level: codes, links, limits, passwords, duplicates."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from tests.identity.conftest import PASSWORD, last_sms_code, make_account
from uslugi.identity.constants import Level
from uslugi.identity.models import Account, Registration, SmsMessage

pytestmark = pytest.mark.django_db

START = {"surname": "Петрова", "first_name": "Елена", "patronymic": "", "contact": ""}


def start(client: Client, contact: str = "+7 912 345-67-89", **extra: Any) -> Any:
    return client.post("/account/register/", {**START, "contact": contact}, **extra)


def test_phone_registration_from_code_to_signed_in_account(client: Client) -> None:
    response = start(client)
    assert response.status_code == 302
    assert response["Location"] == "/account/register/code/"
    page = client.get("/account/register/code/")
    assert "+7 *** ***-**-89" in page.content.decode()

    code = last_sms_code("+79123456789")
    response = client.post("/account/register/code/", {"code": code})
    assert response["Location"] == "/account/register/password/"
    response = client.post(
        "/account/register/password/", {"password": PASSWORD, "password_again": PASSWORD}
    )
    assert response["Location"] == "/account/"

    account = Account.objects.get(phone="+79123456789")
    assert account.level == Level.SIMPLIFIED
    assert account.check_password(PASSWORD)
    assert account.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert client.get("/account/").status_code == 200  # signed in


def test_codes_are_stored_only_as_hashes(client: Client) -> None:
    start(client)
    code = last_sms_code()
    registration = Registration.objects.get()
    assert code not in registration.code_hash
    assert len(registration.code_hash) == 64
    sms = SmsMessage.objects.get()
    # Even the development outbox encrypts what it keeps.
    assert code not in Registration.objects.values_list("code_hash", flat=True)[0]
    assert str(sms.text).count(code) == 1


def test_wrong_code_counts_tries_and_the_third_ends_the_code(client: Client) -> None:
    start(client)
    code = last_sms_code()
    wrong = "000000" if code != "000000" else "111111"
    first = client.post("/account/register/code/", {"code": wrong})
    assert "The code is wrong" in first.content.decode()
    client.post("/account/register/code/", {"code": wrong})
    third = client.post("/account/register/code/", {"code": wrong})
    assert "too many times" in third.content.decode()
    # Even the right code no longer works.
    after = client.post("/account/register/code/", {"code": code})
    assert after.status_code == 200
    assert "too many times" in after.content.decode()
    assert Registration.objects.get().confirmed_at is None


def test_expired_code_is_refused(client: Client, later: Any) -> None:
    start(client)
    code = last_sms_code()
    later(minutes=5, seconds=1)
    response = client.post("/account/register/code/", {"code": code})
    assert "expired" in response.content.decode()


def test_resend_only_after_the_code_runs_out(client: Client, later: Any) -> None:
    start(client)
    page = client.get("/account/register/code/").content.decode()
    assert "You can ask for a new code after" in page
    assert re.search(r'<form id="resend-code"[^>]* hidden', page)  # no button before expiry

    response = client.post("/account/register/resend/", follow=True)
    assert "You can ask for a new one at" in response.content.decode()
    assert SmsMessage.objects.count() == 1

    later(minutes=5, seconds=1)
    page = client.get("/account/register/code/").content.decode()
    assert not re.search(r'<form id="resend-code"[^>]* hidden', page)
    client.post("/account/register/resend/")
    assert SmsMessage.objects.count() == 2
    client.post("/account/register/code/", {"code": last_sms_code()})
    assert Registration.objects.get().confirmed_at is not None


def test_codes_per_phone_are_rate_limited(client: Client, later: Any) -> None:
    for _ in range(5):
        assert start(client, REMOTE_ADDR=f"10.0.0.{_}").status_code == 302
    refused = start(client, REMOTE_ADDR="10.0.0.99")
    assert refused.status_code == 200
    assert "Too many attempts" in refused.content.decode()
    assert SmsMessage.objects.count() == 5
    later(hours=1)
    assert start(client).status_code == 302  # a new window


def test_codes_per_ip_are_rate_limited(client: Client) -> None:
    for n in range(20):
        assert start(client, contact=f"+7916000{n:04d}").status_code == 302
    refused = start(client, contact="+79169999999")
    assert "Too many attempts" in refused.content.decode()


def test_invalid_contact_is_explained(client: Client) -> None:
    response = start(client, contact="12345")
    assert "Enter a mobile phone number like +7 912 345-67-89" in response.content.decode()


def test_duplicate_phone_is_refused_only_after_the_code(client: Client) -> None:
    make_account(phone="+79123456789")
    # The start page cannot be used to probe which phones have accounts...
    assert start(client).status_code == 302
    # ...the owner of the phone learns it after proving it is theirs.
    response = client.post("/account/register/code/", {"code": last_sms_code()})
    assert response.status_code == 409
    assert "already belongs to an account" in response.content.decode()
    assert Account.objects.filter(phone="+79123456789").count() == 1


def test_email_registration_with_a_single_use_link(client: Client) -> None:
    response = start(client, contact="Elena@Example.RU")
    assert response["Location"] == "/account/register/email/"
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/account/register/email/[^/\s]+/)", mail.outbox[0].body)
    assert link
    # Opening the link (a GET, as mail scanners do) does not use it up.
    assert client.get(link.group(1)).status_code == 200
    response = client.post(link.group(1))
    assert response["Location"] == "/account/register/password/"
    client.post("/account/register/password/", {"password": PASSWORD, "password_again": PASSWORD})
    assert Account.objects.get(email="elena@example.ru").level == Level.SIMPLIFIED
    # Used once: never again.
    again = Client().post(link.group(1))
    assert again.status_code == 400


def test_email_link_expires_after_three_days(client: Client, later: Any) -> None:
    start(client, contact="elena@example.ru")
    link = re.search(r"http://testserver(/account/register/email/[^/\s]+/)", mail.outbox[0].body)
    assert link
    later(days=3, seconds=1)
    response = client.post(link.group(1))
    assert response.status_code == 400
    assert "expired" in response.content.decode()


def test_duplicate_email_is_refused(client: Client) -> None:
    make_account(phone=None, email="elena@example.ru")
    start(client, contact="elena@example.ru")
    link = re.search(r"http://testserver(/account/register/email/[^/\s]+/)", mail.outbox[0].body)
    assert link
    response = client.post(link.group(1))
    assert response.status_code == 409


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Short1", "at least 8 characters"),
        ("alllowercase1", "Latin capital and small letters and digits"),
        ("NoDigitsHere", "Latin capital and small letters and digits"),
        ("Password123", "too common"),
        ("Qwerty123", "too common"),
        ("Petrova2026x", "must not contain your name"),
        ("Elena2026abc", "must not contain your name"),
        ("Aa3456789xyz", "must not contain your name, phone"),
        ("A1" + "b" * 127, "at most 128 characters"),
    ],
)
def test_weak_or_blocklisted_password_is_refused(
    client: Client, password: str, message: str
) -> None:
    start(client)
    client.post("/account/register/code/", {"code": last_sms_code()})
    response = client.post(
        "/account/register/password/", {"password": password, "password_again": password}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Account.objects.filter(phone="+79123456789").exists()


def test_long_password_is_never_truncated(client: Client) -> None:
    long_password = "Tiger7Moon" + "x" * 118  # 128 characters: allowed
    start(client)
    client.post("/account/register/code/", {"code": last_sms_code()})
    client.post(
        "/account/register/password/",
        {"password": long_password, "password_again": long_password},
    )
    account = Account.objects.get(phone="+79123456789")
    assert account.check_password(long_password)
    assert not account.check_password(long_password[:-1])
    assert not account.check_password(long_password[:72])


def test_passwords_must_match(client: Client) -> None:
    start(client)
    client.post("/account/register/code/", {"code": last_sms_code()})
    response = client.post(
        "/account/register/password/", {"password": PASSWORD, "password_again": PASSWORD + "x"}
    )
    assert "The passwords do not match" in response.content.decode()
