"""The SMS gateway and postal-service plugin modules, and the development pages."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from tests.identity.conftest import make_account
from uslugi.identity.delivery import queue_sms, seal, unseal
from uslugi.identity.models import SmsMessage
from uslugi.identity.sms import SmsError, SmsGateway, gateway, register

pytestmark = pytest.mark.django_db


class Recorder(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []
    status = 200

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        Recorder.received.append(
            {"auth": self.headers.get("Authorization"), "body": json.loads(self.rfile.read(length))}
        )
        self.send_response(Recorder.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"id": "msg-1"}')

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def sms_server() -> Iterator[str]:
    """A loopback HTTP server standing in for an SMS provider."""
    Recorder.received, Recorder.status = [], 200
    server = HTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/send"
    server.shutdown()
    server.server_close()


def test_outbox_gateway_keeps_messages_for_the_development_page(client: Client) -> None:
    queue_sms(phone="+79161234567", text="Uslugi: your code is 123456.")
    assert [str(m.text) for m in SmsMessage.objects.all()] == ["Uslugi: your code is 123456."]
    page = client.get("/dev/sms-outbox/").content.decode()
    assert "your code is 123456" in page


def test_http_gateway_posts_with_the_token(settings: Any, sms_server: str) -> None:
    settings.SMS_GATEWAY = "http"
    settings.SMS_GATEWAY_URL = sms_server
    settings.SMS_GATEWAY_TOKEN = "secret-token"
    assert gateway().send(phone="+79161234567", text="hello") == "msg-1"
    assert Recorder.received == [
        {"auth": "Bearer secret-token", "body": {"to": "+79161234567", "text": "hello"}}
    ]
    assert not SmsMessage.objects.exists()


def test_http_gateway_failure_names_no_phone_or_text(settings: Any, sms_server: str) -> None:
    settings.SMS_GATEWAY = "http"
    settings.SMS_GATEWAY_URL = sms_server
    Recorder.status = 503
    with pytest.raises(SmsError) as error:
        gateway().send(phone="+79161234567", text="code 123456")
    assert "503" in str(error.value)
    assert "123456" not in str(error.value)
    assert "7916" not in str(error.value)


def test_unknown_gateway_is_a_configuration_error(settings: Any) -> None:
    settings.SMS_GATEWAY = "pigeon"
    with pytest.raises(ImproperlyConfigured, match="SMS_GATEWAY='pigeon'"):
        gateway()


def test_a_plugin_can_be_registered(settings: Any) -> None:
    sent: list[str] = []

    class Demo(SmsGateway):
        def send(self, *, phone: str, text: str) -> str:
            sent.append(text)
            return "1"

    restore = register.replace("demo", Demo)
    try:
        settings.SMS_GATEWAY = "demo"
        queue_sms(phone="+79161234567", text="hi")
    finally:
        restore()
    assert sent == ["hi"]


def test_development_plugins_are_flagged_in_production(settings: Any) -> None:
    settings.PRODUCTION = True
    ids = {m.id for m in run_checks(tags=["identity"])}
    assert "identity.W001" in ids


def test_development_pages_do_not_exist_in_production(client: Client, settings: Any) -> None:
    settings.PRODUCTION = True
    assert client.get("/dev/sms-outbox/").status_code == 404
    assert client.get("/dev/post-outbox/").status_code == 404


def test_task_arguments_are_sealed() -> None:
    token = seal({"phone": "+79161234567", "text": "code 123456"})
    assert "123456" not in token
    assert "7916" not in token
    assert unseal(token)["text"] == "code 123456"


def test_no_personal_data_in_logs(client: Client, caplog: Any) -> None:
    make_account(phone="+79161234567")
    client.post("/account/login/", {"identifier": "+79161234567", "password": "Wrong-Password-1"})
    client.post(
        "/account/register/",
        {"surname": "Иванова", "first_name": "Мария", "contact": "+79165554433"},
    )
    logged = caplog.text
    assert "79161234567" not in logged
    assert "79165554433" not in logged
    assert "Иванова" not in logged
