"""`uslugi audit verify` checks the journal's hash chain; `uslugi audit tail` shows the
latest entries.

`verify` exits 0 when the chain is intact and 1 naming the first broken entry otherwise,
so it can run from cron or CI. It prints the head's hash: kept somewhere outside the
database, it is an anchor for later runs (`--anchor SEQ:HASH`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import structlog
from django.core.management.base import BaseCommand, CommandError, CommandParser

from uslugi.core.audit import AuditEntry, audit_verify

log = structlog.get_logger("uslugi.audit")

_ANCHOR = re.compile(r"(\d+):([0-9a-f]{64})")
USAGE_ERROR = 2


class Command(BaseCommand):
    help = "Check the audit journal's hash chain (verify) or show its latest entries (tail)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{verify,tail}")
        verify = sub.add_parser("verify", help="Walk the hash chain; name the first broken entry.")
        verify.add_argument("--from-seq", type=int, default=1, help="Start at this entry.")
        verify.add_argument("--batch-size", type=int, default=2000, help="Entries per query.")
        verify.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="SEQ:HASH",
            help="A hash noted earlier for an entry (repeatable).",
        )
        tail = sub.add_parser("tail", help="Show the latest entries, oldest first.")
        tail.add_argument("-n", dest="count", type=int, default=20, help="How many.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            self.verify(options)
        else:
            self.tail(options["count"])

    def verify(self, options: dict[str, Any]) -> None:
        anchors: dict[int, str] = {}
        for text in options["anchor"]:
            match = _ANCHOR.fullmatch(text.strip().lower())
            if match is None:
                raise CommandError(
                    f"--anchor {text!r}: expected SEQ:HASH (64 hex digits)", returncode=USAGE_ERROR
                )
            anchors[int(match[1])] = match[2]

        def progress(seq: int) -> None:
            if options["verbosity"] >= 2:
                self.stdout.write(f"checked up to entry {seq}")

        try:
            report = audit_verify(
                from_seq=options["from_seq"],
                batch_size=options["batch_size"],
                anchors=anchors,
                progress=progress,
            )
        except ValueError as exc:
            raise CommandError(str(exc), returncode=USAGE_ERROR) from exc
        if not report.ok:
            log.error(
                "audit.verify_failed",
                broken_seq=report.broken_seq,
                problem=report.problem,
                checked=report.checked,
            )
            raise CommandError(
                f"audit journal broken at entry {report.broken_seq}: {report.message} "
                f"[{report.problem}]; {report.checked} entries checked before it",
                returncode=1,
            )
        log.info(
            "audit.verified",
            checked=report.checked,
            last_seq=report.last_seq,
            last_hash=report.last_hash,
        )
        self.stdout.write(
            f"audit journal intact: {report.checked} entries checked, "
            f"last entry {report.last_seq}, hash {report.last_hash}"
        )

    def tail(self, count: int) -> None:
        if count < 1:
            raise CommandError("-n must be at least 1", returncode=USAGE_ERROR)
        entries = list(AuditEntry.objects.order_by("-seq")[:count])
        for entry in reversed(entries):
            when = entry.created_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            actor = entry.actor_label or entry.actor_id or "-"
            target = f"{entry.object_type}:{entry.object_id}" if entry.object_type else "-"
            self.stdout.write(
                f"{entry.seq:>8}  {when}  {entry.action:<28} {entry.actor_type}:{actor}  "
                f"{target}  ip={entry.ip or '-'}  request={entry.request_id or '-'}"
            )
