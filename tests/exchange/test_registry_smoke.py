"""One smoke test through a real sandbox registry: the bus and the registries together."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories.registries import (  # noqa: F401 - fixtures
    _sandbox_population_session,
    registry_fault,
    sandbox_population,
    snils_payload,
)
from uslugi.exchange import services
from uslugi.exchange.constants import MessageStatus
from uslugi.exchange.errors import InvalidPayload
from uslugi.exchange.models import ExchangeMessage

SNILS_VERIFY = "pfr.snils-verify/1"


def test_snils_check_through_the_bus(sandbox_population: Any, registry_fault: Any) -> None:  # noqa: F811
    services.access_grant(consumer="portal", type_key=SNILS_VERIFY)
    person = sandbox_population.persons[0]

    result = services.exchange_call(
        sender="portal", type_key=SNILS_VERIFY, payload=snils_payload(person)
    )
    assert result.ok, result
    assert result.response is not None
    assert result.response["match"] is True
    message = ExchangeMessage.objects.get(pk=result.message_id)
    assert (message.recipient.code, message.status) == ("pfr", MessageStatus.ANSWERED)

    wrong = snils_payload(person) | {"gender": "male" if person.gender == "female" else "female"}
    mismatch = services.exchange_call(sender="portal", type_key=SNILS_VERIFY, payload=wrong)
    assert (mismatch.status, mismatch.error_code) == ("error", "mismatch")

    registry_fault("pfr", mode="down")
    down = services.exchange_call(
        sender="portal", type_key=SNILS_VERIFY, payload=snils_payload(person)
    )
    assert down.unavailable
    with pytest.raises(InvalidPayload):
        services.exchange_call(sender="portal", type_key=SNILS_VERIFY, payload={"snils": "1"})
