"""`uslugi worker`: run the background-task worker (django-tasks-db's db_worker)."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the background-task worker until stopped (Ctrl-C)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--queue-name", default="default", help="Queue(s), comma-separated, or '*'."
        )
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls.")
        parser.add_argument("--batch", action="store_true", help="Drain the queue, then exit.")

    def handle(
        self, *args: Any, queue_name: str, interval: float, batch: bool, **options: Any
    ) -> None:
        extra = ["--batch"] if batch else []
        call_command("db_worker", "--queue-name", queue_name, "--interval", str(interval), *extra)
