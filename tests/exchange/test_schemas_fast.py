"""The fast validator (jsonschema-rs) and the explaining one (jsonschema) agree."""

from __future__ import annotations

import copy

from uslugi.exchange import schemas
from uslugi.exchange.interfaces import message_types


def test_fast_and_explaining_validators_agree_on_every_example() -> None:
    checked = 0
    for message_type in message_types().values():
        for example in message_type.examples:
            for which in ("request", "response"):
                payload = example.get(which)
                if not isinstance(payload, dict):
                    continue
                slow = list(schemas._validator(message_type, which).iter_errors(payload))
                assert schemas._fast_validator(message_type, which).is_valid(payload) == (
                    not slow
                ), (message_type.key, which)
                assert schemas.errors(message_type, which, payload) == []
                broken = copy.deepcopy(payload)
                broken["unexpected_property"] = "x"
                broken.pop(next(iter(broken)), None)
                assert schemas.errors(message_type, which, broken), (message_type.key, which)
                checked += 1
    assert checked >= 20


def test_masked_strings_from_encrypted_fields_are_validated_too() -> None:
    """Decrypted payloads hold `Sensitive` strings, which jsonschema-rs cannot read: the
    Python validator decides for them."""
    from uslugi.core.fields import Sensitive

    message_type = message_types()["pfr.snils-verify/1"]
    payload = {k: Sensitive(v) for k, v in message_type.examples[0]["request"].items()}
    assert schemas.errors(message_type, "request", payload) == []
    payload.pop("snils")
    assert schemas.errors(message_type, "request", payload)
