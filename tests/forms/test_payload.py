from __future__ import annotations

import copy
import re
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from uslugi.forms.definitions import services_root
from uslugi.forms.payload import payload_schema


def _document(code: str, variant: str) -> dict[str, Any]:
    path = services_root() / code / f"{variant}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


SCHEMA = payload_schema(_document("foreign-passport", "new-type"), number=1)
VALIDATOR = Draft202012Validator(SCHEMA)

JOB = {"organisation": "ООО Ромашка", "position": "Инженер", "started_on": "2015-09-01"}
PAYLOAD: dict[str, Any] = {
    "surname": "Петров",
    "first_name": "Иван",
    "patronymic": "Сергеевич",
    "birth_date": "1988-04-30",
    "snils": "112-233-445 95",
    "phone": "+79161234567",
    "email": "ivan@example.org",
    "passport": {
        "series": "45 08",
        "number": "123456",
        "issued_on": "2008-05-20",
        "issued_by": "ОВД района Арбат г. Москвы",
        "division_code": "772-001",
    },
    "had_foreign_passport": True,
    "previous_passport_number": "75 1234567",
    "registration_address": {
        "region": "77",
        "street": "ул. Садовая",
        "house": "12",
        "flat": "5",
    },
    "employment": [JOB],
    "secret_access": False,
    "office": "mfc",
}


def test_schema_is_valid_2020_12() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "work_info" not in SCHEMA["properties"]  # info blocks carry no answer
    assert "previous_passport_number" not in SCHEMA["required"]  # conditional


def test_real_payload_validates() -> None:
    VALIDATOR.validate(PAYLOAD)


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda p: p.pop("surname"), "/"),
        (lambda p: p.update(office="embassy"), "/office"),
        (lambda p: p.update(snils="11223344595"), "/snils"),
        (lambda p: p.update(had_foreign_passport="yes"), "/had_foreign_passport"),
        (lambda p: p.update(unknown_field=1), "/"),
        (lambda p: p["passport"].pop("number"), "/passport"),
        (lambda p: p.update(employment=[]), "/employment"),
        (lambda p: p.update(employment=[JOB] * 21), "/employment"),
        (lambda p: p.update(birth_date="30.04.1988"), "/birth_date"),
    ],
)
def test_wrong_payload_rejected(change: Any, path: str) -> None:
    payload = copy.deepcopy(PAYLOAD)
    change(payload)
    errors = list(VALIDATOR.iter_errors(payload))
    assert errors
    assert any("/" + "/".join(str(p) for p in e.absolute_path) == path for e in errors)


@given(st.integers(min_value=0, max_value=30))
def test_group_limits(count: int) -> None:
    payload = {**PAYLOAD, "employment": [JOB] * count}
    assert VALIDATOR.is_valid(payload) == (1 <= count <= 20)


# Newlines left out: Python's `$` matches before a final newline, ECMA-262's does not.
@given(st.text(alphabet=st.characters(blacklist_characters="\n"), max_size=20))
def test_snils_pattern(text: str) -> None:
    payload = {**PAYLOAD, "snils": text}
    expected = re.fullmatch(r"[0-9]{3}-[0-9]{3}-[0-9]{3} [0-9]{2}", text) is not None
    assert VALIDATOR.is_valid(payload) == expected


@given(st.sampled_from(["mvd-office", "mfc"]), st.booleans(), st.booleans())
def test_generated_valid_payloads(office: str, had: bool, secret: bool) -> None:
    payload = {**PAYLOAD, "office": office, "had_foreign_passport": had, "secret_access": secret}
    assert VALIDATOR.is_valid(payload)


def test_information_service_schema() -> None:
    schema = payload_schema(_document("gibdd-fines", "by-documents"))
    validator = Draft202012Validator(schema)
    assert validator.is_valid({"sts": "99 31 123456"})
    assert not validator.is_valid({"sts": "nonsense"})
    assert schema["required"] == []
