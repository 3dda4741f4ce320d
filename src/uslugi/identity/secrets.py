"""One-time codes and tokens: generated with `secrets`, stored only as keyed hashes.

A 6-digit code has a million values: a plain hash of it would be reversed in a moment by
anyone who reads the table, so codes are hashed with HMAC under a key derived from
SECRET_KEY and bound to the row and purpose they belong to.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets as _secrets

from django.conf import settings

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read from paper


def _key() -> bytes:
    return hashlib.sha256(b"uslugi.identity.codes:" + settings.SECRET_KEY.encode()).digest()


def numeric_code(length: int = 6) -> str:
    return "".join(_secrets.choice("0123456789") for _ in range(length))


def letter_code(length: int) -> str:
    """Upper-case letters and digits that cannot be confused with each other."""
    return "".join(_secrets.choice(_ALPHABET) for _ in range(length))


def token() -> str:
    """A URL-safe random token (256 bits)."""
    return _secrets.token_urlsafe(32)


def code_hash(code: str, *, scope: str) -> str:
    """Keyed hash of a code or token, bound to `scope` (e.g. "registration:<row id>")."""
    normalized = code.strip().replace(" ", "").replace("-", "").upper()
    message = f"{scope}\x00{normalized}".encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def code_matches(code: str, stored: str, *, scope: str) -> bool:
    return bool(stored) and hmac.compare_digest(code_hash(code, scope=scope), stored)


def key_hash(value: str, *, scope: str) -> str:
    """Keyed hash of an IP, phone or identifier for rate-limit counters (no clear value)."""
    return hmac.new(_key(), f"throttle\x00{scope}\x00{value}".encode(), hashlib.sha256).hexdigest()
