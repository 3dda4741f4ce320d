"""The API answers every error as RFC 9457 problem details."""

from __future__ import annotations

import json

import pytest
from django.http import HttpRequest
from django.test import Client
from ninja import NinjaAPI, Schema
from ninja.testing import TestClient

from uslugi.core import problems
from uslugi.core.errors import Conflict, DomainError, NotFound


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
    # The title is the same for every occurrence: never a template with its holes showing.
    assert err.title == str(DomainError.message)

    class Missing(NotFound):
        message = "No thing %(name)s."

    assert Missing(params={"name": "x"}).title == str(NotFound.message)
    assert DuplicateThing().title == "A thing with this name exists."


@pytest.mark.django_db
def test_unreadable_body_is_a_400_problem(client: Client) -> None:
    """Multipart without a boundary fails when request.POST is first read (here by the
    agency API's OAuth check): a 400 problem, not a 500."""
    response = client.post(
        "/api/v1/agency/applications/lease",
        data=b"--x\r\n",
        content_type="multipart/form-data",
        HTTP_AUTHORIZATION="Bearer not-a-token",
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "bad_request"


def test_error_answers_are_documented_as_problem_details() -> None:
    api = problems.ProblemDetailsAPI(urls_namespace="problems-openapi-test")

    @api.get("/things/{name}", response={200: Thing, **problems.responses(404)})
    def read(request: HttpRequest, name: str) -> dict[str, str]:
        raise DuplicateThing

    answers = api.get_openapi_schema(path_prefix="")["paths"]["/things/{name}"]["get"]["responses"]
    assert set(answers[200]["content"]) == {"application/json"}
    assert set(answers[404]["content"]) == {"application/problem+json"}
    assert answers[404]["content"]["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"
    }
