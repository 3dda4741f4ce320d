"""Development: reading the emails Django's file backend wrote (EMAIL_FILE_PATH)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from django.conf import settings

SEPARATOR = b"\n" + b"-" * 79 + b"\n"
MAX_FILES = 50


@dataclass(frozen=True)
class OutboxEmail:
    file: str
    written_at: dt.datetime
    to: str
    subject: str
    body: str


def file_backend_in_use() -> bool:
    return settings.EMAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend"


def read_mail_dir(directory: Path | None = None, *, limit: int = 100) -> list[OutboxEmail]:
    """The newest emails in the directory (newest file first)."""
    folder = Path(directory or getattr(settings, "EMAIL_FILE_PATH", "") or "")
    if not str(folder) or not folder.is_dir():
        return []
    files = sorted(
        (f for f in folder.iterdir() if f.is_file() and f.suffix == ".log"),
        key=lambda f: (f.stat().st_mtime_ns, f.name),
        reverse=True,
    )[:MAX_FILES]
    emails: list[OutboxEmail] = []
    for file in files:
        written = dt.datetime.fromtimestamp(file.stat().st_mtime, tz=dt.UTC)
        for chunk in reversed(file.read_bytes().split(SEPARATOR)):
            if not chunk.strip():
                continue
            message = message_from_bytes(chunk.lstrip(b"\n"), policy=policy.default)
            emails.append(_parsed(file.name, written, message))
            if len(emails) >= limit:
                return emails
    return emails


def _parsed(name: str, written: dt.datetime, message: EmailMessage) -> OutboxEmail:
    part = message.get_body(preferencelist=("plain", "html"))
    body = part.get_content() if part is not None else ""
    return OutboxEmail(
        file=name,
        written_at=written,
        to=str(message.get("To", "")),
        subject=str(message.get("Subject", "")),
        body=str(body),
    )
