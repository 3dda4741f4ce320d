"""End to end over HTTP: the portal (live server) and examples/exchange_provider.py as a
separate process, in both directions."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.exchange.conftest import CONSUMER, ECHO, PROVIDER, Bus
from uslugi.exchange import services
from uslugi.exchange.constants import MessageStatus, SystemKind
from uslugi.exchange.models import ExchangeMessage

pytestmark = [pytest.mark.slow]

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "exchange_provider.py"
ECHO_TYPE = "example.echo/1"


class Example:
    def __init__(
        self, process: subprocess.Popen[str], info: dict[str, Any], key_file: Path
    ) -> None:
        self.process, self.info, self.key_file = process, info, key_file


def start_example(portal: str, key_file: Path, *extra: str) -> Example:
    process = subprocess.Popen(
        [
            sys.executable,
            str(EXAMPLE),
            "serve",
            "--portal",
            portal,
            "--key-file",
            str(key_file),
            "--port",
            "0",
            *extra,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()  # the JSON line with its URL and key
    if not line:
        process.kill()
        pytest.fail("the example provider did not start")
    return Example(process, json.loads(line), key_file)


@pytest.fixture
def example(live_server: Any, bus_types: Bus, tmp_path: Path) -> Iterator[Example]:
    bus_types.grant()
    running = start_example(live_server.url, tmp_path / "example.key", "--unavailable", "1")
    services.system_register(
        code="example",
        name="Example external provider",
        kind=SystemKind.EXTERNAL,
        base_url=running.info["url"],
        public_key=running.info["public_key"],
    )
    services.access_grant(consumer=CONSUMER, type_key=ECHO_TYPE)
    yield running
    running.process.terminate()
    running.process.wait(timeout=10)
    if running.process.stdout is not None:
        running.process.stdout.close()


def test_portal_asks_the_external_provider_over_http(example: Example, bus_types: Bus) -> None:
    # The example answers 503 to its first request: a synchronous call says "unavailable"...
    first = services.exchange_call(sender=CONSUMER, type_key=ECHO_TYPE, payload={"text": "ping"})
    assert first.unavailable

    # ...and then answers, signed, verified here against its registered key.
    result = services.exchange_call(sender=CONSUMER, type_key=ECHO_TYPE, payload={"text": "ping"})
    assert result.ok, result
    assert result.response == {"text": "ping", "length": 4, "provider": "example"}
    message = ExchangeMessage.objects.get(pk=result.message_id)
    assert message.channel == "http_out"
    assert message.response_signature

    # Asynchronously, through the queue and a worker.
    queued = services.exchange_send(sender=CONSUMER, type_key=ECHO_TYPE, payload={"text": "later"})
    services.exchange_deliver_due()
    queued.refresh_from_db()
    assert queued.status == MessageStatus.ANSWERED
    assert queued.response_payload["text"] == "later"


def test_external_consumer_asks_the_portal_over_http(
    example: Example, bus_types: Bus, live_server: Any
) -> None:
    services.providers_ensure()
    services.access_grant(consumer="example", type_key=ECHO.key)
    out = subprocess.run(
        [
            sys.executable, str(EXAMPLE), "call", "--portal", live_server.url,
            "--key-file", str(example.key_file), "--type", ECHO.key, "--recipient", PROVIDER,
            "--payload", json.dumps({"text": "from outside"}),
        ],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    answer = json.loads(out.stdout)
    assert answer["status"] == "ok"
    assert answer["payload"] == {"text": "from outside", "length": 12}
    message = ExchangeMessage.objects.get(pk=answer["message_id"])
    assert message.channel == "http_in"
    assert message.sender.code == "example"
    assert bus_types.calls == [answer["message_id"]]
