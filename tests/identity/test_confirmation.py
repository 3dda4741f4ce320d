"""Confirmed level: a code by registered post, and the service-centre operator's console."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.identity.conftest import PASSWORD, make_account, signed_in
from uslugi.core.audit import AuditEntry
from uslugi.identity.constants import ConfirmationMethod, Level
from uslugi.identity.errors import AlreadyConfirmed, LevelTooLow
from uslugi.identity.models import (
    Account,
    Confirmation,
    PostalCodeRequest,
    PostalLetter,
    SmsMessage,
)
from uslugi.identity.services import confirmation

pytestmark = pytest.mark.django_db

ADDRESS = "125009, Moscow, Tverskaya St 9, flat 1"


def letter_code() -> str:
    text = str(PostalLetter.objects.order_by("-created_at").first().text)  # type: ignore[union-attr]
    match = re.search(r"code: ([A-Z0-9]{8})", text)
    assert match
    return match.group(1)


def test_confirm_by_post(client: Client, standard_person: Account) -> None:
    signed_in(client, standard_person)
    response = client.post("/account/confirm/post/", {"address": ADDRESS})
    assert response["Location"] == "/account/confirm/post/"
    letter = PostalLetter.objects.get()
    assert str(letter.address) == ADDRESS
    assert PostalCodeRequest.objects.get().tracking == letter.tracking
    code = letter_code()
    assert code not in PostalCodeRequest.objects.get().code_hash
    response = client.post("/account/confirm/post/code/", {"code": code.lower()})
    assert response["Location"] == "/account/"
    account = Account.objects.get(pk=standard_person.pk)
    assert (account.level, account.confirmation_method) == (
        Level.CONFIRMED,
        ConfirmationMethod.POST,
    )
    assert AuditEntry.objects.filter(action="identity.confirmed").exists()


def test_post_code_is_valid_60_days(client: Client, standard_person: Account, later: Any) -> None:
    later(seconds=0)
    signed_in(client, standard_person)
    client.post("/account/confirm/post/", {"address": ADDRESS})
    code = letter_code()
    later(days=60, seconds=1)
    signed_in(client, standard_person)
    response = client.post("/account/confirm/post/code/", {"code": code})
    assert "expired" in response.content.decode()


def test_new_letter_only_30_days_after_the_last(
    client: Client, standard_person: Account, later: Any
) -> None:
    later(seconds=0)
    signed_in(client, standard_person)
    client.post("/account/confirm/post/", {"address": ADDRESS})
    refused = client.post("/account/confirm/post/", {"address": ADDRESS})
    assert "A new letter can be ordered 30 days after the last one" in refused.content.decode()
    assert PostalLetter.objects.count() == 1
    later(days=30, seconds=1)
    signed_in(client, standard_person)
    client.post("/account/confirm/post/", {"address": ADDRESS})
    assert PostalLetter.objects.count() == 2


def test_wrong_post_code(client: Client, standard_person: Account) -> None:
    signed_in(client, standard_person)
    client.post("/account/confirm/post/", {"address": ADDRESS})
    response = client.post("/account/confirm/post/code/", {"code": "AAAAAAAA"})
    assert "The code is wrong" in response.content.decode()
    assert Account.objects.get(pk=standard_person.pk).level == Level.STANDARD


def test_simplified_account_cannot_order_a_letter(person: Account) -> None:
    with pytest.raises(LevelTooLow):
        confirmation.post_code_order(account=person, address=ADDRESS)


def test_operator_finds_compares_and_confirms(standard_person: Account, operator: Account) -> None:
    client = signed_in(Client(HTTP_ACCEPT_LANGUAGE="en"), operator)
    response = client.post("/account/operator/", {"snils": "112-233-445 95", "document_number": ""})
    assert response["Location"] == f"/account/operator/person/{standard_person.pk}/"
    assert "11223344595" not in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "112-233-445 95" in page
    assert "45 08 123456" in page
    assert "14.03.1985" in page
    response = client.post(response["Location"], {"action": "confirm", "checked": "on"})
    assert response.status_code == 302
    account = Account.objects.get(pk=standard_person.pk)
    assert (account.level, account.confirmation_method) == (
        Level.CONFIRMED,
        ConfirmationMethod.IN_PERSON,
    )
    record = Confirmation.objects.get(account=account)
    assert record.operator_id == operator.pk
    assert record.centre is not None
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"identity.operator_search", "identity.operator_view", "identity.confirmed"} <= actions


def test_operator_finds_by_document_number(standard_person: Account, operator: Account) -> None:
    client = signed_in(Client(HTTP_ACCEPT_LANGUAGE="en"), operator)
    response = client.post("/account/operator/", {"snils": "", "document_number": "45 08 123456"})
    assert response["Location"] == f"/account/operator/person/{standard_person.pk}/"


def test_operator_search_without_a_match(operator: Account) -> None:
    client = signed_in(Client(HTTP_ACCEPT_LANGUAGE="en"), operator)
    page = client.post(
        "/account/operator/", {"snils": "112-233-445 95", "document_number": ""}
    ).content.decode()
    assert "No account matches" in page


def test_confirmation_in_person_replaces_confirmation_by_post(
    standard_person: Account, operator: Account
) -> None:
    confirmation.account_confirm(account=standard_person, method=ConfirmationMethod.POST)
    client = signed_in(Client(HTTP_ACCEPT_LANGUAGE="en"), operator)
    client.post(
        f"/account/operator/person/{standard_person.pk}/", {"action": "confirm", "checked": "on"}
    )
    assert (
        Account.objects.get(pk=standard_person.pk).confirmation_method
        == ConfirmationMethod.IN_PERSON
    )
    # Never downwards.
    with pytest.raises(AlreadyConfirmed):
        confirmation.account_confirm(
            account=Account.objects.get(pk=standard_person.pk), method=ConfirmationMethod.POST
        )


def test_operator_restores_access(standard_person: Account, operator: Account) -> None:
    victim_session = signed_in(Client(), standard_person)
    client = signed_in(Client(HTTP_ACCEPT_LANGUAGE="en"), operator)
    url = f"/account/operator/person/{standard_person.pk}/"
    response = client.post(url, {"action": "restore", "phone": "+7 926 000-11-22", "checked": "on"})
    assert response.status_code == 302
    account = Account.objects.get(pk=standard_person.pk)
    assert account.phone == "+79260001122"
    assert account.must_change_password
    assert not account.check_password(PASSWORD)
    assert victim_session.get("/account/").status_code == 302
    sms = SmsMessage.objects.order_by("-created_at").first()
    assert sms is not None
    temporary = re.search(r"password is (\S+)\.", str(sms.text))
    assert temporary
    person = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = person.post(
        "/account/login/", {"identifier": "+79260001122", "password": temporary.group(1)}
    )
    assert response["Location"] == "/account/security/password/"
    assert person.get("/account/")["Location"] == "/account/security/password/"
    response = person.post(
        "/account/security/password/",
        {"current": "", "password": "Harbour9Lights", "password_again": "Harbour9Lights"},
    )
    assert response.status_code == 302
    assert person.get("/account/").status_code == 200
    assert AuditEntry.objects.filter(action="identity.operator_restored_access").exists()


def test_only_operators_reach_the_console(client: Client, standard_person: Account) -> None:
    signed_in(client, standard_person)
    assert client.get("/account/operator/").status_code == 403
    assert client.get(f"/account/operator/person/{standard_person.pk}/").status_code == 403


def test_an_operator_needs_a_centre(standard_person: Account, operator: Account) -> None:
    operator.operator_at.delete()
    client = signed_in(Client(), Account.objects.get(pk=operator.pk))
    assert client.get("/account/operator/").status_code == 403


def test_centres_directory_filters_by_region(client: Client, centre: Any) -> None:
    from uslugi.identity.models import ServiceCentre

    ServiceCentre.objects.create(
        name="Kazan centre", region_code="16", region_name="Republic of Tatarstan",
        address="Kazan", opening_hours="Mon-Fri", services=["confirm"],
    )  # fmt: skip
    everything = client.get("/account/centres/").content.decode()
    assert "Kazan centre" in everything
    assert "Service centre Tverskoy" in everything
    moscow = client.get("/account/centres/?region=77").content.decode()
    assert "Service centre Tverskoy" in moscow
    assert "Kazan centre" not in moscow


def test_confirm_page_links_the_centres_and_has_no_signature_option(
    client: Client, standard_person: Account
) -> None:
    signed_in(client, standard_person)
    page = client.get("/account/confirm/").content.decode()
    assert "/account/centres/" in page
    assert "signature" not in page.lower()


def test_simplified_account_is_sent_to_the_standard_level_first(client: Client) -> None:
    account = make_account(phone="+79161110000")
    signed_in(client, account)
    assert client.get("/account/confirm/post/")["Location"] == "/account/confirm/"
