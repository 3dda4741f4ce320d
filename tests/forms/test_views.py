from __future__ import annotations

import pytest
from django.test import Client
from jsonschema import Draft202012Validator

from uslugi.forms.services import definitions_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded() -> None:
    definitions_load()


def test_spec_page_is_generated_from_the_version(client: Client, loaded: None) -> None:
    response = client.get("/forms/foreign-passport/spec")
    assert response.status_code == 200
    html = response.content.decode()
    for code in ("surname", "previous_passport_number", "employment", "organisation"):
        assert f"<code>{code}</code>" in html or f"↳ {code}</code>" in html
    assert "work_info" not in html  # info blocks are not payload
    assert "urn:uslugi:forms:foreign-passport:new-type:1" in html


def test_schema_endpoint(client: Client, loaded: None) -> None:
    response = client.get("/forms/gibdd-fines/schema.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/schema+json"
    Draft202012Validator.check_schema(response.json())
    assert set(response.json()["properties"]) == {"sts", "driver_licence", "include_paid"}


def test_unknown_code_or_version_is_404(client: Client, loaded: None) -> None:
    assert client.get("/forms/no-such-service/spec").status_code == 404
    assert client.get("/forms/foreign-passport/spec?version=9").status_code == 404
