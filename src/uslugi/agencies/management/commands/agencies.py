"""`uslugi agencies calendar load [FILE]`: the production calendar (working days)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.core.management.base import BaseCommand, CommandError, CommandParser

from uslugi.agencies.working_days import CALENDAR_FILE, calendar_load


class Command(BaseCommand):
    help = "The agencies' back office: the production calendar."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subject", required=True)
        calendar = sub.add_parser("calendar", help="the production calendar")
        actions = calendar.add_subparsers(dest="action", required=True)
        load = actions.add_parser("load", help="load the days of a calendar file")
        load.add_argument("file", type=Path, nargs="?", default=CALENDAR_FILE)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            count = calendar_load(path)
        except (OSError, yaml.YAMLError, ValueError, TypeError) as exc:
            raise CommandError(f"{path}: cannot load the calendar: {exc}") from exc
        self.stdout.write(f"production calendar: {count} days loaded from {path}\n")
