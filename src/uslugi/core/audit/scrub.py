"""Cleaning what goes into an entry: no secrets, only JSON that both databases store
unchanged (so the hash computed before the insert matches the row read back), capped."""

from __future__ import annotations

import datetime as dt
import enum
import ipaddress
import math
import re
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import models

from uslugi.core.audit.models import LABEL_CHARS, canonical_json

REDACTED = "[redacted]"
MAX_DETAILS_BYTES = 8_192
MAX_STRING_CHARS = 1_000
MAX_ITEMS = 100
MAX_DEPTH = 6


# A key is secret when it contains one of these...
_SECRET_SUBSTRINGS = (
    "password",
    "passwd",
    "secret",
    "token",
    "snils",
    "passport",
    "cookie",
    "authorization",
    "credential",
    "apikey",
    "privatekey",
    "birth",
    "document_number",
    "docnumber",
)
# ...or one of these words (split on `_`, `-`, `.`, spaces and camelCase).
_SECRET_WORDS = frozenset(
    {
        "pwd",
        "pass",
        "code",
        "key",
        "pin",
        "otp",
        "cvv",
        "cvc",
        "pan",
        "inn",
        "csrf",
        "session",
        "salt",
        "dob",
        "address",
    }
)
# Identifiers that merely end in "code": not secrets.
NON_SECRET_KEYS = frozenset(
    {
        "status_code",
        "error_code",
        "reason_code",
        "result_code",
        "service_code",
        "region_code",
        "department_code",
        "country_code",
        "language_code",
    }
)
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_WORD_SPLIT = re.compile(r"[^a-z0-9]+")


def is_secret_key(key: str) -> bool:
    """Whether a details key may carry a secret or personal data, so its value is dropped."""
    snake = _CAMEL.sub(r"\1_\2", key).lower()
    if snake in NON_SECRET_KEYS:
        return False
    if any(part in snake for part in _SECRET_SUBSTRINGS):
        return True
    return any(word in _SECRET_WORDS for word in _WORD_SPLIT.split(snake))


def scrub_details(details: Mapping[str, Any] | None) -> dict[str, Any]:
    """Details made safe to store forever: secrets redacted, values JSON-native and capped.

    The result survives a round trip through either database unchanged, so the hash
    computed before the insert matches the row read back later.
    """
    if not details:
        return {}
    cleaned = _clean_value(dict(details), depth=0)
    size = len(canonical_json(cleaned))
    if size > MAX_DETAILS_BYTES:
        return {"_truncated": True, "_size": size, "_keys": sorted(cleaned)[:20]}
    return cleaned


def _clean_value(value: Any, *, depth: int) -> Any:
    if not isinstance(value, Mapping | list | tuple | set | frozenset):
        return _clean_scalar(value)
    if depth >= MAX_DEPTH:
        return "[too deep]"
    if isinstance(value, Mapping):
        return _clean_mapping(value, depth=depth)
    items = sorted(value, key=repr) if isinstance(value, set | frozenset) else list(value)
    cleaned = [_clean_value(item, depth=depth + 1) for item in items[:MAX_ITEMS]]
    if len(items) > MAX_ITEMS:
        cleaned.append(f"[{len(items) - MAX_ITEMS} more]")
    return cleaned


def _clean_scalar(value: Any) -> Any:  # noqa: PLR0911 - one return per kind of value
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        # PostgreSQL prints JSON numbers as plain decimals: 1e20 would come back as an
        # int, -0.0 as 0. Integral floats become ints so both databases agree.
        if not math.isfinite(value):
            return str(value)
        return int(value) if value.is_integer() else value
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, models.Model):
        return f"{value._meta.label_lower}:{value.pk}"
    if isinstance(value, bytes | bytearray | memoryview):
        return f"[{len(value)} bytes]"
    return clean_text(value if isinstance(value, str) else str(value), MAX_STRING_CHARS)


def _clean_mapping(value: Mapping[Any, Any], *, depth: int) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for index, (raw_key, item) in enumerate(value.items()):
        if index == MAX_ITEMS:
            result["_more_keys"] = len(value) - MAX_ITEMS
            break
        key = clean_text(str(raw_key), 100)
        result[key] = REDACTED if is_secret_key(key) else _clean_value(item, depth=depth + 1)
    return result


def clean_text(value: str, limit: int) -> str:
    """Text storable in both databases: no NUL, no lone surrogates, at most `limit` chars."""
    text = value.replace("\x00", "")
    text = text.encode("utf-8", "replace").decode("utf-8")
    return text[:limit]


def mask_identifier(value: str) -> str:
    """A login name shown only in part: iv***@example.com, +7***."""
    value = clean_text(value.strip(), 254)
    if not value:
        return ""
    local, at, domain = value.partition("@")
    keep = 2 if len(local) > 3 else 1
    return f"{local[:keep]}***{at}{domain}"[:LABEL_CHARS]


def normalise_ip(value: str | None) -> str | None:
    if not value:
        return None
    try:
        address = ipaddress.ip_address(value.strip().split("%", 1)[0])
    except ValueError:
        return None
    return str(address)
