"""The API answers every error as RFC 9457 problem details."""

from __future__ import annotations

import json

import pytest
from django.http import HttpRequest
from django.test import Client
from ninja import NinjaAPI, Schema
from ninja.testing import TestClient

from uslugi.core import problems
from uslugi.core.errors import Conflict, DomainError


class Thing(Schema):
    name: str
    count: int


class DuplicateThing(Conflict):
    code = "thing_duplicate"
    message = "A thing with this name exists."


def make_api() -> NinjaAPI:
    api = NinjaAPI(urls_namespace="problems-test")
    problems.install(api)

    @api.post("/things")
    def create(request: HttpRequest, payload: Thing) -> dict[str, str]:
        if payload.name == "dup":
            raise DuplicateThing(field="name")
        if payload.name == "crash":
            raise RuntimeError("secret internal detail")
        return {"ok": "yes"}

    return api


@pytest.fixture
def api_client() -> TestClient:
    return TestClient(make_api())


def test_validation_error_is_a_problem_with_field_errors(api_client: TestClient) -> None:
    response = api_client.post("/things", json={"name": "x", "count": "many"})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "urn:uslugi:problem:validation_failed"
    assert body["status"] == 422
    assert body["errors"][0]["field"].endswith("count")


def test_domain_error_keeps_its_stable_code(api_client: TestClient) -> None:
    response = api_client.post("/things", json={"name": "dup", "count": 1})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "thing_duplicate"
    assert body["errors"] == [
        {"field": "name", "code": "thing_duplicate", "message": "A thing with this name exists."}
    ]


def test_unexpected_error_is_a_500_problem_without_internals(api_client: TestClient) -> None:
    response = api_client.post("/things", json={"name": "crash", "count": 1})
    assert response.status_code == 500
    body = response.json()
    assert body["code"] == "internal_error"
    assert "secret" not in json.dumps(body)


def test_malformed_json_is_a_problem(api_client: TestClient) -> None:
    response = api_client.post("/things", data=b"{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.django_db
def test_unknown_api_path_is_a_problem(client: Client, settings: object) -> None:
    settings.DEBUG = False  # type: ignore[attr-defined]
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["request_id"] == response["X-Request-ID"]


@pytest.mark.django_db
def test_openapi_is_3_1(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    assert "/api/v1/ping" in schema["paths"]


def test_domain_error_message_params() -> None:
    class TooMany(DomainError):
        code = "too_many"
        message = "At most %(limit)s."

    err = TooMany(params={"limit": 3})
    assert err.text == "At most 3."
    assert err.status == 400
