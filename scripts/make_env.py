"""Create .env from .env.example with fresh random secrets (development only)."""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def main() -> None:
    target = ROOT / ".env"
    if target.exists():
        print(".env exists; leaving it as it is")
        return
    values = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": f"dev1:{_key()}",
        "BLIND_INDEX_KEY": _key(),
    }
    lines = []
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        name = line.split("=", 1)[0]
        lines.append(f"{name}={values[name]}" if name in values and "=" in line else line)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    target.chmod(0o600)
    print("created .env with fresh development secrets")


if __name__ == "__main__":
    main()
