"""Uploaded files: their type told by content (never by name or the browser's word).

`sniff` reads the first bytes; `check_upload` applies a field's rules (allowed types,
size, count) and answers a translated message for the person.
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from django.utils.translation import gettext as _

HEAD_BYTES = 16

# Signatures of the types a definition may accept (first bytes of the file).
_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"%PDF-", 0, "application/pdf"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"II*\x00", 0, "image/tiff"),
    (b"MM\x00*", 0, "image/tiff"),
    (b"WEBP", 8, "image/webp"),
)
LABELS = {
    "application/pdf": "PDF",
    "image/jpeg": "JPG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/tiff": "TIFF",
    "image/webp": "WEBP",
}


def sniff(head: bytes) -> str | None:
    """The content type the bytes show, or None when they show none we know."""
    for signature, offset, content_type in _SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            if content_type == "image/webp" and not head.startswith(b"RIFF"):
                continue
            return content_type
    return None


def read_all(upload: UploadedFile) -> bytes:
    upload.seek(0)
    data = b"".join(upload.chunks())
    upload.seek(0)
    return data


def accepted_labels(field: dict[str, Any]) -> str:
    return ", ".join(LABELS.get(t, t) for t in field["accept"])


def check_upload(field: dict[str, Any], upload: UploadedFile) -> tuple[str | None, str]:
    """(content type, "") for an acceptable file, else (None, what is wrong)."""
    name = upload.name or "file"
    limit = field.get("max_size_kb")
    if limit is not None and (upload.size or 0) > limit * 1024:
        return None, _("“%(name)s” is larger than %(size)s MB.") % {
            "name": name,
            "size": f"{limit / 1024:g}",
        }
    if not upload.size:
        return None, _("“%(name)s” is empty.") % {"name": name}
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    content_type = sniff(head)
    if content_type is None or content_type not in field["accept"]:
        return None, _(
            "“%(name)s” is not a %(types)s file. Choose a file of one of those types."
        ) % {
            "name": name,
            "types": accepted_labels(field),
        }
    return content_type, ""


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def download(content: bytes, *, content_type: str, filename: str) -> FileResponse:
    """A stored file sent as a download (Content-Disposition: attachment, its name).

    Given a file-like body, Django sets the name and length; an iterator would get
    neither, and browsers would open the file in place.
    """
    return FileResponse(
        io.BytesIO(content), content_type=content_type, as_attachment=True, filename=filename
    )
