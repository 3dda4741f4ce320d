"""The keyring (AES-256-GCM tokens), key configuration and the blind index."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pytest_django.fixtures import Settings

from uslugi.config import ConfigError
from uslugi.core import crypto
from uslugi.core.crypto import DecryptionError, Keyring, blind_index, encode_key, keyring

KEY1 = bytes([1]) * 32
KEY2 = bytes([2]) * 32
ENTRY1 = f"k1:{encode_key(KEY1)}"
ENTRY2 = f"k2:{encode_key(KEY2)}"
AAD = b"testapp.personrecord.snils"
SECRET = "112-233-445 95"


def ring(spec: str) -> Keyring:
    return Keyring.parse(spec)


# --- Tokens ---------------------------------------------------------------------------------


def test_round_trip_and_token_shows_key_id() -> None:
    keys = ring(ENTRY1)
    token = keys.encrypt(SECRET.encode(), AAD)
    assert token.startswith("k1$")
    assert SECRET not in token
    assert keys.decrypt(token, AAD).decode() == SECRET


def test_each_encryption_uses_a_fresh_nonce() -> None:
    keys = ring(ENTRY1)
    assert keys.encrypt(b"same", AAD) != keys.encrypt(b"same", AAD)


def test_first_key_encrypts_all_keys_decrypt() -> None:
    old = ring(ENTRY1).encrypt(b"value", AAD)
    both = ring(f"{ENTRY2},{ENTRY1}")
    assert both.active_id == "k2"
    assert both.key_ids == ("k2", "k1")
    assert both.decrypt(old, AAD) == b"value"
    assert both.encrypt(b"value", AAD).startswith("k2$")
    assert both.reencrypt(old, AAD).startswith("k2$")


def test_wrong_key_names_the_key_id_never_the_value() -> None:
    token = ring(ENTRY1).encrypt(SECRET.encode(), AAD)
    with pytest.raises(DecryptionError, match="'k1' is not in FIELD_ENCRYPTION_KEYS") as info:
        ring(ENTRY2).decrypt(token, AAD)
    assert SECRET not in str(info.value)


def test_same_id_with_other_key_material_fails_authentication() -> None:
    token = ring(ENTRY1).encrypt(SECRET.encode(), AAD)
    impostor = ring(f"k1:{encode_key(KEY2)}")
    with pytest.raises(DecryptionError, match="with key id 'k1'") as info:
        impostor.decrypt(token, AAD)
    assert SECRET not in str(info.value)


def test_tampered_ciphertext_is_rejected() -> None:
    keys = ring(ENTRY1)
    token = keys.encrypt(SECRET.encode(), AAD)
    key_id, body = token.split("$")
    raw = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    raw[-1] ^= 1  # one bit of the tag
    tampered = f"{key_id}${encode_key(bytes(raw))}"
    with pytest.raises(DecryptionError, match="altered"):
        keys.decrypt(tampered, AAD)
    raw[-1] ^= 1
    raw[14] ^= 1  # one bit of the ciphertext
    with pytest.raises(DecryptionError, match="altered"):
        keys.decrypt(f"{key_id}${encode_key(bytes(raw))}", AAD)


def test_value_is_bound_to_its_column() -> None:
    keys = ring(ENTRY1)
    token = keys.encrypt(SECRET.encode(), AAD)
    with pytest.raises(DecryptionError, match="another column"):
        keys.decrypt(token, b"testapp.personrecord.note")


@pytest.mark.parametrize(
    "token",
    ["", "plain text SNILS 112-233-445 95", "k1$", "k1$!!!", "k1$AAAA", "$abc", "k 1$abc"],
)
def test_malformed_tokens_raise_without_echoing(token: str) -> None:
    with pytest.raises(DecryptionError) as info:
        ring(ENTRY1).decrypt(token, AAD)
    assert "112-233" not in str(info.value)
    if len(token) > 4:
        assert token not in str(info.value)


def test_repr_shows_key_ids_not_keys() -> None:
    text = repr(ring(f"{ENTRY1},{ENTRY2}"))
    assert text == "<Keyring k1, k2>"
    assert encode_key(KEY1) not in text


@given(plaintext=st.binary(max_size=2048), aad=st.binary(max_size=64))
def test_round_trip_of_any_bytes(plaintext: bytes, aad: bytes) -> None:
    keys = ring(ENTRY1)
    assert keys.decrypt(keys.encrypt(plaintext, aad), aad) == plaintext


@given(text=st.text())
def test_round_trip_of_any_text(text: str) -> None:
    keys = ring(f"{ENTRY2},{ENTRY1}")
    token = keys.encrypt(text.encode(), AAD)
    assert token.isascii()
    assert "\x00" not in token  # PostgreSQL text cannot hold NUL; tokens never do
    assert keys.decrypt(token, AAD).decode() == text


# --- Configuration ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("k1", "entry 1 must be id:base64url-key"),
        (f"{ENTRY1},k2:a:b", "entry 2 must be id:base64url-key"),
        (f"k 1:{encode_key(KEY1)}", "entry 1 has an invalid key id"),
        (f"k$1:{encode_key(KEY1)}", "entry 1 has an invalid key id"),
        (f":{encode_key(KEY1)}", "entry 1 has an invalid key id"),
        (f"{'k' * 33}:{encode_key(KEY1)}", "entry 1 has an invalid key id"),
        ("k1:not*base64", "key 'k1' is not valid base64url"),
        (f"k1:{base64.b64encode(bytes([251]) * 32).decode()}", "key 'k1' is not valid base64url"),
        (f"k1:{encode_key(bytes(16))}", "key 'k1' must decode to 32 bytes, got 16"),
        (f"{ENTRY1},k1:{encode_key(KEY2)}", "duplicate key id 'k1'"),
        (" , ", "no keys"),
    ],
)
def test_malformed_keys_are_one_line_naming_the_variable(spec: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        Keyring.parse(spec)
    text = str(info.value)
    assert text.startswith("FIELD_ENCRYPTION_KEYS: ")
    assert message in text
    assert "\n" not in text
    assert encode_key(KEY1) not in text
    assert encode_key(KEY2) not in text


def test_padding_whitespace_and_trailing_comma_are_accepted() -> None:
    padded = base64.urlsafe_b64encode(KEY1).decode()
    assert padded.endswith("=")
    keys = Keyring.parse(f" k1 : {padded} , {ENTRY2},")
    assert keys.key_ids == ("k1", "k2")


def test_keyring_follows_settings(settings: Settings) -> None:
    settings.FIELD_ENCRYPTION_KEYS = ENTRY1
    assert keyring().active_id == "k1"
    settings.FIELD_ENCRYPTION_KEYS = f"{ENTRY2},{ENTRY1}"  # setting_changed resets the cache
    assert keyring().active_id == "k2"


def test_malformed_setting_fails_at_first_use(settings: Settings) -> None:
    settings.FIELD_ENCRYPTION_KEYS = "k1:short"
    with pytest.raises(ConfigError, match=r"^FIELD_ENCRYPTION_KEYS: key 'k1'"):
        keyring()


def test_system_check_reports_malformed_keys(settings: Settings) -> None:
    settings.FIELD_ENCRYPTION_KEYS = ENTRY1
    assert crypto.check_keys() == []
    settings.FIELD_ENCRYPTION_KEYS = "k1:short"
    settings.BLIND_INDEX_KEY = "short"
    errors = crypto.check_keys()
    assert [e.id for e in errors] == ["uslugi.E100", "uslugi.E100"]
    assert errors[0].msg.startswith("FIELD_ENCRYPTION_KEYS: ")
    assert errors[1].msg.startswith("BLIND_INDEX_KEY: ")


def test_development_keys_are_fixed_across_restarts(settings: Settings) -> None:
    settings.FIELD_ENCRYPTION_KEYS = ""
    token = keyring().encrypt(b"dev data", AAD)
    assert token.startswith("dev$")
    crypto.reset_keys()  # as a new process would
    assert keyring().decrypt(token, AAD) == b"dev data"
    assert crypto.development_key("field encryption") != crypto.development_key("blind index")


def test_production_requires_keys(settings: Settings) -> None:
    settings.PRODUCTION = True
    settings.FIELD_ENCRYPTION_KEYS = ""
    settings.BLIND_INDEX_KEY = ""
    with pytest.raises(ConfigError, match=r"^FIELD_ENCRYPTION_KEYS is required in production"):
        keyring()
    with pytest.raises(ConfigError, match=r"^BLIND_INDEX_KEY is required in production"):
        blind_index("x", purpose="snils")


def test_production_refuses_the_development_keys(settings: Settings) -> None:
    settings.PRODUCTION = True
    dev = encode_key(crypto.development_key("field encryption"))
    settings.FIELD_ENCRYPTION_KEYS = f"{ENTRY1},dev:{dev}"
    with pytest.raises(ConfigError, match="published development key"):
        keyring()
    settings.FIELD_ENCRYPTION_KEYS = ENTRY1
    settings.BLIND_INDEX_KEY = encode_key(crypto.development_key("blind index"))
    assert keyring().active_id == "k1"
    with pytest.raises(ConfigError, match=r"^BLIND_INDEX_KEY is the published development key"):
        blind_index("x", purpose="snils")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "must decode to 32 bytes, got 2"),
        ("k1:" + encode_key(KEY1), "is not valid base64url"),
    ],
    ids=["short", "an id:key entry"],
)
def test_malformed_blind_index_key(settings: Settings, value: str, message: str) -> None:
    settings.BLIND_INDEX_KEY = value
    with pytest.raises(ConfigError, match=f"^BLIND_INDEX_KEY: the key {message}"):
        blind_index("x", purpose="snils")


# --- Blind index ----------------------------------------------------------------------------


def test_blind_index_is_deterministic_per_purpose(settings: Settings) -> None:
    settings.BLIND_INDEX_KEY = encode_key(KEY1)
    first = blind_index("11223344595", purpose="snils")
    assert first == blind_index("11223344595", purpose="snils")
    assert len(first) == 64
    assert int(first, 16) >= 0
    assert first != blind_index("11223344596", purpose="snils")
    assert first != blind_index("11223344595", purpose="inn")


def test_blind_index_changes_with_its_key(settings: Settings) -> None:
    settings.BLIND_INDEX_KEY = encode_key(KEY1)
    before = blind_index("11223344595", purpose="snils")
    settings.BLIND_INDEX_KEY = encode_key(KEY2)
    assert blind_index("11223344595", purpose="snils") != before


def test_blind_index_needs_a_purpose() -> None:
    with pytest.raises(ValueError, match="purpose"):
        blind_index("x", purpose="")
