from __future__ import annotations

import pytest
from django.test import Client

from uslugi.core.forms import add_domain_error


@pytest.mark.django_db
def test_healthz_and_readyz(client: Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "task_queue": "ok"}


@pytest.mark.django_db
def test_readyz_reports_database_down(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import connection

    def broken_cursor(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database is down")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unavailable"


@pytest.mark.django_db
def test_request_id_is_returned_and_a_good_incoming_one_kept(client: Client) -> None:
    generated = client.get("/healthz")["X-Request-ID"]
    assert len(generated) == 32
    kept = client.get("/healthz", headers={"X-Request-ID": "abc-123-def-456"})
    assert kept["X-Request-ID"] == "abc-123-def-456"
    replaced = client.get("/healthz", headers={"X-Request-ID": "<script>"})
    assert replaced["X-Request-ID"] != "<script>"


@pytest.mark.django_db
def test_metrics_count_requests_by_route(client: Client) -> None:
    client.get("/healthz")
    body = client.get("/metrics").content.decode()
    assert 'uslugi_http_requests_total{method="GET",route="/healthz",status="200"}' in body
    assert "uslugi_http_request_duration_seconds_bucket" in body
    assert "uslugi_task_queue_depth" in body


@pytest.mark.django_db
def test_metrics_token(client: Client, settings: object) -> None:
    settings.METRICS_TOKEN = "s3cret-token"  # type: ignore[attr-defined]
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    ok = client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
    assert ok.status_code == 200


def test_log_lines_redact_sensitive_keys() -> None:
    from uslugi.core.logging import REDACTED, redact_sensitive

    event = redact_sensitive(
        None, "info", {"event": "x", "snils": "112-233-445 95", "password": "p", "route": "/"}
    )
    assert event["snils"] == REDACTED
    assert event["password"] == REDACTED
    assert event["route"] == "/"


def test_domain_error_becomes_a_form_error() -> None:
    from django import forms

    from uslugi.core.errors import Conflict

    class F(forms.Form):
        phone = forms.CharField()

    form = F(data={"phone": "1"})
    form.is_valid()
    add_domain_error(form, Conflict("Taken.", field="phone"))
    add_domain_error(form, Conflict("General."))
    assert form.errors["phone"] == ["Taken."]
    assert form.non_field_errors() == ["General."]
