"""An external system on the Uslugi exchange bus, in one file (httpx + cryptography only).

It plays both roles an agency system has on the bus:

* **provider** (`serve`): a small HTTP server answering the message type `example.echo/1`.
  The portal POSTs signed request envelopes to `<base URL>/exchange/v1/messages`; this
  checks the signature against the portal's published keys (`GET /exchange/v1/keys`)
  and answers with a signed response envelope.
* **consumer** (`call`): sends one signed request to the portal's
  `POST /exchange/v1/messages` and prints the verified answer.

Nothing here imports Uslugi: the envelope, its canonical form and the signatures are
implemented from docs/exchange.md, as an integrator would.

    # 1. start the provider (creates var/example-provider.key on first run)
    uv run python examples/exchange_provider.py serve --portal http://127.0.0.1:8000 --port 8010
    # 2. register it with the portal (the command is printed by step 1), grant the portal
    uv run uslugi exchange system example --external --base-url http://127.0.0.1:8010 \\
        --public-key <printed key>
    uv run uslugi exchange grant portal example.echo/1
    # 3. ask it something through the bus
    uv run uslugi exchange call portal example.echo/1 '{"text": "ping"}'

    # as a consumer: the portal must grant `example` the type first
    uv run python examples/exchange_provider.py call --portal http://127.0.0.1:8000 \\
        --type pfr.snils-verify/1 --recipient pfr --payload '{...}'
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import json
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

SYSTEM = "example"
ECHO_TYPE = "example.echo/1"
MAX_BODY = 1024 * 1024

# --- The envelope, as docs/exchange.md specifies it ----------------------------------------


def canonical(value: Any) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def sha256(value: Any) -> str:
    return hashlib.sha256(canonical(value)).hexdigest()


def utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def normal_time(text: str) -> str:
    """A time as the canonical form writes it (the sender may omit microseconds)."""
    return utc(dt.datetime.fromisoformat(text.replace("Z", "+00:00")))


def request_signing_bytes(env: dict[str, Any]) -> bytes:
    return canonical(
        {
            "v": 1,
            "kind": "request",
            "id": env["id"],
            "correlation_id": env["correlation_id"],
            "sender": env["sender"],
            "recipient": env["recipient"],
            "type": env["type"],
            "created": normal_time(env["created"]),
            "deadline": normal_time(env["deadline"]),
            "payload_sha256": sha256(env["payload"]),
            "attachments": [
                {"name": a["name"], "sha256": a["sha256"].lower(), "size": a["size"]}
                for a in env.get("attachments") or []
            ],
            "test": bool(env.get("test", False)),
        }
    )


def response_signing_bytes(answer: dict[str, Any]) -> bytes:
    ok = answer["status"] == "ok"
    return canonical(
        {
            "v": 1,
            "kind": "response",
            "message_id": answer["message_id"],
            "correlation_id": answer["correlation_id"],
            "sender": answer["sender"],
            "recipient": answer["recipient"],
            "type": answer["type"],
            "answered": normal_time(answer["answered"]),
            "status": answer["status"],
            "payload_sha256": sha256(answer["payload"]) if ok else None,
            "error": None if ok else answer["error"],
        }
    )


# --- Keys ----------------------------------------------------------------------------------


class Keys:
    """This system's key pair (kept in a file) and the portal's public keys (fetched)."""

    def __init__(self, key_file: Path, portal: str) -> None:
        if key_file.exists():
            raw = base64.b64decode(key_file.read_text().strip())
            self.private = Ed25519PrivateKey.from_private_bytes(raw)
        else:
            self.private = Ed25519PrivateKey.generate()
            key_file.parent.mkdir(parents=True, exist_ok=True)
            raw = self.private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
            key_file.write_text(base64.b64encode(raw).decode())
            key_file.chmod(0o600)
        public_raw = self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.public_b64 = base64.b64encode(public_raw).decode()
        self.key_id = hashlib.sha256(public_raw).hexdigest()[:32]  # the fingerprint
        self.portal = portal.rstrip("/")
        self._known: dict[tuple[str, str], Ed25519PublicKey] = {}
        self._lock = threading.Lock()

    def sign(self, data: bytes) -> dict[str, str]:
        value = base64.b64encode(self.private.sign(data)).decode()
        return {"alg": "Ed25519", "key_id": self.key_id, "value": value}

    def _refresh(self) -> None:
        listing = httpx.get(f"{self.portal}/exchange/v1/keys", timeout=10).json()
        with self._lock:
            self._known = {
                (k["system"], k["key_id"]): Ed25519PublicKey.from_public_bytes(
                    base64.b64decode(k["public_key"])
                )
                for k in listing["keys"]
            }

    def verify(self, system: str, signature: Any, data: bytes) -> bool:
        """Is `data` signed by a published key of `system`? Fetches keys it does not know."""
        if not isinstance(signature, dict) or signature.get("alg") != "Ed25519":
            return False
        name = (system, str(signature.get("key_id")))
        if name not in self._known:
            self._refresh()  # a new or rotated key
        key = self._known.get(name)
        if key is None:
            return False
        try:
            key.verify(base64.b64decode(str(signature.get("value"))), data)
        except (InvalidSignature, ValueError):
            return False
        return True


# --- Provider ------------------------------------------------------------------------------


def problem(status: int, code: str, title: str) -> tuple[int, dict[str, Any]]:
    return status, {
        "type": f"urn:uslugi:problem:{code}",
        "status": status,
        "code": code,
        "title": title,
    }


class Provider:
    """Answers example.echo/1. Idempotent: an id seen before gets the same answer again."""

    def __init__(self, keys: Keys, *, unavailable: int = 0) -> None:
        self.keys = keys
        self.unavailable = unavailable  # answer 503 to this many requests first (a demo outage)
        self.answers: dict[str, tuple[str, dict[str, Any]]] = {}  # id -> (signature, answer)
        self.lock = threading.Lock()

    def handle(self, body: bytes) -> tuple[int, dict[str, Any]]:  # noqa: PLR0911 - one per answer
        try:
            env = json.loads(body)
            signed = request_signing_bytes(env)
        except (ValueError, KeyError, TypeError, AttributeError):
            return problem(400, "malformed_envelope", "The envelope cannot be read.")
        if not self.keys.verify(env["sender"], env.get("signature"), signed):
            return problem(401, "bad_signature", "The signature does not verify.")
        if env["recipient"] != SYSTEM or env["type"] != ECHO_TYPE:
            return problem(404, "unknown_message_type", f"{SYSTEM} answers {ECHO_TYPE} only.")
        with self.lock:
            seen = self.answers.get(env["id"])
            if seen is not None:
                if seen[0] != env["signature"]["value"]:
                    return problem(409, "duplicate_message", "Another message had this id.")
                return 200, seen[1]
            if self.unavailable > 0:
                self.unavailable -= 1
                return problem(503, "unavailable", "Down for maintenance; try again.")
        text = env["payload"].get("text")
        if not isinstance(text, str) or not text:
            return problem(422, "invalid_payload", "text is required.")
        answer: dict[str, Any] = {
            "v": 1,
            "message_id": env["id"],
            "correlation_id": env["correlation_id"],
            "sender": SYSTEM,
            "recipient": env["sender"],
            "type": env["type"],
            "answered": utc(dt.datetime.now(dt.UTC)),
            "status": "ok",
            "payload": {"text": text, "length": len(text), "provider": SYSTEM},
            "error": None,
        }
        answer["signature"] = self.keys.sign(response_signing_bytes(answer))
        with self.lock:
            self.answers[env["id"]] = (env["signature"]["value"], answer)
        return 200, answer


def serve(args: argparse.Namespace) -> int:
    keys = Keys(Path(args.key_file), args.portal)
    provider = Provider(keys, unavailable=args.unavailable)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            if self.path != "/exchange/v1/messages":
                self._send(*problem(404, "not_found", "Not found."))
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._send(*problem(413, "envelope_too_large", "Too large."))
                return
            self._send(*provider.handle(self.rfile.read(length)))

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            kind = "application/json" if status == 200 else "application/problem+json"
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            if status == 503:
                self.send_header("Retry-After", "1")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            if args and str(args[1]) != "200":
                sys.stderr.write(f"exchange_provider: {format % args}\n")

    server = ThreadingHTTPServer((args.host, args.port), Handler)
    url = f"http://{args.host}:{server.server_address[1]}"
    # One JSON line first (tests and scripts read it), then instructions for people.
    print(
        json.dumps(
            {"system": SYSTEM, "url": url, "public_key": keys.public_b64, "key_id": keys.key_id}
        ),
        flush=True,
    )
    print(
        f"Provider of {ECHO_TYPE} on {url}. Register it with the portal:\n"
        f"  uv run uslugi exchange system {SYSTEM} --external --base-url {url} "
        f"--public-key {keys.public_b64}\n"
        f"  uv run uslugi exchange grant portal {ECHO_TYPE}",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


# --- Consumer ------------------------------------------------------------------------------


def call(args: argparse.Namespace) -> int:
    keys = Keys(Path(args.key_file), args.portal)
    now = dt.datetime.now(dt.UTC)
    env: dict[str, Any] = {
        "v": 1,
        "id": str(uuid.uuid4()),
        "correlation_id": str(uuid.uuid4()),
        "sender": SYSTEM,
        "recipient": args.recipient,
        "type": args.type,
        "created": utc(now),
        "deadline": utc(now + dt.timedelta(seconds=args.timeout)),
        "test": False,
        "payload": json.loads(args.payload),
        "attachments": [],
    }
    env["signature"] = keys.sign(request_signing_bytes(env))
    for attempt in range(1, args.attempts + 1):
        try:
            response = httpx.post(
                f"{keys.portal}/exchange/v1/messages", json=env, timeout=args.timeout
            )
        except httpx.HTTPError as exc:
            print(f"attempt {attempt}: {type(exc).__name__}", file=sys.stderr)
            continue
        if response.status_code == 503 and attempt < args.attempts:
            continue  # the same envelope again: the portal answers an id only once
        if response.status_code != 200:
            print(json.dumps(response.json(), ensure_ascii=False, indent=2))
            return 1
        answer = response.json()
        if not keys.verify(
            answer["sender"], answer.get("signature"), response_signing_bytes(answer)
        ):
            print("the answer's signature does not verify", file=sys.stderr)
            return 2
        print(json.dumps(answer, ensure_ascii=False, indent=2))
        return 0
    return 1


def main(argv: list[str] | None = None) -> int:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--portal", default="http://127.0.0.1:8000", help="the portal's base URL")
    common.add_argument(
        "--key-file", default="var/example-provider.key", help="this system's private key"
    )
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("serve", parents=[common], help="answer example.echo/1 over HTTP")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8010, help="0: any free port")
    run.add_argument("--unavailable", type=int, default=0, help="answer 503 this many times first")
    ask = sub.add_parser(
        "call", parents=[common], help="send one request to the portal and print the answer"
    )
    ask.add_argument("--type", required=True, help="message type, e.g. pfr.snils-verify/1")
    ask.add_argument("--recipient", required=True, help="the type's provider system")
    ask.add_argument("--payload", required=True, help="request payload as JSON")
    ask.add_argument("--timeout", type=float, default=30.0)
    ask.add_argument("--attempts", type=int, default=3)
    args = parser.parse_args(argv)
    return serve(args) if args.command == "serve" else call(args)


if __name__ == "__main__":
    sys.exit(main())
