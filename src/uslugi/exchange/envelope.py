"""Envelopes and their signatures.

A request envelope names the message (id, correlation id), the parties (sender and
recipient system codes), the type, two times (created, deadline), the payload and the
attachments (by SHA-256 digest). What is signed is its *canonical form*: a JSON object of
those fields, with the payload and attachments replaced by digests, serialised with keys
sorted, no whitespace, UTF-8 (`canonical_json`). A response envelope is signed the same way
by the provider. docs/exchange.md specifies both for integrators.

Ed25519 (RFC 8032) via `cryptography`: small keys, fast, deterministic signatures.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from uslugi.exchange.constants import ENVELOPE_VERSION, SIGNATURE_ALGORITHM


class EnvelopeError(ValueError):
    """An envelope that cannot be read (missing or malformed field). Says which, never values."""


# One encoder for every call: json.dumps with options builds a new one each time.
_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def canonical_json(value: Any) -> bytes:
    """The one serialisation that is hashed and signed: sorted keys, no spaces, UTF-8."""
    return _CANONICAL.encode(value).encode("utf-8")


def digest(value: Any) -> str:
    """SHA-256 (hex) of a JSON value's canonical form."""
    return hashlib.sha256(canonical_json(value)).hexdigest()


def format_time(moment: dt.datetime) -> str:
    """`2026-11-25T12:00:00.000000Z`: UTC, microseconds, always the same length."""
    if moment.tzinfo is None:
        raise ValueError("envelope times must be timezone-aware")
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: Any, *, name: str) -> dt.datetime:
    if not isinstance(text, str):
        raise EnvelopeError(f"{name} must be a string")
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise EnvelopeError(f"{name} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise EnvelopeError(f"{name} must carry a time zone (use Z)")
    return moment.astimezone(dt.UTC)


# --- Keys ----------------------------------------------------------------------------------


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise EnvelopeError("not valid base64") from None


def generate_keypair() -> tuple[str, str]:
    """A new Ed25519 key pair as (private, public), each the raw 32 bytes in base64."""
    private = Ed25519PrivateKey.generate()
    private_raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    public_raw = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return b64encode(private_raw), b64encode(public_raw)


def key_fingerprint(public_key: str) -> str:
    """The key id of a public key (base64 of the raw 32 bytes): SHA-256, first 32 hex digits."""
    return hashlib.sha256(b64decode(public_key)).hexdigest()[:32]


def load_private_key(text: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(b64decode(text))


def load_public_key(text: str) -> Ed25519PublicKey:
    raw = b64decode(text)
    if len(raw) != 32:
        raise EnvelopeError("an Ed25519 public key is 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


@dataclass(frozen=True)
class Signature:
    key_id: str
    value: str  # base64 of the 64-byte Ed25519 signature
    algorithm: str = SIGNATURE_ALGORITHM

    def to_wire(self) -> dict[str, str]:
        return {"alg": self.algorithm, "key_id": self.key_id, "value": self.value}

    @classmethod
    def from_wire(cls, data: Any) -> Signature:
        if not isinstance(data, Mapping):
            raise EnvelopeError("signature must be an object with alg, key_id and value")
        if data.get("alg") != SIGNATURE_ALGORITHM:
            raise EnvelopeError(f"signature alg must be {SIGNATURE_ALGORITHM}")
        key_id, value = data.get("key_id"), data.get("value")
        if not isinstance(key_id, str) or not key_id or len(key_id) > 40:
            raise EnvelopeError("signature key_id is missing")
        if not isinstance(value, str) or not value or len(value) > 128:
            raise EnvelopeError("signature value is missing")
        return cls(key_id=key_id, value=value)


def sign(private_key: Ed25519PrivateKey, key_id: str, data: bytes) -> Signature:
    return Signature(key_id=key_id, value=b64encode(private_key.sign(data)))


def verify(public_key: Ed25519PublicKey, signature: Signature, data: bytes) -> bool:
    """True when `signature` is `data` signed by the private half of `public_key`."""
    if signature.algorithm != SIGNATURE_ALGORITHM:
        return False
    try:
        raw = b64decode(signature.value)
        public_key.verify(raw, data)
    except (InvalidSignature, EnvelopeError):
        return False
    return True


# --- Request envelope ---------------------------------------------------------------------


def _attachments(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise EnvelopeError("attachments must be a list")
    out = []
    for number, item in enumerate(value, start=1):
        if not isinstance(item, Mapping):
            raise EnvelopeError(f"attachment {number} must be an object")
        name, sha256, size = item.get("name"), item.get("sha256"), item.get("size")
        if not isinstance(name, str) or not name or len(name) > 255:
            raise EnvelopeError(f"attachment {number}: name is missing")
        if not isinstance(sha256, str) or len(sha256) != 64:
            raise EnvelopeError(f"attachment {number}: sha256 must be 64 hex digits")
        try:
            int(sha256, 16)
        except ValueError:
            raise EnvelopeError(f"attachment {number}: sha256 must be 64 hex digits") from None
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise EnvelopeError(f"attachment {number}: size must be a non-negative integer")
        out.append({"name": name, "sha256": sha256.lower(), "size": size})
    return out


def _text(data: Mapping[str, Any], name: str, *, max_length: int = 120) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value or len(value) > max_length:
        raise EnvelopeError(f"{name} is missing or too long")
    return value


def _uuid(data: Mapping[str, Any], name: str) -> str:
    try:
        return str(uuid.UUID(_text(data, name, max_length=36)))
    except ValueError:
        raise EnvelopeError(f"{name} must be a UUID") from None


@dataclass(frozen=True)
class Envelope:
    """A request as it travels: what the canonical form and the wire format are made from."""

    id: str
    correlation_id: str
    sender: str
    recipient: str
    type: str
    created: dt.datetime
    deadline: dt.datetime
    payload: Mapping[str, Any]
    attachments: list[dict[str, Any]] = field(default_factory=list)
    test: bool = False

    def canonical(self) -> bytes:
        return canonical_json(
            {
                "v": ENVELOPE_VERSION,
                "kind": "request",
                "id": self.id,
                "correlation_id": self.correlation_id,
                "sender": self.sender,
                "recipient": self.recipient,
                "type": self.type,
                "created": format_time(self.created),
                "deadline": format_time(self.deadline),
                "payload_sha256": digest(self.payload),
                "attachments": [
                    {"name": a["name"], "sha256": a["sha256"], "size": a["size"]}
                    for a in self.attachments
                ],
                "test": self.test,
            }
        )

    def to_wire(self, signature: Signature) -> dict[str, Any]:
        return {
            "v": ENVELOPE_VERSION,
            "id": self.id,
            "correlation_id": self.correlation_id,
            "sender": self.sender,
            "recipient": self.recipient,
            "type": self.type,
            "created": format_time(self.created),
            "deadline": format_time(self.deadline),
            "test": self.test,
            "payload": dict(self.payload),
            "attachments": list(self.attachments),
            "signature": signature.to_wire(),
        }

    @classmethod
    def from_wire(cls, data: Any) -> tuple[Envelope, Signature | None]:
        """Read a wire envelope; the signature is None when there is none (then: rejected)."""
        if not isinstance(data, Mapping):
            raise EnvelopeError("the envelope must be a JSON object")
        if data.get("v", ENVELOPE_VERSION) != ENVELOPE_VERSION:
            raise EnvelopeError(f"unsupported envelope version (this is {ENVELOPE_VERSION})")
        payload = data.get("payload")
        if not isinstance(payload, Mapping):
            raise EnvelopeError("payload must be a JSON object")
        test = data.get("test", False)
        if not isinstance(test, bool):
            raise EnvelopeError("test must be true or false")
        envelope = cls(
            id=_uuid(data, "id"),
            correlation_id=_uuid(data, "correlation_id"),
            sender=_text(data, "sender", max_length=64),
            recipient=_text(data, "recipient", max_length=64),
            type=_text(data, "type"),
            created=parse_time(data.get("created"), name="created"),
            deadline=parse_time(data.get("deadline"), name="deadline"),
            payload=payload,
            attachments=_attachments(data.get("attachments")),
            test=test,
        )
        raw_signature = data.get("signature")
        signature = None if raw_signature is None else Signature.from_wire(raw_signature)
        return envelope, signature


# --- Response envelope --------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseEnvelope:
    """A provider's answer: a response payload, or a typed error (code and message)."""

    message_id: str
    correlation_id: str
    sender: str  # the provider
    recipient: str  # the consumer
    type: str
    answered: dt.datetime
    payload: Mapping[str, Any] | None = None
    error_code: str = ""
    error_message: str = ""
    error_details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.error_code

    def canonical(self) -> bytes:
        return canonical_json(
            {
                "v": ENVELOPE_VERSION,
                "kind": "response",
                "message_id": self.message_id,
                "correlation_id": self.correlation_id,
                "sender": self.sender,
                "recipient": self.recipient,
                "type": self.type,
                "answered": format_time(self.answered),
                "status": "ok" if self.ok else "error",
                "payload_sha256": None if self.payload is None else digest(self.payload),
                "error": self._error(),
            }
        )

    def _error(self) -> dict[str, Any] | None:
        if self.ok:
            return None
        return {
            "code": self.error_code,
            "message": self.error_message,
            "details": dict(self.error_details),
        }

    def to_wire(self, signature: Signature) -> dict[str, Any]:
        return {
            "v": ENVELOPE_VERSION,
            "message_id": self.message_id,
            "correlation_id": self.correlation_id,
            "sender": self.sender,
            "recipient": self.recipient,
            "type": self.type,
            "answered": format_time(self.answered),
            "status": "ok" if self.ok else "error",
            "payload": None if self.payload is None else dict(self.payload),
            "error": self._error(),
            "signature": signature.to_wire(),
        }

    @classmethod
    def from_wire(cls, data: Any) -> tuple[ResponseEnvelope, Signature | None]:
        if not isinstance(data, Mapping):
            raise EnvelopeError("the response must be a JSON object")
        status = data.get("status")
        payload = data.get("payload")
        error_code = error_message = ""
        error_details: Mapping[str, Any] = {}
        if status == "ok":
            if not isinstance(payload, Mapping):
                raise EnvelopeError("an ok response needs a payload object")
        elif status == "error":
            error = data.get("error")
            if not isinstance(error, Mapping) or not isinstance(error.get("code"), str):
                raise EnvelopeError("an error response needs error.code")
            error_code = error["code"][:64] or "provider_error"
            error_message = str(error.get("message") or "")[:500]
            error_details = error.get("details") or {}
            if not isinstance(error_details, Mapping):
                raise EnvelopeError("error.details must be an object")
            payload = None
        else:
            raise EnvelopeError("status must be ok or error")
        response = cls(
            message_id=_uuid(data, "message_id"),
            correlation_id=_uuid(data, "correlation_id"),
            sender=_text(data, "sender", max_length=64),
            recipient=_text(data, "recipient", max_length=64),
            type=_text(data, "type"),
            answered=parse_time(data.get("answered"), name="answered"),
            payload=payload,
            error_code=error_code,
            error_message=error_message,
            error_details=error_details,
        )
        raw_signature = data.get("signature")
        signature = None if raw_signature is None else Signature.from_wire(raw_signature)
        return response, signature
