"""Sending codes and letters through tasks, enqueued in the caller's transaction.

A task's arguments are stored in the task table until it runs, so they are sealed with
the personal-data keyring: no code, phone or address sits there in clear.
"""

from __future__ import annotations

import json
from typing import Any

from uslugi.core.crypto import keyring

_AAD = b"uslugi.identity.delivery"


def seal(payload: dict[str, Any]) -> str:
    return keyring().encrypt(json.dumps(payload, ensure_ascii=False).encode("utf-8"), _AAD)


def unseal(token: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(keyring().decrypt(token, _AAD))
    return data


def queue_sms(*, phone: str, text: str) -> None:
    from uslugi.identity.tasks import deliver_sms

    deliver_sms.enqueue(seal({"phone": phone, "text": text}))


def queue_email(*, to: str, subject: str, body: str) -> None:
    from uslugi.identity.tasks import deliver_email

    deliver_email.enqueue(seal({"to": to, "subject": subject, "body": body}))


def queue_letter(*, request_id: str, recipient: str, address: str, text: str) -> None:
    from uslugi.identity.tasks import deliver_letter

    deliver_letter.enqueue(
        request_id, seal({"recipient": recipient, "address": address, "text": text})
    )
