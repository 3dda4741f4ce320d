"""The shipped service definitions under `services/`: they lint, speak Russian and
English, give valid examples, describe an agency payload and a routing, build exchange
requests the registries accept, and the information services answer on the sandbox
population."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from jsonschema import Draft202012Validator
from stdnum.ru import inn as stdnum_inn
from stdnum.ru import ogrn as stdnum_ogrn

from tests.factories.registries import SandboxPopulation
from uslugi.core import clock, validators
from uslugi.exchange import conf as exchange_conf
from uslugi.exchange import services as exchange_services
from uslugi.exchange.interfaces import get_message_type
from uslugi.forms.constants import NON_INPUT_TYPES, VersionStatus
from uslugi.forms.definitions import check_all, localize, services_root
from uslugi.forms.engine import relative_date
from uslugi.forms.logic import evaluate, truthy
from uslugi.forms.models import Draft
from uslugi.forms.payload import payload_schema
from uslugi.forms.selectors import version_current
from uslugi.forms.services import definitions_load, draft_start, information_request
from uslugi.identity.constants import Citizenship, DocumentType, Gender, Level
from uslugi.identity.models import Account, PersonalData
from uslugi.registries.population.generator import PersonRecord

# code -> variant of every definition that must ship (the issue's list).
REQUIRED = {
    "foreign-passport": "new-type",
    "gibdd-fines": "by-documents",
    "residence-registration": "by-application",
    "vehicle-registration": "registration-actions",
    "kindergarten-enrollment": "queue",
    "marriage-registration": "joint-application",
    "tax-debts": "by-inn",
    "pension-account-statement": "electronic",
    "egrul-extract": "by-number",
}
# Relative date bounds are checked as of the day the examples were written: a fixed
# day keeps this test deterministic (a real "today" would move under the examples).
EXAMPLES_AS_OF = dt.date(2026, 11, 25)
TEXT_KEYS = ("title", "description", "note", "label", "hint", "text", "message")
CYRILLIC = re.compile("[А-Яа-яЁё]")
LATIN = re.compile("[A-Za-z]")
PHONE = re.compile(r"^\+7[0-9]{10}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SHA256 = re.compile("^[0-9a-f]{64}$")
DEPARTMENTS = yaml.safe_load(
    (Path(settings.BASE_DIR) / "src/uslugi/catalog/data/departments.yaml").read_text("utf-8")
)
REGIONS = {
    row[0]
    for row in yaml.safe_load(
        (Path(settings.BASE_DIR) / "src/uslugi/catalog/data/regions.yaml").read_text("utf-8")
    )["regions"]
}


def _codes(section: str) -> set[str]:
    return {row[0] for row in DEPARTMENTS[section]}


def _load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return document


SHIPPED = {p.parent.name: _load(p) for p in sorted(services_root().glob("*/*.yaml"))}
CODES = sorted(SHIPPED)
APPLICATIONS = sorted(c for c, d in SHIPPED.items() if d["kind"] == "application")
INFORMATION = sorted(c for c, d in SHIPPED.items() if d["kind"] == "information")


def _inputs(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in fields if f["type"] not in NON_INPUT_TYPES]


def _top_fields(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for step in document["steps"] for f in _inputs(step["fields"])]


def _example(field: dict[str, Any]) -> Any:
    if field["type"] == "group" and "example" not in field:
        return [{f["name"]: f["example"] for f in _inputs(field["fields"]) if "example" in f}]
    return field["example"]


def example_payload(document: dict[str, Any]) -> dict[str, Any]:
    """Every answer of a definition taken from its fields' examples."""
    return {f["name"]: _example(f) for f in _top_fields(document)}


def _texts(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(path, value) of every text of a definition, wherever it is."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _texts(item, f"{path}/{index}")
    elif isinstance(node, dict):
        for key, value in node.items():
            if key in TEXT_KEYS and not path.endswith("/options_from"):
                yield f"{path}/{key}", value
            elif key not in {"visible_if", "required_if", "rule", "request", "mapping", "example"}:
                yield from _texts(value, f"{path}/{key}")


def _vars(rule: Any) -> Iterator[str]:
    if isinstance(rule, list):
        for item in rule:
            yield from _vars(item)
    elif isinstance(rule, dict):
        for op, args in rule.items():
            if op == "var":
                yield args if isinstance(args, str) else args[0]
            else:
                yield from _vars(args)


# --- Lint and texts ------------------------------------------------------------------------


def test_every_shipped_definition_passes_the_lint() -> None:
    good, problems = check_all()
    assert [str(p) for p in problems] == []
    assert len(good) >= len(REQUIRED)
    found = {d.document["code"]: d.document["variant"] for d in good}
    assert found.items() >= REQUIRED.items()
    assert all(d.file.startswith("services/") for d in good)


def test_forms_check_command_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("forms", "check")
    assert f"{len(SHIPPED)} definition(s) valid" in capsys.readouterr().out


@pytest.mark.parametrize("code", CODES)
def test_every_text_in_russian_and_english(code: str) -> None:
    texts = list(_texts(SHIPPED[code]))
    assert len(texts) > 5
    for path, text in texts:
        assert isinstance(text, dict), f"{path} is not {{ru, en}}"
        assert set(text) == {"ru", "en"}, path
        ru, en = text["ru"].strip(), text["en"].strip()
        assert ru, path
        assert en, path
        if LATIN.search(en) or CYRILLIC.search(ru):  # "10:00" is the same in both
            assert CYRILLIC.search(ru), f"{path}: Russian text without Russian letters"
            assert LATIN.search(en), f"{path}: English text without English letters"
    localized = localize(SHIPPED[code], "en")
    assert isinstance(localized["title"], str)
    assert all(isinstance(s["title"], str) for s in localized["steps"])


# --- Examples ------------------------------------------------------------------------------


def _date_in_range(field: dict[str, Any], value: str) -> None:
    day = dt.date.fromisoformat(value)
    if "min_date" in field:
        assert day >= relative_date(field["min_date"], EXAMPLES_AS_OF), field["name"]
    if "max_date" in field:
        assert day <= relative_date(field["max_date"], EXAMPLES_AS_OF), field["name"]


def _check_example(field: dict[str, Any], value: Any) -> None:  # noqa: PLR0912 - a branch per type
    kind, name = field["type"], field["name"]
    if kind in {"text", "textarea"}:
        assert isinstance(value, str), name
        assert field.get("min_length", 0) <= len(value) <= field.get("max_length", 10**6), name
        if "pattern" in field:
            assert re.search(field["pattern"], value), f"{name}: {value!r}"
    elif kind == "number":
        assert isinstance(value, (int, float)), name
        assert field.get("min", value) <= value <= field.get("max", value), name
    elif kind == "money":
        assert Decimal(value) >= 0, name
    elif kind == "date":
        _date_in_range(field, value)
    elif kind in {"select", "radio"}:
        if "options" in field:
            assert value in {o["value"] for o in field["options"]}, name
        else:
            assert isinstance(value, str), name
            assert value, name
    elif kind == "checkbox":
        assert set(value) <= {o["value"] for o in field["options"]}, name
    elif kind == "yesno":
        assert isinstance(value, bool), name
    elif kind == "phone":
        assert PHONE.match(value), name
    elif kind == "email":
        assert EMAIL.match(value), name
    elif kind == "snils":
        validators.validate_snils(value)
    elif kind == "inn":
        validators.validate_inn(value)
    elif kind == "passport":
        validators.validate_passport_series_number(f"{value['series']} {value['number']}")
        validators.validate_division_code(value["division_code"])
        assert dt.date.fromisoformat(value["issued_on"]) <= EXAMPLES_AS_OF, name
        assert value["issued_by"], name
    elif kind == "address":
        assert value["region"] in REGIONS, name
        assert value.get("municipality", value["region"] + "-").startswith(value["region"] + "-")
        assert value["street"], name
        assert value["house"], name
    elif kind == "file":
        assert 1 <= len(value) <= field.get("max_files", 1), name
        for item in value:
            assert item["content_type"] in field["accept"], name
            assert 0 < item["size"] <= field["max_size_kb"] * 1024, name
            assert SHA256.match(item["sha256"]), name
    elif kind == "office":  # an office of the field's department in the loaded catalogue
        region, department = value.split(":", 1)
        assert region in REGIONS, name
        assert department == field["department"], name
    elif kind == "group":
        assert field.get("min_items", 0) <= len(value) <= field.get("max_items", len(value))
        subs = {f["name"]: f for f in _inputs(field["fields"])}
        for row in value:
            for sub_name, sub_value in row.items():
                _check_example(subs[sub_name], sub_value)
    else:  # pragma: no cover - the format admits no other type
        pytest.fail(f"unexpected field type {kind}")


@pytest.mark.parametrize("code", CODES)
def test_every_input_field_has_a_valid_example(code: str) -> None:
    for field in _top_fields(SHIPPED[code]):
        if field["type"] == "group":
            for sub in _inputs(field["fields"]):
                assert "example" in sub, f"{field['name']}.{sub['name']} has no example"
        else:
            assert "example" in field, f"{field['name']} has no example"
        try:
            _check_example(field, _example(field))
        except ValidationError as exc:  # the validators of snils, inn, passport
            pytest.fail(f"{field['name']}: {exc.messages}")


@pytest.mark.parametrize("code", CODES)
def test_checks_hold_on_the_examples_and_on_empty_answers(code: str) -> None:
    document = SHIPPED[code]
    answers = example_payload(document)
    checks = 0
    for step in document["steps"]:
        for check in step.get("checks", []):
            checks += 1
            assert truthy(check["rule"], answers), check["message"]["en"]
            assert truthy(check["rule"], {}), check["message"]["en"]
        for field in step["fields"]:
            for check in field.get("checks", []):
                checks += 1
                for row in answers[field["name"]]:
                    assert truthy(check["rule"], {**answers, **row}), check["message"]["en"]
                    assert truthy(check["rule"], {}), check["message"]["en"]
    if document["kind"] == "application":
        assert checks, "an application definition checks at least one cross-field rule"


def _rule_of(code: str, message_start: str) -> Any:
    for step in SHIPPED[code]["steps"]:
        for check in step.get("checks", []) + [
            c for f in step["fields"] for c in f.get("checks", [])
        ]:
            if check["message"]["en"].startswith(message_start):
                return check["rule"]
    pytest.fail(f"no check starting {message_start!r} in {code}")


def test_marriage_refuses_the_same_passport_twice() -> None:
    answers = example_payload(SHIPPED["marriage-registration"])
    rule = _rule_of("marriage-registration", "This is the same passport")
    assert truthy(rule, answers)
    same = {**answers, "partner_passport": dict(answers["applicant_passport"])}
    assert not truthy(rule, same)
    other_number = {**same, "partner_passport": {**same["partner_passport"], "number": "000001"}}
    assert truthy(rule, other_number)


def test_kindergarten_row_checks_catch_wrong_dates() -> None:
    answers = example_payload(SHIPPED["kindergarten-enrollment"])
    child = answers["children"][0]
    certificate = _rule_of("kindergarten-enrollment", "The birth certificate cannot")
    assert not truthy(certificate, {**child, "certificate_issued_on": "2020-01-01"})
    start = _rule_of("kindergarten-enrollment", "The date you want the child to start")
    assert not truthy(start, {**answers, **child, "desired_date": "2023-09-01"})


def test_vehicle_handover_not_before_the_contract() -> None:
    rule = _rule_of("vehicle-registration", "The vehicle cannot have been handed over")
    assert not truthy(rule, {"contract_date": "2026-11-15", "handed_over_on": "2026-11-14"})
    assert truthy(rule, {"contract_date": "2026-11-15", "handed_over_on": "2026-11-15"})


def test_residence_previous_address_differs_from_the_new_one() -> None:
    answers = example_payload(SHIPPED["residence-registration"])
    rule = _rule_of("residence-registration", "The previous address is the same")
    assert not truthy(rule, {**answers, "previous_address": dict(answers["new_address"])})


# --- Payload schema, mapping and routing ---------------------------------------------------


@pytest.mark.parametrize("code", CODES)
def test_payload_schema_accepts_the_example_payload(code: str) -> None:
    # Depends on the engine for vehicle-registration: a select with `options_from` only.
    document = localize(SHIPPED[code], "ru")
    schema = payload_schema(document, number=1)
    Draft202012Validator.check_schema(schema)
    payload = example_payload(SHIPPED[code])
    errors = sorted(Draft202012Validator(schema).iter_errors(payload), key=str)
    assert [f"{list(e.absolute_path)}: {e.message}" for e in errors] == []
    assert set(payload) == set(schema["properties"])


# The vehicles registry's answer the vehicle form's `options_from` chooses from.
EXAMPLE_SOURCES = {
    "vehicles": {
        "vehicles": [
            {
                "vin": "XTA21900012345678",
                "plate": "А123ВС77",
                "sts": "9931123456",
                "make": "LADA",
                "model": "VESTA",
                "year": 2019,
                "colour": "белый",
                "category": "B",
                "registered_on": "2019-07-12",
            }
        ]
    }
}


def _engine_problems(document: dict[str, Any], answers: dict[str, Any]) -> list[Any]:
    from uslugi.forms.engine import validate_answers

    at = dt.datetime.combine(EXAMPLES_AS_OF, dt.time(12), tzinfo=dt.UTC)
    with clock.frozen(at):
        return validate_answers(
            localize(document, "en"), answers, locked={}, sources=EXAMPLE_SOURCES
        )


@pytest.mark.django_db
@pytest.mark.parametrize("code", CODES)
def test_the_engine_accepts_the_examples_on_every_step(code: str) -> None:
    # A walker's view: every visible step, posted with the examples, validates (uses the
    # lead's engine.validate_answers, the same forms that validate the browser's posts).
    assert _engine_problems(SHIPPED[code], example_payload(SHIPPED[code])) == []


@pytest.mark.django_db
def test_the_engine_accepts_the_vehicle_change_path() -> None:
    answers = {**example_payload(SHIPPED["vehicle-registration"]), "action": "change_details"}
    assert _engine_problems(SHIPPED["vehicle-registration"], answers) == []
    answers["own_vehicle"] = "XTA21900099999999"  # not one of the person's vehicles
    problems = _engine_problems(SHIPPED["vehicle-registration"], answers)
    assert [(step, control) for step, control, _message in problems] == [
        ("my_vehicle", "own_vehicle")
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "change", "step", "control"),
    [
        ("vehicle-registration", {"vin": "XTA2190001234567O"}, "vehicle", "vin"),
        ("vehicle-registration", {"handed_over_on": "2026-11-14"}, "documents", "handed_over_on"),
        ("egrul-extract", {"ogrn": "", "inn": ""}, "organisation", "ogrn"),
        ("tax-debts", {"inn": "772012345671"}, "taxpayer", "inn"),
        ("marriage-registration", {"desired_date": "2026-12-01"}, "ceremony", "desired_date"),
        ("residence-registration", {"arrived_on": "2019-01-01"}, "right_to_live", "basis_doc"),
    ],
)
def test_the_engine_refuses_wrong_answers(
    code: str, change: dict[str, Any], step: str, control: str
) -> None:
    answers = {k: v for k, v in {**example_payload(SHIPPED[code]), **change}.items() if v != ""}
    problems = _engine_problems(SHIPPED[code], answers)
    assert (step, control) in {(s, c[: len(control)]) for s, c, _message in problems}


@pytest.mark.django_db
@pytest.mark.parametrize("given", ["ogrn", "inn"])
def test_egrul_takes_either_number_alone(given: str) -> None:
    answers = {given: example_payload(SHIPPED["egrul-extract"])[given]}
    assert _engine_problems(SHIPPED["egrul-extract"], answers) == []


@pytest.mark.django_db
def test_the_engine_refuses_the_same_passport_twice() -> None:
    answers = example_payload(SHIPPED["marriage-registration"])
    answers["partner_passport"] = dict(answers["applicant_passport"])
    problems = _engine_problems(SHIPPED["marriage-registration"], answers)
    assert [(step, control[:16]) for step, control, _message in problems] == [
        ("second", "partner_passport")
    ]


@pytest.mark.parametrize("code", APPLICATIONS)
def test_mapping_covers_every_answer(code: str) -> None:
    document = SHIPPED[code]
    mapping = document["mapping"]
    mapped = {name.split(".")[0] for rule in mapping.values() for name in _vars(rule)}
    answers = {f["name"] for f in _top_fields(document)}
    assert answers - mapped == set(), "answers the agency would never receive"
    assert mapped <= answers
    payload = example_payload(document)
    built = {target: evaluate(rule, payload) for target, rule in mapping.items()}
    assert all(value is not None for value in built.values())
    # Agency-style names: nested, and no two targets where one is inside the other.
    targets = sorted(mapping)
    assert any("." in t for t in targets)
    nested = [(a, b) for a in targets for b in targets if b.startswith(a + ".")]
    assert nested == [], "a target inside another one"


@pytest.mark.parametrize("code", APPLICATIONS)
def test_routing_names_known_departments(code: str) -> None:
    routing = SHIPPED[code]["routing"]
    if "by" not in routing:
        assert routing["department"] in _codes("federal")
        return
    per = "per_region" if routing["by"] == "region" else "per_municipality"
    assert routing["department"] in _codes(per)
    assert routing["fallback"] in _codes("typical_regional") | _codes("typical_municipal")
    address = next(f for f in _top_fields(SHIPPED[code]) if f["name"] == routing["field"])
    assert address["type"] == "address"
    assert address.get("required") is True  # every application can be routed
    example = address["example"]
    code_part = example["region"] if routing["by"] == "region" else example["municipality"]
    assert re.fullmatch(r"[0-9]{2}(-[0-9]{3})?", code_part)


def test_expected_routing_of_each_application() -> None:
    assert SHIPPED["residence-registration"]["routing"] == {
        "department": "mvd-migration",
        "office": "registration_office",
    }
    assert SHIPPED["vehicle-registration"]["routing"] == {"department": "mvd-gibdd"}
    assert SHIPPED["kindergarten-enrollment"]["routing"] == {
        "by": "municipality",
        "field": "address",
        "department": "education",
        "fallback": "regional-education",
    }
    assert SHIPPED["marriage-registration"]["routing"] == {
        "by": "region",
        "field": "applicant_address",
        "department": "zags",
        "fallback": "regional-zags",
    }
    assert SHIPPED["marriage-registration"]["fee"]["amount"] == "350.00"


@pytest.mark.django_db
def test_examples_route_to_departments_of_the_catalogue() -> None:
    # Uses forms.routing (the lead's engine) and the catalogue's reference departments.
    from uslugi.catalog.models import Department
    from uslugi.catalog.reference import load_reference
    from uslugi.forms.routing import department_for

    load_reference()
    routed = {}
    for code in APPLICATIONS:
        answers = example_payload(SHIPPED[code])
        routed[code] = department_for(SHIPPED[code], answers)
        assert Department.objects.filter(code=routed[code]).exists(), routed[code]
        routing = SHIPPED[code]["routing"]
        if "by" in routing:
            part = "region" if routing["by"] == "region" else "municipality"
            without = {**answers, routing["field"]: {**answers[routing["field"]], part: ""}}
            fallback = department_for(SHIPPED[code], without)
            assert fallback == routing["fallback"]
            assert Department.objects.filter(code=fallback).exists()
    assert routed["kindergarten-enrollment"] == "m16-001-education"
    assert routed["marriage-registration"] == "r77-zags"
    assert routed["residence-registration"] == "mvd-migration"
    assert routed["vehicle-registration"] == "mvd-gibdd"
    # The office an example chooses is an office of the routed department.
    from uslugi.catalog.models import Office
    from uslugi.forms.routing import office_for

    for code in APPLICATIONS:
        chosen = office_for(SHIPPED[code], example_payload(SHIPPED[code]))
        if chosen:
            office = Office.objects.select_related("department").get(code=chosen)
            assert office.department is not None
            assert office.department.code == routed[code]
    assert office_for(SHIPPED["residence-registration"], example_payload(
        SHIPPED["residence-registration"])) == "77:mvd-migration"  # fmt: skip


@pytest.mark.parametrize("code", APPLICATIONS)
def test_agency_payload_of_the_examples_is_nested(code: str) -> None:
    # Uses forms.routing.agency_payload (the lead's engine).
    from uslugi.forms.routing import agency_payload

    answers = example_payload(SHIPPED[code])
    payload = agency_payload(SHIPPED[code], answers)
    flat_names = {f["name"] for f in _top_fields(SHIPPED[code])}
    assert not (set(payload) & flat_names - {"children", "action"})  # agency names, not ours
    leaves = []

    def walk(node: Any) -> None:
        if isinstance(node, dict) and not ({"series", "region", "sha256"} & set(node)):
            for value in node.values():
                walk(value)
        else:
            leaves.append(node)

    walk(payload)
    assert len(leaves) == len(SHIPPED[code]["mapping"])


def test_file_fields_take_scans_or_photos_up_to_five_megabytes() -> None:
    files = [f for code in APPLICATIONS for f in _top_fields(SHIPPED[code]) if f["type"] == "file"]
    assert len(files) >= 4
    for field in files:
        assert set(field["accept"]) <= {"application/pdf", "image/jpeg", "image/png"}
        assert "image/jpeg" in field["accept"]
        assert field["max_size_kb"] <= 5120
        assert field["max_files"] >= 1


# --- Exchange requests against the registries' message schemas -----------------------------

# What `profile.*` holds for a verified person (see forms/prefill.py).
PROFILE = {
    "surname": "Петров",
    "first_name": "Иван",
    "patronymic": "Сергеевич",
    "phone": "+79161234567",
    "email": "ivan@example.org",
    "birth_date": "1988-04-30",
    "snils": "112-233-445 95",
    "passport": {
        "series": "45 08",
        "number": "123456",
        "issued_on": "2008-05-20",
        "issued_by": "ОВД района Арбат г. Москвы",
        "division_code": "770-001",
    },
}


def _request(spec: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value
        for key, rule in spec["request"].items()
        if (value := evaluate(rule, data)) not in (None, "")
    }


def _message_schema(type_key: str, part: str) -> dict[str, Any]:
    message_type = get_message_type(type_key)
    assert message_type is not None, f"no message type {type_key}"
    return message_type.request_schema if part == "request" else message_type.response_schema


@pytest.mark.parametrize("code", INFORMATION)
def test_information_request_from_examples_fits_the_message_type(code: str) -> None:
    spec = SHIPPED[code]["exchange"]
    request = _request(spec, example_payload(SHIPPED[code]))
    Draft202012Validator(_message_schema(spec["type"], "request")).validate(request)


def test_egrul_request_with_one_number_only_fits() -> None:
    spec = SHIPPED["egrul-extract"]["exchange"]
    schema = _message_schema(spec["type"], "request")
    for only in ({"ogrn": "1027700132195"}, {"inn": "7707083893"}):
        Draft202012Validator(schema).validate(_request(spec, only))


@pytest.mark.parametrize("code", [c for c in CODES if SHIPPED[c].get("prefill_sources")])
def test_prefill_sources_fit_their_message_types(code: str) -> None:
    document = SHIPPED[code]
    for name, source in document["prefill_sources"].items():
        request = _request(source, {"profile": PROFILE})
        Draft202012Validator(_message_schema(source["type"], "request")).validate(request)
        response = _message_schema(source["type"], "response")
        for field in _top_fields(document):
            prefill = field.get("prefill", "")
            if prefill.startswith(f"exchange.{name}."):
                key = prefill.split(".", 2)[2].split(".")[0]
                assert key in response["properties"], prefill
            choices = field.get("options_from")
            if choices and choices["source"] == name:
                items = response["properties"][choices["items"]]["items"]["properties"]
                assert choices["value"] in items
                assert set(choices["label"]) <= set(items)


def test_tax_debts_inn_prefilled_from_the_tax_service_and_editable() -> None:
    document = SHIPPED["tax-debts"]
    inn = next(f for f in _top_fields(document) if f["name"] == "inn")
    assert inn["prefill"] == "exchange.inn.inn"
    assert not inn.get("locked")
    assert document["prefill_sources"]["inn"]["type"] == "fns.inn-by-passport/1"


def test_pension_statement_identity_locked_from_the_profile() -> None:
    fields = {f["name"]: f for f in _top_fields(SHIPPED["pension-account-statement"])}
    for name in ("snils", "surname", "first_name", "birth_date"):
        assert fields[name]["prefill"] == f"profile.{name}"
        assert fields[name]["locked"] is True


# --- Loading, publishing and answering on the sandbox population ---------------------------


@pytest.mark.django_db
def test_every_definition_loads_and_publishes() -> None:
    report = definitions_load(publish=True)
    assert report.problems == []
    assert len(report.created) == len(SHIPPED)
    for code in CODES:
        version = version_current(code=code)
        assert version.status == VersionStatus.PUBLISHED
        assert version.document == SHIPPED[code]


INFORMATION_TYPES = (
    "fns.tax-debts/1",
    "fns.inn-by-passport/1",
    "pfr.pension-statement/1",
    "egrul.extract/1",
    "gibdd.vehicles-by-owner/1",
)


@pytest.fixture
def information_bus(sandbox_population: SandboxPopulation) -> SandboxPopulation:
    """Shipped definitions published; the portal may ask every registry they use."""
    exchange_services.providers_ensure()
    for type_key in INFORMATION_TYPES:
        exchange_services.access_grant(consumer=exchange_conf.portal_system(), type_key=type_key)
    definitions_load(publish=True)
    return sandbox_population


def _citizen(person: PersonRecord) -> Account:
    """A standard account whose verified personal data is the sandbox person's."""
    passport = person.current_passport
    assert passport is not None
    account = Account(
        phone=f"+7916{person.seq:07d}",
        email=f"person{person.seq}@example.ru",
        surname=person.surname,
        first_name=person.first_name,
        patronymic=person.patronymic,
        level=Level.STANDARD,
    )
    account.set_unusable_password()
    account.save()
    PersonalData.objects.create(
        account=account,
        birth_date=person.birth_date,
        gender=Gender.FEMALE if person.gender == "female" else Gender.MALE,
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


def _draft(code: str, person: PersonRecord, answers: dict[str, Any] | None = None) -> Draft:
    draft = draft_start(account=_citizen(person), version=version_current(code=code))
    if answers is not None:
        draft.data = {**draft.data, **answers}
        draft.save(update_fields=["data"])
    return draft


def _with_passport(population: SandboxPopulation, extra: Any = None) -> PersonRecord:
    return population.find(
        lambda p: (
            p.current_passport is not None
            and p.current_passport.status == "valid"
            and (extra is None or extra(p))
        )
    )


@pytest.mark.django_db
def test_tax_debts_answer_for_a_sandbox_taxpayer(information_bus: SandboxPopulation) -> None:
    person = _with_passport(information_bus, lambda p: p.tax_debts)
    result = information_request(draft=_draft("tax-debts", person, {"inn": person.inn}))
    assert result.status == "ok", result.error_code
    assert result.response is not None
    assert result.response["inn"] == person.inn
    expected = sum((d.amount + d.penalty for d in person.tax_debts), Decimal(0))
    assert Decimal(result.response["total"]) == expected
    assert len(result.response["debts"]) == len(person.tax_debts)


def _unknown_inn(population: SandboxPopulation) -> str:
    """A valid personal INN that no sandbox taxpayer has."""
    known = {p.inn for p in population.persons}
    for n in range(100):
        base = f"{9909000000 + n:010d}"
        inn = base + stdnum_inn.calc_personal_check_digits(base)
        if inn not in known:
            return inn
    pytest.fail("no unknown INN found")


def _unknown_ogrn(population: SandboxPopulation) -> str:
    """A valid OGRN that no sandbox organisation has."""
    known = {p.organisation.ogrn for p in population.persons if p.organisation}
    for n in range(100):
        base = f"{199090000000 + n:012d}"
        ogrn = base + stdnum_ogrn.calc_check_digit(base + "0")  # takes the full length
        if ogrn not in known:
            return ogrn
    pytest.fail("no unknown OGRN found")


@pytest.mark.django_db
def test_tax_debts_unknown_inn_is_not_found(information_bus: SandboxPopulation) -> None:
    person = _with_passport(information_bus)
    draft = _draft("tax-debts", person, {"inn": _unknown_inn(information_bus)})
    result = information_request(draft=draft)
    assert (result.status, result.error_code) == ("error", "not_found")


@pytest.mark.django_db
def test_pension_statement_for_the_signed_in_person(information_bus: SandboxPopulation) -> None:
    person = _with_passport(information_bus, lambda p: p.pension and p.pension.get("years"))
    draft = _draft("pension-account-statement", person)
    # Prefilled and locked from the verified profile: the person asks for their own account.
    assert draft.locked["snils"] == validators.format_snils(person.snils)
    assert draft.locked["surname"] == person.surname
    assert draft.locked["birth_date"] == person.birth_date.isoformat()
    result = information_request(draft=draft)
    assert result.status == "ok", result.error_code
    assert result.response is not None
    assert result.response["snils"] == validators.format_snils(person.snils)
    assert result.response["years"]


@pytest.mark.django_db
def test_pension_statement_of_a_mistyped_snils_is_refused(
    information_bus: SandboxPopulation,
) -> None:
    person = _with_passport(information_bus, lambda p: p.pension)
    other = next(p for p in information_bus.persons if p.snils != person.snils)
    draft = _draft("pension-account-statement", person, {"snils": other.snils})
    result = information_request(draft=draft)
    assert (result.status, result.error_code) == ("error", "mismatch")


@pytest.mark.django_db
@pytest.mark.parametrize("by", ["ogrn", "inn", "both"])
def test_egrul_extract_of_a_sandbox_organisation(
    information_bus: SandboxPopulation, by: str
) -> None:
    owner = information_bus.find(lambda p: p.organisation is not None)
    organisation = owner.organisation
    assert organisation is not None
    answers = {
        "ogrn": {"ogrn": organisation.ogrn},
        "inn": {"inn": organisation.inn},
        "both": {"ogrn": organisation.ogrn, "inn": organisation.inn},
    }[by]
    result = information_request(
        draft=_draft("egrul-extract", _with_passport(information_bus), answers)
    )
    assert result.status == "ok", result.error_code
    assert result.response is not None
    assert (result.response["ogrn"], result.response["inn"]) == (
        organisation.ogrn,
        organisation.inn,
    )
    assert result.response["full_name"] == organisation.full_name


@pytest.mark.django_db
def test_egrul_unknown_ogrn_is_not_found(information_bus: SandboxPopulation) -> None:
    answers = {"ogrn": _unknown_ogrn(information_bus)}
    draft = _draft("egrul-extract", _with_passport(information_bus), answers)
    result = information_request(draft=draft)
    assert (result.status, result.error_code) == ("error", "not_found")


# --- Engine-dependent: exchange prefill when a draft starts (being built) -------------------


@pytest.mark.django_db
def test_tax_debts_draft_starts_with_the_inn_from_the_tax_service(
    information_bus: SandboxPopulation,
) -> None:
    person = _with_passport(information_bus, lambda p: p.tax_debts)
    draft = _draft("tax-debts", person)
    assert draft.data.get("inn") == person.inn
    assert "inn" not in draft.locked  # editable: another INN may be checked


@pytest.mark.django_db
def test_vehicle_change_offers_the_owners_vehicles(
    client: Client, information_bus: SandboxPopulation
) -> None:
    person = _with_passport(information_bus, lambda p: p.vehicles)
    client.force_login(_citizen(person))
    base = "/forms/vehicle-registration"
    assert client.get(f"{base}/")["Location"] == f"{base}/step/action"
    client.post(f"{base}/step/action", {"action": "change_details"})
    page = client.get(f"{base}/step/my_vehicle").content.decode()
    for vehicle in person.vehicles:
        assert f'value="{vehicle.vin}"' in page
        assert f"{vehicle.make} {vehicle.model} {vehicle.plate}" in page


@pytest.mark.django_db
@pytest.mark.parametrize("code", CODES)
def test_spec_and_schema_pages_in_both_languages(code: str) -> None:
    definitions_load(publish=True)
    for language in ("ru", "en"):
        browser = Client(HTTP_ACCEPT_LANGUAGE=language)
        page = browser.get(f"/forms/{code}/spec")
        assert page.status_code == 200
        assert SHIPPED[code]["title"][language] in page.content.decode()
    schema = Client().get(f"/forms/{code}/schema.json")
    assert schema.status_code == 200
    Draft202012Validator(schema.json()).validate(example_payload(SHIPPED[code]))
