"""The profile: masked data, contacts, addresses, documents, INN, deletion, the API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.identity.conftest import (
    PASSWORD,
    give_personal_data,
    last_sms_code,
    make_account,
    signed_in,
)
from uslugi.core.audit import AuditEntry
from uslugi.identity.constants import AdditionalDocumentType, DocumentSource, LookupStatus
from uslugi.identity.models import Account, AdditionalDocument, InnLookup, PersonalData, SmsMessage

pytestmark = pytest.mark.django_db


def test_profile_shows_personal_data_masked(client: Client, standard_person: Account) -> None:
    signed_in(client, standard_person)
    page = client.get("/account/profile/").content.decode()
    assert "***-***-*** 95" in page
    assert "112-233-445" not in page
    assert "11223344595" not in page
    assert "123456" not in page
    assert "******* 456" in page
    assert "+7 *** ***-**-21" in page


def test_account_pages_are_never_cached(client: Client, standard_person: Account) -> None:
    signed_in(client, standard_person)
    for path in ("/account/", "/account/profile/", "/account/security/", "/account/confirm/"):
        assert client.get(path)["Cache-Control"] == "no-store", path


def test_changing_the_phone_needs_the_password_and_a_code_to_the_new_phone(
    client: Client, person: Account
) -> None:
    signed_in(client, person)
    wrong = client.post(
        "/account/profile/contact/phone/", {"value": "+79260002233", "password": "Nope-1234"}
    )
    assert "Your current password is wrong" in wrong.content.decode()
    response = client.post(
        "/account/profile/contact/phone/", {"value": "+7 926 000-22-33", "password": PASSWORD}
    )
    assert response["Location"] == "/account/profile/contact/confirm/"
    assert Account.objects.get(pk=person.pk).phone == "+79161234567"  # not yet
    client.post("/account/profile/contact/confirm/", {"code": last_sms_code("+79260002233")})
    assert Account.objects.get(pk=person.pk).phone == "+79260002233"
    # The old phone is told.
    assert any(
        "was changed" in str(m.text) and str(m.phone) == "+79161234567"
        for m in SmsMessage.objects.all()
    )
    assert AuditEntry.objects.filter(action="identity.contact_changed").exists()


def test_a_new_contact_that_belongs_to_someone_else_is_refused(
    client: Client, person: Account
) -> None:
    make_account(phone="+79260002233")
    signed_in(client, person)
    client.post("/account/profile/contact/phone/", {"value": "+79260002233", "password": PASSWORD})
    page = client.post(
        "/account/profile/contact/confirm/", {"code": last_sms_code("+79260002233")}
    ).content.decode()
    assert "already belongs to an account" in page
    assert Account.objects.get(pk=person.pk).phone == "+79161234567"


def test_adding_an_email(client: Client, person: Account) -> None:
    from django.core import mail

    signed_in(client, person)
    client.post(
        "/account/profile/contact/email/", {"value": "Anna@Example.RU", "password": PASSWORD}
    )
    code = mail.outbox[-1].body.split("code is ")[1][:6]
    client.post("/account/profile/contact/confirm/", {"code": code})
    assert Account.objects.get(pk=person.pk).email == "anna@example.ru"


def test_addresses_are_encrypted(client: Client, person: Account) -> None:
    from django.db import connection

    signed_in(client, person)
    client.post(
        "/account/profile/addresses/", {"registration": "Moscow, Tverskaya St 1", "residence": ""}
    )
    personal = PersonalData.objects.get(account=person)
    assert str(personal.registration_address) == "Moscow, Tverskaya St 1"
    with connection.cursor() as cursor:
        cursor.execute("SELECT registration_address FROM identity_personaldata")
        stored = cursor.fetchone()[0]
    assert "Tverskaya" not in stored


def test_documents_add_and_remove(client: Client, person: Account) -> None:
    signed_in(client, person)
    client.post(
        "/account/profile/documents/add/",
        {
            "kind": "driver_licence",
            "number": "77 12 345678",
            "issued_on": "01.02.2020",
            "valid_until": "01.02.2030",
            "issuer": "GIBDD",
        },
    )
    document = AdditionalDocument.objects.get(account=person)
    assert document.kind == AdditionalDocumentType.DRIVER_LICENCE
    assert "*** 678" in client.get("/account/profile/").content.decode()
    client.post(f"/account/profile/documents/{document.pk}/delete/")
    assert not AdditionalDocument.objects.exists()


def test_another_persons_data_is_not_reachable_by_id(client: Client, person: Account) -> None:
    other = make_account(phone="+79169999999")
    theirs = AdditionalDocument.objects.create(
        account=other, kind="driver_licence", number="1234567890"
    )
    signed_in(client, person)
    assert client.post(f"/account/profile/documents/{theirs.pk}/delete/").status_code == 404
    assert AdditionalDocument.objects.filter(pk=theirs.pk).exists()
    assert client.get(f"/account/operator/person/{other.pk}/").status_code == 403


def test_inn_found_in_the_tax_registry(client: Client, bus: Any, committed: Any) -> None:
    record = bus.find(
        lambda p: (
            p.current_passport is not None
            and p.current_passport.status == "valid"
            and p.current_passport.surname == p.surname
        )
    )
    account = make_account(
        phone="+79031112233",
        surname=record.surname,
        first_name=record.first_name,
        patronymic=record.patronymic,
    )
    personal = give_personal_data(
        account, snils=record.snils, number=record.current_passport.series_number
    )
    personal.birth_date = record.birth_date
    personal.save()
    signed_in(client, account)
    with committed():
        client.post("/account/profile/inn/")
    lookup = InnLookup.objects.get()
    assert lookup.status == LookupStatus.FOUND
    inn = AdditionalDocument.objects.get(account=account, kind=AdditionalDocumentType.INN)
    assert str(inn.number) == record.inn
    assert inn.source == DocumentSource.REGISTRY


def test_inn_needs_a_standard_account(client: Client, person: Account) -> None:
    signed_in(client, person)
    page = client.post("/account/profile/inn/", follow=True).content.decode()
    assert "needs a standard account" in page


def test_account_deletion_says_what_is_kept_and_removes_personal_data(
    client: Client, standard_person: Account
) -> None:
    signed_in(client, standard_person)
    page = client.get("/account/profile/delete/").content.decode()
    assert "What is kept, and why" in page
    wrong = client.post("/account/profile/delete/", {"password": "Nope-1234"})
    assert "Your current password is wrong" in wrong.content.decode()
    response = client.post("/account/profile/delete/", {"password": PASSWORD})
    assert response["Location"] == "/"
    account = Account.objects.get(pk=standard_person.pk)
    assert not account.is_active
    assert (account.phone, account.email, account.surname) == (None, None, "")
    assert not PersonalData.objects.filter(account=account).exists()
    assert AuditEntry.objects.filter(action="identity.account_deleted").exists()
    assert client.get("/account/").status_code == 302
    # The phone and SNILS are free for a new account.
    make_account(phone="+79167654321")


def test_password_change_ends_other_sessions(person: Account) -> None:
    other = signed_in(Client(), person)
    client = signed_in(Client(HTTP_ACCEPT_LANGUAGE="en"), person)
    response = client.post(
        "/account/security/password/",
        {"current": PASSWORD, "password": "Harbour9Lights", "password_again": "Harbour9Lights"},
    )
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200
    assert other.get("/account/").status_code == 302
    assert AuditEntry.objects.filter(action="identity.password_changed").exists()
    from uslugi.notifications.models import Notification

    notice = Notification.objects.filter(recipient=person, event="security.password_changed")
    assert notice.filter(channel="inbox").exists()


# --- API ----------------------------------------------------------------------------------


def test_api_me_needs_a_signed_in_person(client: Client) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_api_me_shows_the_level_and_masked_data(client: Client, standard_person: Account) -> None:
    signed_in(client, standard_person)
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["level"] == "standard"
    assert body["personal_data"]["snils_masked"] == "***-***-*** 95"
    assert body["phone_masked"] == "+7 *** ***-**-21"
    assert body["next_step"]["url"] == "/account/confirm/"
    assert "11223344595" not in response.content.decode()
    assert response["Cache-Control"] == "no-store"


def test_api_me_is_documented() -> None:
    schema = json.loads(Client().get("/api/v1/openapi.json").content)
    assert "/api/v1/me" in schema["paths"]
