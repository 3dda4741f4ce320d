"""`uslugi agencies calendar load [FILE]`: the production calendar (working days).
`uslugi agencies webhooks replay --since ISO --until ISO [--application NUMBER] [--failed]`:
send webhook deliveries again (audited)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from uslugi.agencies.working_days import CALENDAR_FILE, calendar_load


def _moment(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"{text!r} is not an ISO 8601 date or time") from exc
    return value if timezone.is_aware(value) else timezone.make_aware(value)


class Command(BaseCommand):
    help = "The agencies' back office: the production calendar, webhook replay."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subject", required=True)
        calendar = sub.add_parser("calendar", help="the production calendar")
        actions = calendar.add_subparsers(dest="action", required=True)
        load = actions.add_parser("load", help="load the days of a calendar file")
        load.add_argument("file", type=Path, nargs="?", default=CALENDAR_FILE)
        webhooks = sub.add_parser("webhooks", help="webhooks to agency systems")
        webhook_actions = webhooks.add_subparsers(dest="action", required=True)
        replay = webhook_actions.add_parser(
            "replay", help="send again the deliveries created in a period"
        )
        replay.add_argument("--since", required=True, help="ISO date or time (inclusive)")
        replay.add_argument("--until", required=True, help="ISO date or time (exclusive)")
        replay.add_argument("--application", default="", help="only this application number")
        replay.add_argument("--failed", action="store_true", help="only failed deliveries")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subject"] == "webhooks":
            self._replay(options)
            return
        path: Path = options["file"]
        try:
            count = calendar_load(path)
        except (OSError, yaml.YAMLError, ValueError, TypeError) as exc:
            raise CommandError(f"{path}: cannot load the calendar: {exc}") from exc
        self.stdout.write(f"production calendar: {count} days loaded from {path}\n")

    def _replay(self, options: dict[str, Any]) -> None:
        from uslugi.agencies.webhooks import DeliveryStatus, Selection, replay_bulk
        from uslugi.applications import numbers

        since, until = _moment(options["since"]), _moment(options["until"])
        if until <= since:
            raise CommandError("--until must be after --since")
        number = ""
        if options["application"]:
            number = numbers.normalize(options["application"]) or ""
            if not number:
                raise CommandError(f"{options['application']!r} is not an application number")
        selection = Selection(
            application_number=number,
            since=since,
            until=until,
            status=DeliveryStatus.FAILED if options["failed"] else "",
        )
        count = replay_bulk(selection=selection)
        self.stdout.write(f"webhooks: {count} deliveries will be sent again\n")
