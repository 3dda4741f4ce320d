"""`uslugi keys`: keys for personal-data encryption.

    uslugi keys generate [--id ID] [--blind-index]   print a new key entry
    uslugi keys status                                 values per key id, per field
    uslugi keys rotate [--batch-size N] [--max-batches N] [--dry-run]
    uslugi keys reindex [--batch-size N] [--max-batches N] [--dry-run]

Rotating the encryption key: put the new entry first in FIELD_ENCRYPTION_KEYS (keep the
old ones after it), deploy, run `keys rotate` (again after an interruption), check
`keys status` shows nothing on the old ids, then remove them.
"""

from __future__ import annotations

import argparse
import os
import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from uslugi.core import clock
from uslugi.core.crypto import KEY_BYTES, encode_key, keyring
from uslugi.core.keys import (
    MALFORMED,
    KeyRotationError,
    keys_reindex,
    keys_rotate,
    keys_status,
)

_KEY_ID = re.compile(r"[A-Za-z0-9_.-]{1,32}")


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("must be a whole number of at least 1")
    return int(text)


class Command(BaseCommand):
    help = "Keys for personal-data encryption: generate, status, rotate, reindex."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        generate = actions.add_parser("generate", help="print a new key entry")
        generate.add_argument("--id", dest="key_id", help="key id (default: k + today's date)")
        generate.add_argument(
            "--blind-index",
            action="store_true",
            help="print a bare key for BLIND_INDEX_KEY instead of an id:key entry",
        )
        actions.add_parser("status", help="how many values of each field are on each key")
        for name, text in (
            ("rotate", "re-encrypt every value not on the active (first) key"),
            ("reindex", "recompute every blind index with the current BLIND_INDEX_KEY"),
        ):
            sub = actions.add_parser(name, help=text)
            sub.add_argument("--batch-size", type=_positive, default=500)
            sub.add_argument("--max-batches", type=_positive, default=None)
            sub.add_argument("--dry-run", action="store_true", help="read and check, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "generate":
                self.generate(key_id=options["key_id"], blind_index=options["blind_index"])
            elif action == "status":
                self.status()
            elif action == "rotate":
                self.rotate(options)
            else:
                self.reindex(options)
        except (KeyRotationError, ValueError) as exc:
            raise CommandError(str(exc)) from None

    def generate(self, *, key_id: str | None, blind_index: bool) -> None:
        key = encode_key(os.urandom(KEY_BYTES))
        if blind_index:
            self.stdout.write(key)
            return
        key_id = key_id or f"k{clock.today():%Y%m%d}"
        if not _KEY_ID.fullmatch(key_id):
            raise CommandError("a key id is 1-32 letters, digits, '-', '_' or '.'")
        self.stdout.write(f"{key_id}:{key}")
        self.stderr.write(
            "Put it first in FIELD_ENCRYPTION_KEYS (keep the old keys after it), deploy, "
            "then run `uslugi keys rotate`."
        )

    def status(self) -> None:
        ring = keyring()
        self.stdout.write(f"active key: {ring.active_id}; keyring: {', '.join(ring.key_ids)}")
        for field in keys_status():
            parts = []
            for key_id, count in field.by_key.items():
                if key_id == MALFORMED:
                    note = " (not encrypted values!)"
                elif key_id == ring.active_id:
                    note = " (active)"
                elif key_id not in ring:
                    note = " (NOT IN KEYRING: unreadable)"
                else:
                    note = " (to rotate)"
                parts.append(f"{key_id}{note}: {count}")
            if field.nulls:
                parts.append(f"empty: {field.nulls}")
            self.stdout.write(f"{field.label}: {', '.join(parts) or 'no rows'}")

    def rotate(self, options: dict[str, Any]) -> None:
        report = keys_rotate(
            batch_size=options["batch_size"],
            max_batches=options["max_batches"],
            dry_run=options["dry_run"],
            stdout=self.stdout,
        )
        if report.dry_run:
            self.stdout.write(
                f"dry run: {report.rotated} values would be re-encrypted with key "
                f"{report.active_key_id!r}; nothing written"
            )
        elif report.complete:
            self.stdout.write(
                self.style.SUCCESS(
                    f"done: {report.rotated} values re-encrypted; every value is on key "
                    f"{report.active_key_id!r}"
                )
            )
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"stopped: {report.rotated} values re-encrypted, {report.remaining} left "
                    "on other keys; run `uslugi keys rotate` again to resume"
                )
            )

    def reindex(self, options: dict[str, Any]) -> None:
        report = keys_reindex(
            batch_size=options["batch_size"],
            max_batches=options["max_batches"],
            dry_run=options["dry_run"],
            stdout=self.stdout,
        )
        verb = "would change" if options["dry_run"] else "changed"
        ending = "; stopped early, run again" if report.stopped_early else ""
        self.stdout.write(f"{report.rows} rows read, {report.changed} {verb}{ending}")
