"""Standard level: the registry checks over the exchange bus, on the sandbox registries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from tests.identity.conftest import deliver_all, give_personal_data, make_account, signed_in
from uslugi.identity.constants import CheckKind, CheckStatus, Level, VerificationStatus
from uslugi.identity.errors import SnilsTaken, VerificationRunning
from uslugi.identity.models import Account, PersonalData, StandardVerification, VerificationCheck
from uslugi.identity.services import verification
from uslugi.identity.tasks import retry_checks

pytestmark = pytest.mark.django_db


def subject(population: Any) -> Any:
    """A person with a valid current passport."""
    return population.find(
        lambda p: (
            p.current_passport is not None
            and p.current_passport.status == "valid"
            and p.current_passport.surname == p.surname
            and p.patronymic
        )
    )


def form_data(record: Any, **changes: Any) -> dict[str, str]:
    passport = record.current_passport or record.passports[-1]
    data = {
        "surname": record.surname,
        "first_name": record.first_name,
        "patronymic": record.patronymic,
        "birth_date": record.birth_date.strftime("%d.%m.%Y"),
        "gender": record.gender,
        "citizenship": "RUS",
        "snils": f"{record.snils[:3]}-{record.snils[3:6]}-{record.snils[6:9]} {record.snils[9:]}",
        "document_type": "ru_passport",
        "passport_number": f"{passport.series_number[:2]} {passport.series_number[2:4]} {passport.series_number[4:]}",
        "division_code": passport.division_code,
        "foreign_number": "",
        "document_country": "",
        "document_issued_on": passport.issue_date.strftime("%d.%m.%Y"),
        "document_issuer": passport.issuer,
    }
    data.update(changes)
    return data


@pytest.fixture
def applicant(db: None) -> Account:
    return make_account(phone="+79031112233")


def test_both_checks_pass_and_the_level_becomes_standard_at_once(
    client: Client, applicant: Account, bus: Any, committed: Any
) -> None:
    record = subject(bus)
    signed_in(client, applicant)
    with committed():
        response = client.post("/account/standard/", form_data(record))
    assert response["Location"] == "/account/standard/progress/"
    checks = VerificationCheck.objects.order_by("kind")
    assert [c.status for c in checks] == [CheckStatus.PASSED, CheckStatus.PASSED]
    page = client.get("/account/standard/progress/").content.decode()
    assert "Your account is now standard" in page
    # Same session, no new sign-in: the next page already shows the level.
    assert "Standard" in client.get("/account/").content.decode()
    account = Account.objects.get(pk=applicant.pk)
    assert account.level == Level.STANDARD
    assert account.surname == record.surname
    personal = PersonalData.objects.get(account=account)
    assert str(personal.snils) == record.snils
    assert personal.snils_masked == f"***-***-*** {record.snils[-2:]}"


def test_a_mismatching_name_fails_with_the_reason(
    client: Client, applicant: Account, bus: Any, committed: Any
) -> None:
    record = subject(bus)
    signed_in(client, applicant)
    with committed():
        client.post("/account/standard/", form_data(record, surname="Неверова"))
    snils = VerificationCheck.objects.get(kind=CheckKind.SNILS)
    assert snils.status == CheckStatus.FAILED
    assert snils.reason_code == "snils_mismatch_name"
    page = client.get("/account/standard/progress/").content.decode()
    assert "Your data did not pass the checks" in page
    assert "The Pension Fund holds this SNILS under a different name" in page
    assert Account.objects.get(pk=applicant.pk).level == Level.SIMPLIFIED
    # The form comes back filled in, to correct.
    form = client.get("/account/standard/").content.decode()
    assert "Неверова" in form


def test_a_lost_passport_fails_with_the_reason(
    client: Client, applicant: Account, bus: Any, committed: Any
) -> None:
    record = bus.find(
        lambda p: any(x.status == "lost" and x.surname == p.surname for x in p.passports)
    )
    lost = next(x for x in record.passports if x.status == "lost" and x.surname == record.surname)
    signed_in(client, applicant)
    number = lost.series_number
    with committed():
        client.post(
            "/account/standard/",
            form_data(
                record,
                passport_number=number,
                division_code=lost.division_code,
                document_issued_on=lost.issue_date.strftime("%d.%m.%Y"),
            ),
        )
    document = VerificationCheck.objects.get(kind=CheckKind.DOCUMENT)
    assert (document.status, document.reason_code) == (CheckStatus.FAILED, "document_lost")
    page = client.get("/account/standard/progress/").content.decode()
    assert "registered as lost or stolen" in page


def test_registry_down_is_retried_then_shown_unavailable_then_passes(  # noqa: PLR0917 - fixtures
    client: Client, applicant: Account, bus: Any, committed: Any, registry_fault: Any, later: Any
) -> None:
    later(seconds=0)
    record = subject(bus)
    registry_fault("pfr", mode="down")
    signed_in(client, applicant)
    with committed():
        client.post("/account/standard/", form_data(record))
    snils = VerificationCheck.objects.get(kind=CheckKind.SNILS)
    assert snils.status == CheckStatus.WAITING  # the bus is retrying
    assert VerificationCheck.objects.get(kind=CheckKind.DOCUMENT).status == CheckStatus.PASSED

    later(minutes=1)  # past the message's deadline: the bus gives up
    with committed():
        deliver_all()
    snils.refresh_from_db()
    assert snils.status == CheckStatus.UNAVAILABLE
    assert snils.next_attempt_at is not None
    page = client.get("/account/standard/progress/").content.decode()
    assert "Registry unavailable" in page
    assert "We will ask it again automatically" in page
    assert "We will try again at" in page

    registry_fault.clear("pfr")
    later(minutes=1)
    with committed():
        assert retry_checks.call() == 0  # not due yet
    later(minutes=2)
    with committed():
        assert retry_checks.call() == 1
    snils.refresh_from_db()
    assert snils.status == CheckStatus.PASSED
    assert snils.attempts == 2
    assert Account.objects.get(pk=applicant.pk).level == Level.STANDARD


def test_data_cannot_be_edited_while_checks_run_and_can_be_cancelled(
    client: Client, applicant: Account, bus: Any, registry_fault: Any, committed: Any
) -> None:
    record = subject(bus)
    registry_fault("pfr", mode="down")
    signed_in(client, applicant)
    with committed():
        client.post("/account/standard/", form_data(record))
    assert client.get("/account/standard/")["Location"] == "/account/standard/progress/"
    with pytest.raises(VerificationRunning):
        verification.verification_submit(account=applicant, data={"snils": record.snils})
    response = client.post("/account/standard/cancel/")
    assert response["Location"] == "/account/standard/"
    assert StandardVerification.objects.get().status == VerificationStatus.CANCELLED
    # A late answer to a cancelled verification changes nothing.
    registry_fault.clear("pfr")
    with committed():
        deliver_all()
    assert Account.objects.get(pk=applicant.pk).level == Level.SIMPLIFIED
    # Start again.
    with committed():
        client.post("/account/standard/", form_data(record))
    assert Account.objects.get(pk=applicant.pk).level == Level.STANDARD


def test_a_snils_bound_to_another_account_is_refused_with_guidance(
    client: Client, applicant: Account, bus: Any
) -> None:
    record = subject(bus)
    other = make_account(phone="+79035556677")
    give_personal_data(other, snils=record.snils)
    signed_in(client, applicant)
    page = client.post("/account/standard/", form_data(record)).content.decode()
    assert "already linked to another account" in page
    assert "recover access to that account" in page
    assert not StandardVerification.objects.exists()
    with pytest.raises(SnilsTaken):
        verification.verification_submit(account=applicant, data={"snils": record.snils})


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"snils": "112-233-445 96"}, "its check digits do not match"),
        ({"snils": "1122"}, "Enter SNILS as 11 digits"),
        ({"passport_number": "45 08"}, "Enter the passport series and number as 10 digits"),
        ({"division_code": "77"}, "Enter the division code as 6 digits"),
        ({"birth_date": "31.02.1990"}, "Enter a date like 27.03.1985"),
        ({"document_type": "foreign_passport"}, "Enter the number of your foreign passport"),
    ],
)
def test_format_and_checksum_errors_are_shown_before_any_check(
    client: Client, applicant: Account, changes: dict[str, str], message: str
) -> None:
    signed_in(client, applicant)
    base = {
        "surname": "Иванова", "first_name": "Мария", "patronymic": "", "birth_date": "14.03.1985",
        "gender": "female", "citizenship": "RUS", "snils": "112-233-445 95",
        "document_type": "ru_passport", "passport_number": "4508 123456", "division_code": "770-001",
        "foreign_number": "", "document_country": "", "document_issued_on": "20.05.2008",
        "document_issuer": "ОВД",
    }  # fmt: skip
    page = client.post("/account/standard/", {**base, **changes}).content.decode()
    assert message in page
    assert not StandardVerification.objects.exists()


def test_a_foreign_citizen_is_checked_by_the_foreign_document(
    client: Client, applicant: Account, bus: Any, committed: Any
) -> None:
    foreigner = next(
        (f for f in bus.foreigners if f.status == "valid" and f.kind == "passport"), None
    )
    if foreigner is None:
        pytest.skip("no foreigner with a valid passport in this population")
    citizenship = (
        foreigner.citizenship
        if foreigner.citizenship
        in {
            "UZB",
            "TJK",
            "KAZ",
            "ARM",
            "DEU",
            "CHN",
            "KGZ",
            "AZE",
            "BLR",
            "UKR",
            "MDA",
            "GEO",
            "IND",
            "TKM",
            "TUR",
            "USA",
            "VNM",
        }
        else None
    )
    if citizenship is None:
        pytest.skip("the foreigner's citizenship is not offered by the form")
    signed_in(client, applicant)
    # A foreigner has no SNILS in the sandbox's pension registry: only the document check is asked.
    data = {
        "surname": foreigner.surname, "first_name": foreigner.given_names, "patronymic": "",
        "birth_date": foreigner.birth_date.strftime("%d.%m.%Y"), "gender": foreigner.gender,
        "citizenship": citizenship, "snils": "112-233-445 95", "document_type": "foreign_passport",
        "passport_number": "", "division_code": "", "foreign_number": foreigner.number,
        "document_country": citizenship,
        "document_issued_on": foreigner.issue_date.strftime("%d.%m.%Y"), "document_issuer": "MFA",
    }  # fmt: skip
    with committed():
        client.post("/account/standard/", data)
    document = VerificationCheck.objects.get(kind=CheckKind.DOCUMENT)
    assert document.status == CheckStatus.PASSED, document.reason_code


def test_the_progress_page_refreshes_itself_while_waiting(
    client: Client, applicant: Account, bus: Any, registry_fault: Any, committed: Any
) -> None:
    registry_fault("pfr", mode="down")
    signed_in(client, applicant)
    with committed():
        client.post("/account/standard/", form_data(subject(bus)))
    page = client.get("/account/standard/progress/").content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page
    assert "Cancel the checks and change the data" in page


def test_a_child_cannot_get_a_standard_account(client: Client, applicant: Account) -> None:
    signed_in(client, applicant)
    young = (dt.date.today() - dt.timedelta(days=365 * 10)).strftime("%d.%m.%Y")
    page = client.post("/account/standard/", {"birth_date": young}).content.decode()
    assert "from the age of 14" in page
