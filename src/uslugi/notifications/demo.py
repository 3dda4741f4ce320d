"""Demo data of the notifications app: the shipped templates (the migration stores them
too; this adds texts of events registered since)."""

from __future__ import annotations

from typing import Any

from uslugi.notifications.rendering import templates_load


def load(stdout: Any) -> None:
    added = templates_load()
    if added:
        stdout.write(f"notifications: {added} shipped templates added")
