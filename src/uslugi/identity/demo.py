"""Demo accounts (development only; the password is published in the README)."""

from __future__ import annotations

from typing import TextIO

from uslugi.identity.models import Account

DEMO_ADMIN_EMAIL = "admin@uslugi.local"
DEMO_ADMIN_PASSWORD = "Uslugi-Demo-2026"  # noqa: S105 - development demo data, documented


def load(stdout: TextIO) -> None:
    if not Account.objects.filter(email=DEMO_ADMIN_EMAIL).exists():
        Account.objects.create_superuser(
            DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, surname="Администратор", first_name="Демо"
        )
    stdout.write(f"demo administrator: {DEMO_ADMIN_EMAIL} / {DEMO_ADMIN_PASSWORD}\n")
