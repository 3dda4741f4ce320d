"""Personal-data encryption: a keyring of AES-256-GCM keys and a keyed HMAC blind index.

Keys come from the environment (`FIELD_ENCRYPTION_KEYS`, `BLIND_INDEX_KEY`) and are
validated on first use; a malformed value raises `ConfigError` with one line naming the
variable and never the key material. In development and test, empty variables mean fixed,
publicly known keys derived from a constant label, so local data stays readable across
restarts; production refuses both the empty value and those development keys.

A token is `<key id>$<base64url(nonce || ciphertext || tag)>`: the key id is readable
without decrypting, so `uslugi keys rotate` selects values by prefix. The associated data
(AAD) names the column a value belongs to, so a token copied into another column fails to
decrypt. Error messages name key ids and columns, never values.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import os
import re
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core import checks
from django.core.signals import setting_changed
from django.dispatch import receiver

from uslugi.config import ConfigError

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
SEPARATOR = "$"
DEVELOPMENT_KEY_ID = "dev"

# Letters, digits, '-', '_', '.': no ':' or ',' (the variable's syntax), no '$' (the token's).
_KEY_ID = re.compile(r"[A-Za-z0-9_.-]{1,32}")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")

_DEVELOPMENT_SECRET = b"uslugi insecure development key material: never use in production"


class DecryptionError(Exception):
    """A token could not be decrypted. The message names the key id, never the value."""


def _derive(secret: bytes, info: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info.encode()).derive(
        secret
    )


def development_key(purpose: str) -> bytes:
    """The fixed, published key used when a variable is empty outside production."""
    return _derive(_DEVELOPMENT_SECRET, f"uslugi development {purpose}")


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    """Strict base64url, padding optional; raises ValueError on anything else."""
    if not _BASE64URL.fullmatch(text):
        raise ValueError("not base64url")
    stripped = text.rstrip("=")
    try:
        return base64.urlsafe_b64decode(stripped + "=" * (-len(stripped) % 4))
    except binascii.Error as exc:
        raise ValueError("not base64url") from exc


def encode_key(key: bytes) -> str:
    """A key as it is written in the environment (base64url without padding)."""
    return _b64encode(key)


def _decode_key(text: str, *, variable: str, what: str) -> bytes:
    try:
        key = _b64decode(text)
    except ValueError:
        raise ConfigError(f"{variable}: {what} is not valid base64url") from None
    if len(key) != KEY_BYTES:
        raise ConfigError(f"{variable}: {what} must decode to {KEY_BYTES} bytes, got {len(key)}")
    return key


class Keyring:
    """Named AES-256-GCM keys; the first one encrypts, every one decrypts."""

    def __init__(self, keys: Mapping[str, bytes]) -> None:
        if not keys:
            raise ValueError("a keyring needs at least one key")
        for key_id, key in keys.items():
            if not _KEY_ID.fullmatch(key_id) or len(key) != KEY_BYTES:
                raise ValueError("invalid key id or key length")
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self._keys = dict(keys)

    @classmethod
    def parse(cls, spec: str, *, variable: str = "FIELD_ENCRYPTION_KEYS") -> Keyring:
        """Read `id:base64url-key,id2:key2`; a malformed entry raises `ConfigError`."""
        keys: dict[str, bytes] = {}
        entries = [entry.strip() for entry in spec.split(",")]
        for number, entry in enumerate(entries, start=1):
            if not entry:
                continue  # a trailing or doubled comma is harmless
            parts = entry.split(":")
            if len(parts) != 2:
                raise ConfigError(f"{variable}: entry {number} must be id:base64url-key")
            key_id, text = parts[0].strip(), parts[1].strip()
            if not _KEY_ID.fullmatch(key_id):
                # The id is not echoed: a mistyped entry may hold key material there.
                raise ConfigError(
                    f"{variable}: entry {number} has an invalid key id "
                    "(1-32 letters, digits, '-', '_' or '.')"
                )
            if key_id in keys:
                raise ConfigError(f"{variable}: duplicate key id {key_id!r}")
            keys[key_id] = _decode_key(text, variable=variable, what=f"key {key_id!r}")
        if not keys:
            raise ConfigError(f"{variable}: no keys")
        return cls(keys)

    @property
    def active_id(self) -> str:
        return next(iter(self._keys))

    @property
    def key_ids(self) -> tuple[str, ...]:
        return tuple(self._keys)

    def __contains__(self, key_id: object) -> bool:
        return key_id in self._keys

    def __repr__(self) -> str:
        return f"<Keyring {', '.join(self._keys)}>"

    def has_key(self, key: bytes) -> bool:
        return any(hmac.compare_digest(key, mine) for mine in self._keys.values())

    def encrypt(self, plaintext: bytes, aad: bytes) -> str:
        """Encrypt with the active key under a fresh random nonce."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[self.active_id].encrypt(nonce, plaintext, aad)
        return f"{self.active_id}{SEPARATOR}{_b64encode(nonce + sealed)}"

    def decrypt(self, token: str, aad: bytes) -> bytes:
        key_id = key_id_of(token)
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise DecryptionError(
                f"cannot decrypt: key id {key_id!r} is not in FIELD_ENCRYPTION_KEYS"
            )
        try:
            data = _b64decode(token[len(key_id) + 1 :])
        except ValueError:
            raise DecryptionError(
                f"cannot decrypt: malformed value for key id {key_id!r}"
            ) from None
        if len(data) < NONCE_BYTES + TAG_BYTES:
            raise DecryptionError(f"cannot decrypt: truncated value for key id {key_id!r}")
        try:
            return cipher.decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], aad)
        except InvalidTag:
            raise DecryptionError(
                f"cannot decrypt with key id {key_id!r}: the value was altered, "
                "belongs to another column, or the key under this id has changed"
            ) from None

    def reencrypt(self, token: str, aad: bytes) -> str:
        """The same plaintext under the active key (rotation)."""
        return self.encrypt(self.decrypt(token, aad), aad)


def key_id_of(token: str) -> str:
    """The key id a token was encrypted with, read without decrypting."""
    key_id, separator, _ = token.partition(SEPARATOR)
    if not separator or not _KEY_ID.fullmatch(key_id):
        # The token is not echoed: a malformed column may hold plaintext.
        raise DecryptionError("cannot decrypt: not an encrypted value (no key id)")
    return key_id


def _production_guard(variable: str) -> None:
    if settings.PRODUCTION:
        raise ConfigError(f"{variable} is required in production (see `uslugi keys generate`)")


@functools.cache
def keyring() -> Keyring:
    """The process's keyring from `FIELD_ENCRYPTION_KEYS` (parsed once, reset on override)."""
    spec = settings.FIELD_ENCRYPTION_KEYS.strip()
    if not spec:
        _production_guard("FIELD_ENCRYPTION_KEYS")
        return Keyring({DEVELOPMENT_KEY_ID: development_key("field encryption")})
    ring = Keyring.parse(spec)
    if settings.PRODUCTION and ring.has_key(development_key("field encryption")):
        raise ConfigError("FIELD_ENCRYPTION_KEYS holds the published development key")
    return ring


@functools.cache
def _blind_index_root() -> bytes:
    text = settings.BLIND_INDEX_KEY.strip()
    if not text:
        _production_guard("BLIND_INDEX_KEY")
        return development_key("blind index")
    key = _decode_key(text, variable="BLIND_INDEX_KEY", what="the key")
    if settings.PRODUCTION and hmac.compare_digest(key, development_key("blind index")):
        raise ConfigError("BLIND_INDEX_KEY is the published development key")
    return key


@functools.cache
def _blind_index_key(purpose: str) -> bytes:
    return _derive(_blind_index_root(), f"uslugi blind index: {purpose}")


def blind_index(value: str, *, purpose: str) -> str:
    """HMAC-SHA256 of an already normalised value under the purpose's subkey, as 64 hex digits.

    Equal values give equal indexes within one purpose and unrelated ones across purposes,
    so an index of one kind of value cannot be matched against another kind.
    """
    if not purpose:
        raise ValueError("a blind index needs a purpose")
    return hmac.new(_blind_index_key(purpose), value.encode("utf-8"), hashlib.sha256).hexdigest()


def reset_keys() -> None:
    """Forget parsed keys, so the next use reads the settings again (tests, reloads)."""
    keyring.cache_clear()
    _blind_index_root.cache_clear()
    _blind_index_key.cache_clear()


@checks.register(checks.Tags.security)
def check_keys(**kwargs: Any) -> list[checks.CheckMessage]:
    """`uslugi check` (and runserver, migrate) report malformed keys before first use."""
    errors: list[checks.CheckMessage] = []
    for load in (keyring, _blind_index_root):
        try:
            load()
        except ConfigError as exc:
            errors.append(checks.Error(str(exc), id="uslugi.E100"))
    return errors


_KEY_SETTINGS = frozenset({"FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY", "PRODUCTION"})


@receiver(setting_changed, dispatch_uid="uslugi.core.crypto.reset_keys")
def _on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in _KEY_SETTINGS:
        reset_keys()
