"""An agency's information system pulling applications from Uslugi, in one file (httpx).

It does what an agency system integrating with the portal's API does (docs/agencies.md,
"The integration API"):

1. gets an access token with its OAuth2 client credentials (`POST /o/token/`);
2. leases a batch of new applications (`POST /api/v1/agency/applications/lease`);
3. for each: fetches it with its payload, downloads its files (checking their SHA-256),
   acknowledges it, reports `accepted`, uploads a generated result PDF and reports
   `approved` with it. Event ids are derived from the application, so a rerun after a
   crash repeats nothing: the portal answers a known event id with the stored event.

Nothing here imports Uslugi. Register the system first (prints the credentials once):

    uv run uslugi agency_system create --name "Migration CRM" --department mvd-migration --test
    uv run python examples/agency_client.py --portal http://127.0.0.1:8000 \\
        --client-id <id> --client-secret <secret> --until-empty
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from typing import Any

import httpx

API = "/api/v1/agency"
SCOPES = "applications:read applications:write"


def result_pdf(number: str) -> bytes:
    """A one-page PDF saying the application is approved (no PDF library needed)."""
    text = f"Decision: application {number} is approved.".replace("(", "").replace(")", "")
    stream = f"BT /F1 14 Tf 72 760 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number_, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number_, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


class Portal:
    """The portal's API with a client-credentials token, renewed when it runs out."""

    def __init__(
        self, base: str, client_id: str, client_secret: str, timeout: float, keep_alive: bool
    ) -> None:
        limits = httpx.Limits() if keep_alive else httpx.Limits(max_keepalive_connections=0)
        self.http = httpx.Client(base_url=base.rstrip("/"), timeout=timeout, limits=limits)
        self.client_id, self.client_secret = client_id, client_secret
        self.token = ""
        self.expires_at = 0.0

    def _authorize(self) -> None:
        response = self.http.post(
            "/o/token/",
            data={"grant_type": "client_credentials", "scope": SCOPES},
            auth=(self.client_id, self.client_secret),
        )
        response.raise_for_status()
        body = response.json()
        self.token = body["access_token"]
        self.expires_at = time.monotonic() + float(body.get("expires_in", 3600)) - 30

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        for attempt in range(2):
            if not self.token or time.monotonic() >= self.expires_at:
                self._authorize()
            response = self.http.request(
                method, path, headers={"Authorization": f"Bearer {self.token}"}, **kwargs
            )
            if response.status_code == 401 and attempt == 0:
                self.token = ""  # revoked or expired early: one new token, one retry
                continue
            return response
        return response

    def close(self) -> None:
        self.http.close()


def _ok(response: httpx.Response, *expected: int) -> Any:
    if response.status_code not in (expected or (200,)):
        raise RuntimeError(
            f"{response.request.method} {response.request.url.path}: "
            f"{response.status_code} {response.text[:300]}"
        )
    return response.json() if "json" in response.headers.get("content-type", "") else None


def process(portal: Portal, ref: dict[str, Any]) -> str:
    """Everything the agency does with one leased application; a line saying what."""
    base = f"{API}/applications/{ref['id']}"
    application = _ok(portal.request("GET", base))
    downloaded = 0
    for file in _ok(portal.request("GET", f"{base}/files")):
        content = portal.request("GET", file["url"])
        _ok_status(content)
        if hashlib.sha256(content.content).hexdigest() != file["sha256"]:
            raise RuntimeError(f"{file['url']}: the content does not match its SHA-256")
        downloaded += 1
    _ok(portal.request("POST", f"{base}/ack"))
    number = application["number"]
    _ok(
        portal.request(
            "POST",
            f"{base}/events",
            json={"event_id": f"{ref['id']}:accepted", "status": "accepted"},
        ),
        200,
        201,
    )
    uploaded = _ok(
        portal.request(
            "POST",
            f"{base}/results",
            files={"files": (f"decision-{number}.pdf", result_pdf(number), "application/pdf")},
        ),
        201,
    )
    approved = _ok(
        portal.request(
            "POST",
            f"{base}/events",
            json={
                "event_id": f"{ref['id']}:approved",
                "status": "approved",
                "comment": "Approved by the example agency system.",
                "result_ids": [r["id"] for r in uploaded],
            },
        ),
        200,
        201,
    )
    return (
        f"{number} ({application['service_code']} v{application['version']}): "
        f"{len(application['payload'])} payload fields, {downloaded} file(s) downloaded, "
        f"acknowledged, accepted, {approved['status']} with "
        f"{len(approved['result_ids'])} result document(s)"
    )


def _ok_status(response: httpx.Response) -> None:
    if response.status_code != 200:
        raise RuntimeError(f"{response.request.url.path}: {response.status_code}")


def run(args: argparse.Namespace) -> int:
    portal = Portal(
        args.portal, args.client_id, args.client_secret, args.timeout, not args.no_keep_alive
    )
    done = failed = 0
    try:
        while args.max is None or done + failed < args.max:
            leased = _ok(
                portal.request("POST", f"{API}/applications/lease", params={"limit": args.batch})
            )
            if not leased["items"]:
                if args.until_empty:
                    break
                time.sleep(args.poll)
                continue
            for ref in leased["items"]:
                try:
                    print(process(portal, ref), flush=True)
                    done += 1
                except (RuntimeError, httpx.HTTPError) as exc:
                    # Not acknowledged or not finished: offered again when the lease ends.
                    print(f"{ref['number']}: failed: {exc}", flush=True)
                    failed += 1
    finally:
        portal.close()
    print(f"done: {done} approved, {failed} failed", flush=True)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portal", required=True, help="the portal's base URL")
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--batch", type=int, default=10, help="applications per lease")
    parser.add_argument("--max", type=int, default=None, help="stop after this many")
    parser.add_argument(
        "--until-empty", action="store_true", help="exit when nothing is left to lease"
    )
    parser.add_argument("--poll", type=float, default=5.0, help="seconds between empty polls")
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument(
        "--no-keep-alive",
        action="store_true",
        help="a new connection per request (Django's development server answers a kept-alive "
        "connection tens of milliseconds late)",
    )
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
