"""`uslugi autotest run [--full] [SERVICE ...]` and `uslugi autotest check`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from uslugi.agencies import autotests


class Command(BaseCommand):
    help = "Monitoring autotests: run the short (or --full) scenario of services; check runs."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="Start runs (every published service by default).")
        run.add_argument("services", nargs="*", metavar="SERVICE")
        run.add_argument("--full", action="store_true", help="Expect the agency's answer.")
        sub.add_parser("check", help="Close the runs that can be closed.")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "check":
            self.stdout.write(f"closed {autotests.autotests_check()} run(s)\n")
            return
        published = autotests.published_services()
        services = options["services"] or published
        unknown = sorted(set(services) - set(published))
        if unknown:
            raise CommandError(f"no published application service: {', '.join(unknown)}")
        failed = 0
        for code in services:
            record = autotests.run(code, full=options["full"])
            number = record.application.number if record.application else "-"
            self.stdout.write(f"{code}: {record.status} {number} {record.detail}\n".rstrip() + "\n")
            failed += record.status == "failed"
        if failed:
            raise CommandError(f"{failed} run(s) failed")
