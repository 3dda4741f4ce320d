"""The engine's richer parts: files, locked composites, cross-field checks, exchange
prefill, routing and mapping, draft migration, whole-draft validation, live conditions,
texts in two languages, the operators' instruction."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from jsonschema import Draft202012Validator

from uslugi.exchange import conf as exchange_conf
from uslugi.exchange import services as exchange_services
from uslugi.forms import routing
from uslugi.forms.constants import VersionStatus
from uslugi.forms.models import DefinitionVersion, Draft, Upload
from uslugi.forms.payload import agency_schema
from uslugi.forms.services import definition_store, version_transition
from uslugi.identity.models import Account

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def publish(document: dict[str, Any]) -> DefinitionVersion:
    version, _outcome = definition_store(document=document)
    version = version_transition(version=version, target=VersionStatus.TESTING)
    version = version_transition(
        version=version,
        target=VersionStatus.APPROVED,
        protocol={"cases": ["unit"], "approver": "tests"},
    )
    return version_transition(
        version=version, target=VersionStatus.PUBLISHED, change_number=f"t-{version.number}"
    )


def doc(code: str, *steps: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "code": code,
        "variant": "main",
        "kind": "application",
        "title": {"ru": "Проверка", "en": "Check"},
        "steps": list(steps),
        **extra,
    }


# --- Files ---------------------------------------------------------------------------------

FILES = doc(
    "files",
    {
        "id": "scans",
        "title": "Scans",
        "fields": [
            {
                "name": "scan",
                "type": "file",
                "label": "Scan of the contract",
                "required": True,
                "accept": ["application/pdf"],
                "max_size_kb": 1,
                "max_files": 2,
            }
        ],
    },
)


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _upload(name: str, content: bytes, content_type: str = "application/pdf") -> Any:
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_file_type_is_told_by_content_not_by_name(
    signed_in: Client, applicant: Account, media: Path
) -> None:
    publish(FILES)
    signed_in.get("/forms/files/")
    # A PNG named .pdf (and sent as application/pdf) is refused...
    response = signed_in.post("/forms/files/step/scans", {"scan": _upload("contract.pdf", PNG)})
    assert response.status_code == 200
    assert "is not a PDF file" in response.content.decode()
    assert not Upload.objects.exists()
    # ...a PDF named .jpg is a PDF.
    response = signed_in.post(
        "/forms/files/step/scans", {"scan": _upload("photo.jpg", PDF, "image/jpeg")}
    )
    assert response.status_code == 302
    draft = Draft.objects.get(account=applicant)
    (descriptor,) = draft.data["scan"]
    assert descriptor["content_type"] == "application/pdf"
    assert descriptor["size"] == len(PDF)
    upload = Upload.objects.get()
    stored = Path(upload.file.path).read_bytes()
    assert PDF not in stored  # encrypted at rest
    download = signed_in.get(f"/forms/files/file/{upload.pk}")
    assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]
    Draft202012Validator(agency_schema(draft.version.document)).validate(
        {"scan": draft.data["scan"]}
    )


def test_file_size_count_and_required(signed_in: Client, applicant: Account, media: Path) -> None:
    publish(FILES)
    signed_in.get("/forms/files/")
    response = signed_in.post("/forms/files/step/scans", {})
    assert "Choose a file to upload" in response.content.decode()
    big = PDF + b"0" * 2048
    response = signed_in.post("/forms/files/step/scans", {"scan": _upload("big.pdf", big)})
    assert "is larger than" in response.content.decode()
    three = [_upload(f"{i}.pdf", PDF) for i in range(3)]
    response = signed_in.post("/forms/files/step/scans", {"scan": three})
    assert "up to 2 files" in response.content.decode()
    assert (
        signed_in.post("/forms/files/step/scans", {"scan": _upload("a.pdf", PDF)}).status_code
        == 302
    )
    upload = Upload.objects.get()
    # Another person cannot download it.
    other = Account.objects.create(phone="+79160000001", email="o@example.ru")
    stranger = Client()
    stranger.force_login(other)
    assert stranger.get(f"/forms/files/file/{upload.pk}").status_code == 404
    # Removing the file takes it off the answer and deletes it.
    response = signed_in.post("/forms/files/step/scans", {"remove": f"scan:{upload.pk}"})
    assert response.status_code == 302
    assert "scan" not in Draft.objects.get(account=applicant).data
    assert not Upload.objects.exists()


# --- Locked composite, checks, conditions -----------------------------------------------------

PASSPORT = doc(
    "locked-passport",
    {
        "id": "documents",
        "title": "Documents",
        "fields": [
            {
                "name": "passport",
                "type": "passport",
                "label": "Passport",
                "required": True,
                "prefill": "profile.passport",
                "locked": True,
            }
        ],
    },
)


def test_locked_passport_cannot_be_changed_by_a_crafted_post(
    signed_in: Client, applicant: Account
) -> None:
    publish(PASSPORT)
    signed_in.get("/forms/locked-passport/")
    draft = Draft.objects.get(account=applicant)
    assert draft.locked["passport"]["number"] == "123456"
    page = signed_in.get("/forms/locked-passport/step/documents").content.decode()
    assert "disabled" in page
    response = signed_in.post(
        "/forms/locked-passport/step/documents",
        {
            "passport__series_number": "45 08 654321",
            "passport__issued_on": "2008-05-20",
            "passport__issued_by": "ОВД Тверского района",
            "passport__division_code": "770-001",
        },
    )
    assert response.status_code == 200
    assert "cannot be changed here" in response.content.decode()
    # Posting nothing keeps the locked value.
    assert signed_in.post("/forms/locked-passport/step/documents", {}).status_code == 302
    assert Draft.objects.get(account=applicant).data["passport"]["number"] == "123456"


CHECKS = doc(
    "checks",
    {
        "id": "trip",
        "title": "Trip",
        "checks": [
            {
                "rule": {
                    "or": [
                        {"!": {"var": "returns_on"}},
                        {">=": [{"var": "returns_on"}, {"var": "leaves_on"}]},
                    ]
                },
                "field": "returns_on",
                "message": {
                    "ru": "Возвращение раньше отъезда.",
                    "en": "You return before you leave.",
                },
            }
        ],
        "fields": [
            {"name": "leaves_on", "type": "date", "label": "Leaves on", "required": True},
            {"name": "returns_on", "type": "date", "label": "Returns on"},
            {"name": "has_children", "type": "yesno", "label": "With children?", "required": True},
            {
                "name": "children",
                "type": "group",
                "label": "Children",
                "visible_if": {"==": [{"var": "has_children"}, True]},
                "min_items": 1,
                "max_items": 2,
                "checks": [
                    {
                        "rule": {"<=": [{"var": "born_on"}, {"var": "leaves_on"}]},
                        "field": "born_on",
                        "message": "A child born after the trip starts?",
                    }
                ],
                "fields": [
                    {"name": "name", "type": "text", "label": "Name", "required": True},
                    {"name": "born_on", "type": "date", "label": "Born on", "required": True},
                ],
            },
        ],
    },
)


def test_step_and_group_checks(signed_in: Client, applicant: Account) -> None:
    publish(CHECKS)
    signed_in.get("/forms/checks/")
    url = "/forms/checks/step/trip"
    base = {"leaves_on": "2027-05-10", "has_children": "no"}
    response = signed_in.post(url, {**base, "returns_on": "2027-05-01"})
    assert "You return before you leave." in response.content.decode()
    response = signed_in.post(
        url,
        {
            **base,
            "has_children": "yes",
            "children__0__name": "Вера",
            "children__0__born_on": "2027-06-01",
        },
    )
    assert "A child born after the trip starts?" in response.content.decode()
    # Conditional group required: "yes" with no rows is an error; rows beyond max are never read.
    response = signed_in.post(url, {**base, "has_children": "yes"})
    assert "Add at least 1 entries" in response.content.decode()
    response = signed_in.post(
        url,
        {
            **base,
            "returns_on": "2027-05-20",
            "has_children": "yes",
            "children__0__name": "Вера",
            "children__0__born_on": "2019-01-01",
            "children__5__name": "Лишний",
            "children__5__born_on": "2019-01-01",
        },
    )
    assert response.status_code == 302
    data = Draft.objects.get(account=applicant).data
    assert data["children"] == [{"name": "Вера", "born_on": "2019-01-01"}]


def test_live_preview_shows_conditional_fields_without_saving_or_errors(
    signed_in: Client, applicant: Account
) -> None:
    publish(CHECKS)
    signed_in.get("/forms/checks/")
    page = signed_in.get("/forms/checks/step/trip").content.decode()
    assert 'hx-post="/forms/checks/step/trip?preview=1"' in page
    assert "children__0__name" not in page
    preview = signed_in.post("/forms/checks/step/trip?preview=1", {"has_children": "yes"})
    text = preview.content.decode()
    assert preview.status_code == 200
    assert "children__0__name" in text
    assert "govuk-error-summary" not in text
    assert Draft.objects.get(account=applicant).data.get("has_children") is None


def test_texts_in_the_person_s_language(applicant: Account) -> None:
    publish(CHECKS)
    russian = Client(HTTP_ACCEPT_LANGUAGE="ru")
    russian.force_login(applicant)
    russian.get("/forms/checks/")
    response = russian.post(
        "/forms/checks/step/trip",
        {"leaves_on": "2027-05-10", "returns_on": "2027-05-01", "has_children": "no"},
    )
    assert "Возвращение раньше отъезда." in response.content.decode()
    assert "<title>" in response.content.decode()
    assert "Проверка" in response.content.decode()


def test_check_page_lists_what_is_missing(signed_in: Client, applicant: Account) -> None:
    publish(CHECKS)
    signed_in.get("/forms/checks/")
    page = signed_in.get("/forms/checks/check").content.decode()
    assert "Some answers are missing or need changing" in page
    assert "/forms/checks/step/trip#id_leaves_on" in page


def test_instruction_page_says_when_to_ask(client: Client) -> None:
    publish(CHECKS)
    page = client.get("/forms/checks/instruction").content.decode()
    assert "Ask only when" in page
    assert "«With children?» == yes" in page
    assert "You return before you leave." in page


# --- Exchange prefill --------------------------------------------------------------------------

VEHICLES = doc(
    "my-vehicles",
    {
        "id": "vehicle",
        "title": "Vehicle",
        "fields": [
            {
                "name": "vin",
                "type": "select",
                "label": "Your vehicle",
                "required": True,
                "options_from": {
                    "source": "vehicles",
                    "items": "vehicles",
                    "value": "vin",
                    "label": ["make", "model", "plate"],
                },
            },
            {
                "name": "first_plate",
                "type": "text",
                "label": "Plate",
                "prefill": "exchange.vehicles.vehicles.0.plate",
                "locked": True,
            },
        ],
    },
    prefill_sources={
        "vehicles": {
            "type": "gibdd.vehicles-by-owner/1",
            "request": {
                "series": {"var": "profile.passport.series"},
                "number": {"var": "profile.passport.number"},
                "surname": {"var": "profile.surname"},
                "first_name": {"var": "profile.first_name"},
                "patronymic": {"var": "profile.patronymic"},
                "birth_date": {"var": "profile.birth_date"},
            },
        }
    },
)


def _owner(population: Any) -> Account:
    """An account whose verified profile is a sandbox person owning a vehicle."""
    from uslugi.core import clock
    from uslugi.identity.constants import Citizenship, DocumentType, Gender, Level
    from uslugi.identity.models import PersonalData

    person = population.find(lambda p: bool(p.vehicles) and p.current_passport is not None)
    account = Account(
        phone="+79165550101",
        surname=person.surname,
        first_name=person.first_name,
        patronymic=person.patronymic or "",
        level=Level.STANDARD,
    )
    account.set_unusable_password()
    account.save()
    passport = person.current_passport
    assert passport is not None
    PersonalData.objects.create(
        account=account,
        birth_date=person.birth_date,
        gender=Gender(person.gender),
        citizenship=Citizenship.RUS,
        snils=person.snils,
        document_type=DocumentType.RU_PASSPORT,
        document_number=passport.series_number,
        document_issued_on=passport.issue_date,
        document_issuer=passport.issuer,
        document_division_code=passport.division_code,
        verified_at=clock.now(),
    )
    return account


@pytest.fixture
def vehicles_bus(sandbox_population: Any) -> Any:
    exchange_services.providers_ensure()
    exchange_services.access_grant(
        consumer=exchange_conf.portal_system(), type_key="gibdd.vehicles-by-owner/1"
    )
    return sandbox_population


def test_choices_and_locked_value_from_a_registry(vehicles_bus: Any) -> None:
    owner = _owner(vehicles_bus)
    publish(VEHICLES)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(owner)
    client.get("/forms/my-vehicles/")
    draft = Draft.objects.get(account=owner)
    vehicles = draft.sources["vehicles"]["vehicles"]
    assert vehicles
    assert draft.locked["first_plate"] == vehicles[0]["plate"]
    page = client.get("/forms/my-vehicles/step/vehicle").content.decode()
    assert vehicles[0]["vin"] in page
    refused = client.post("/forms/my-vehicles/step/vehicle", {"vin": "XTA00000000000000"})
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.content.decode()
    ok = client.post("/forms/my-vehicles/step/vehicle", {"vin": vehicles[0]["vin"]})
    assert ok.status_code == 302


def test_registry_down_leaves_the_field_for_the_person_to_type(
    vehicles_bus: Any, registry_fault: Any
) -> None:
    owner = _owner(vehicles_bus)
    registry_fault("gibdd", mode="down")
    publish(VEHICLES)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(owner)
    client.get("/forms/my-vehicles/")
    draft = Draft.objects.get(account=owner)
    assert draft.sources == {"vehicles": None}
    assert "first_plate" not in draft.locked
    page = client.get("/forms/my-vehicles/step/vehicle").content.decode()
    assert "Type the value yourself" in page
    assert (
        client.post("/forms/my-vehicles/step/vehicle", {"vin": "XTA21900012345678"}).status_code
        == 302
    )


# --- Routing and mapping ----------------------------------------------------------------------

ADDRESS_STEP = {
    "id": "address",
    "title": "Address",
    "fields": [
        {"name": "surname", "type": "text", "label": "Surname", "required": True},
        {"name": "home", "type": "address", "label": "Home address", "required": True},
        {"name": "phone", "type": "phone", "label": "Phone"},
    ],
}


def test_routing_by_region_municipality_and_fixed() -> None:
    by_region = doc(
        "r",
        ADDRESS_STEP,
        routing={
            "by": "region",
            "field": "home",
            "department": "zags",
            "fallback": "regional-zags",
        },
    )
    by_town = doc(
        "m",
        ADDRESS_STEP,
        routing={
            "by": "municipality",
            "field": "home",
            "department": "education",
            "fallback": "regional-education",
        },
    )
    fixed = doc("f", ADDRESS_STEP, routing={"department": "mvd-migration"})
    home = {"home": {"region": "50", "municipality": "50-001", "street": "Ленина", "house": "1"}}
    assert routing.department_for(by_region, home) == "r50-zags"
    assert routing.department_for(by_town, home) == "m50-001-education"
    assert routing.department_for(by_town, {"home": {"region": "50"}}) == "regional-education"
    assert routing.department_for(fixed, home) == "mvd-migration"


def test_mapping_builds_the_agency_payload_and_its_schema() -> None:
    document = doc(
        "mapped",
        ADDRESS_STEP,
        mapping={
            "applicant.surname": {"var": "surname"},
            "applicant.contacts.phone": {"var": "phone"},
            "address.region": {"var": "home.region"},
            "address.full": {"var": "home"},
            "channel": "portal",
        },
    )
    answers = {"surname": "Петров", "home": {"region": "77", "street": "Тверская", "house": "1"}}
    payload = routing.agency_payload(document, answers)
    assert payload == {
        "applicant": {"surname": "Петров"},
        "address": {"region": "77", "full": answers["home"]},
        "channel": "portal",
    }
    schema = agency_schema(document)
    validator = Draft202012Validator(schema)
    validator.validate(payload)
    assert "applicant" in schema["required"]
    assert schema["properties"]["applicant"]["required"] == ["surname"]
    assert not validator.is_valid({**payload, "applicant": {"surname": 5}})
    assert not validator.is_valid({"channel": "portal"})


def test_address_region_and_municipality_must_agree(signed_in: Client) -> None:
    publish(doc("addr", ADDRESS_STEP))
    signed_in.get("/forms/addr/")
    response = signed_in.post(
        "/forms/addr/step/address",
        {
            "surname": "Петров",
            "home__region": "77",
            "home__municipality": "50-001",
            "home__street": "Тверская",
            "home__house": "1",
        },
    )
    assert "not in the region you chose" in response.content.decode()
    response = signed_in.post(
        "/forms/addr/step/address",
        {"surname": "Петров", "home__region": "99", "home__street": "Тверская", "home__house": "1"},
    )
    assert "Select a valid choice" in response.content.decode()


# --- Versions: moving a draft --------------------------------------------------------------

V1 = doc(
    "moving",
    {
        "id": "about",
        "title": "About",
        "fields": [
            {"name": "surname", "type": "text", "label": "Surname", "required": True},
            {
                "name": "code",
                "type": "text",
                "label": "Code",
                "required": True,
                "pattern": "^[0-9]{4}$",
            },
        ],
    },
)


def test_draft_keeps_its_version_and_moves_with_what_to_re_enter(
    signed_in: Client, applicant: Account
) -> None:
    v1 = publish(V1)
    signed_in.get("/forms/moving/")
    signed_in.post("/forms/moving/step/about", {"surname": "Петрова", "code": "1234"})
    v2_doc = {
        **V1,
        "title": "Check v2",
        "steps": [
            {
                "id": "about",
                "title": "About",
                "fields": [
                    {"name": "surname", "type": "text", "label": "Surname", "required": True},
                    {
                        "name": "code",
                        "type": "text",
                        "label": "Code",
                        "required": True,
                        "pattern": "^[0-9]{6}$",
                    },
                    {"name": "email", "type": "email", "label": "Email", "required": True},
                ],
            }
        ],
    }
    v2 = publish(v2_doc)
    # The draft stays on v1 (now retired) and the person is offered the move.
    page = signed_in.get("/forms/moving/step/about").content.decode()
    assert "This form has been updated since you started." in page
    assert Draft.objects.get(account=applicant).version == v1
    response = signed_in.post("/forms/moving/move")
    assert response.status_code == 302
    draft = Draft.objects.get(account=applicant)
    assert draft.version == v2
    assert draft.data == {"surname": "Петрова"}
    page = signed_in.get(response["Location"]).content.decode()
    assert "Enter these again" in page
    assert "Code" in page
    assert "Email" in page


def test_operators_le_ge() -> None:
    from uslugi.forms.logic import evaluate

    assert evaluate({"<=": ["2027-01-01", "2027-01-01"]}, {}) is True
    assert evaluate({">=": [{"var": "a"}, 3]}, {"a": 2}) is False
    assert evaluate({">=": [{"var": "missing"}, 3]}, {}) is False


def test_conditions_in_words_use_the_choices_labels() -> None:
    from uslugi.forms.logic import describe

    rule = {"in": [{"var": "status"}, ["divorced", "widowed"]]}
    text = describe(
        rule,
        {"status": "Marital status"},
        choices={"status": {"divorced": "Divorced", "widowed": "Widowed", "single": "Never"}},
    )
    assert text == "«Marital status» in «Divorced», «Widowed»"
    assert (
        describe(
            {"==": [{"var": "c"}, "rus"]}, {"c": "Citizenship"}, choices={"c": {"rus": "Russia"}}
        )
        == "«Citizenship» == «Russia»"
    )
