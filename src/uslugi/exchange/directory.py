"""Who is who on the bus: systems, their keys and grants, as the services need them.

Private keys are decrypted once per process and kept by key id (a key's row never changes
its key material, and ids are never reused), so signing costs no decryption per message.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.db import IntegrityError, transaction
from django.db.models.signals import post_delete, post_save

from uslugi.exchange import conf, envelope
from uslugi.exchange.constants import SystemKind
from uslugi.exchange.models import AccessGrant, ExchangeSystem, SystemKey

_private_keys: dict[str, Ed25519PrivateKey] = {}
_public_keys: dict[str, Ed25519PublicKey] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Party:
    """A system and its signing key (None for external systems: they sign themselves)."""

    system: ExchangeSystem
    key: SystemKey | None

    @property
    def code(self) -> str:
        return self.system.code


# --- A short-lived, per-process cache of parties and grants --------------------------------
# Every message needs its sender, recipient and grant; they change rarely. A change made
# in this process clears the cache at once (signals below); other processes see it within
# EXCHANGE_DIRECTORY_CACHE_SECONDS (0 turns the cache off; the tests run without it).

_cache: dict[tuple[str, ...], tuple[float, Any]] = {}


def _ttl() -> float:
    return float(conf.get("EXCHANGE_DIRECTORY_CACHE_SECONDS"))


def _cached(key: tuple[str, ...], load: Callable[[], Any]) -> Any:
    ttl = _ttl()
    if ttl <= 0:
        return load()
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = load()
    _cache[key] = (now + ttl, value)
    return value


def _cache_get(key: tuple[str, ...]) -> Any:
    """A cached value that is never None (None: not cached, expired or cache off)."""
    hit = _cache.get(key)
    return hit[1] if hit is not None and hit[0] > time.monotonic() else None


def _cache_put(key: tuple[str, ...], value: Any) -> None:
    ttl = _ttl()
    if ttl > 0:
        _cache[key] = (time.monotonic() + ttl, value)


def forget_directory(**kwargs: Any) -> None:
    """Drop cached parties and grants (on any change to systems, keys or grants)."""
    _cache.clear()


for _model in (ExchangeSystem, SystemKey, AccessGrant):
    post_save.connect(
        forget_directory, sender=_model, dispatch_uid=f"exchange.forget.{_model.__name__}"
    )
    post_delete.connect(
        forget_directory, sender=_model, dispatch_uid=f"exchange.forget_d.{_model.__name__}"
    )


def party(code: str) -> Party | None:
    """The system with this code and its signing key (cached briefly, see above)."""
    return _cached(("party", code), lambda: _load_party(code))


def _load_party(code: str) -> Party | None:
    key = (
        SystemKey.objects.select_related("system")
        .defer("private_key")
        .filter(system__code=code, active=True, revoked_at__isnull=True)
        .first()
    )
    if key is not None:
        return Party(system=key.system, key=key)
    system = ExchangeSystem.objects.filter(code=code).first()
    return None if system is None else Party(system=system, key=None)


def systems(ids: Iterable[Any]) -> dict[Any, ExchangeSystem]:
    """The systems with these primary keys, by key (each cached briefly, see above)."""
    found: dict[Any, ExchangeSystem] = {}
    missing = []
    for pk in set(ids):
        hit = _cache_get(("system", str(pk)))
        if hit is None:
            missing.append(pk)
        else:
            found[pk] = hit
    if missing:
        for pk, system in ExchangeSystem.objects.in_bulk(missing).items():
            _cache_put(("system", str(pk)), system)
            found[pk] = system
    return found


def private_key(key: SystemKey) -> Ed25519PrivateKey:
    """The private half of one of our keys (decrypted once per process)."""
    cached = _private_keys.get(key.key_id)
    if cached is not None:
        return cached
    text = SystemKey.objects.filter(pk=key.pk).values_list("private_key", flat=True).first()
    if not text:
        raise LookupError(f"key {key.key_id} of {key.system_id} has no private half here")
    loaded = envelope.load_private_key(str(text))
    with _lock:
        _private_keys[key.key_id] = loaded
    return loaded


def verification_key(system: ExchangeSystem, key_id: str) -> Ed25519PublicKey | None:
    """A key of `system` that may verify signatures now (not revoked), or None."""
    return _cached(
        ("verify", str(system.pk), key_id), lambda: _load_verification_key(system, key_id)
    )


def _load_verification_key(system: ExchangeSystem, key_id: str) -> Ed25519PublicKey | None:
    key = (
        SystemKey.objects.defer("private_key")
        .filter(key_id=key_id, system=system, revoked_at__isnull=True)
        .first()
    )
    return None if key is None else public_key(key)


def public_key(key: SystemKey) -> Ed25519PublicKey:
    cached = _public_keys.get(key.key_id)
    if cached is None:
        cached = envelope.load_public_key(key.public_key)
        with _lock:
            _public_keys[key.key_id] = cached
    return cached


def system_ensure_internal(code: str, *, name: str = "") -> Party:
    """The internal system `code` with a signing key, created (with a new key pair) if missing."""
    found = party(code)
    if found is not None and (found.key is not None or found.system.kind != SystemKind.INTERNAL):
        return found
    try:
        with transaction.atomic():
            system = (
                found.system
                if found
                else ExchangeSystem.objects.create(
                    code=code, name=name or code, kind=SystemKind.INTERNAL
                )
            )
            key_create(system=system)
    except IntegrityError:
        pass  # created at the same moment by another process
    result = party(code)
    assert result is not None  # noqa: S101 - just created
    return result


def key_create(*, system: ExchangeSystem, public_key: str | None = None) -> SystemKey:
    """A new signing key for a system: generated here (internal) or given (external's own).

    The previous signing key stops signing but still verifies until it is revoked.
    """
    private = None
    if public_key is None:
        private, public_key = envelope.generate_keypair()
    else:
        envelope.load_public_key(public_key)  # refuse garbage now, not at the first message
    SystemKey.objects.filter(system=system, active=True).update(active=False)
    return SystemKey.objects.create(
        system=system,
        key_id=envelope.key_fingerprint(public_key),
        public_key=public_key,
        private_key=private,
        active=True,
    )


def grant_limit(consumer: ExchangeSystem, type_key: str) -> tuple[bool, int | None]:
    """(granted, rate limit per minute or None) for this consumer and message type."""
    return _cached(("grant", str(consumer.pk), type_key), lambda: _load_grant(consumer, type_key))


def _load_grant(consumer: ExchangeSystem, type_key: str) -> tuple[bool, int | None]:
    row = (
        AccessGrant.objects.filter(consumer=consumer, type_key=type_key, active=True)
        .values("rate_limit_per_minute")
        .first()
    )
    if row is None:
        return False, None
    return True, row["rate_limit_per_minute"]


def forget_keys() -> None:
    """Drop the decrypted key cache and the directory (tests, key rotation)."""
    with _lock:
        _private_keys.clear()
        _public_keys.clear()
    _cache.clear()
