"""`uslugi notifications ...`: operate notifications.

uslugi notifications sweep [--loop] [--interval S]   queue again what is overdue
uslugi notifications templates load                  store missing shipped texts (version 1)
uslugi notifications templates check                 check every newest version renders
"""

from __future__ import annotations

import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from uslugi.notifications import rendering, services
from uslugi.notifications.models import NotificationTemplate


class Command(BaseCommand):
    help = "Operate notifications: sweep overdue deliveries, load and check templates."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sweep = sub.add_parser("sweep", help="Queue again notifications pending too long.")
        sweep.add_argument("--loop", action="store_true", help="Keep sweeping until stopped.")
        sweep.add_argument("--interval", type=float, default=60.0, help="Seconds between sweeps.")
        templates = sub.add_parser("templates", help="Shipped and edited templates.")
        templates.add_argument("templates_action", choices=["load", "check"])

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        getattr(self, f"do_{action}")(**options)

    def do_sweep(self, *, loop: bool, interval: float, **options: Any) -> None:
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        if loop:
            signal.signal(signal.SIGTERM, stop)
        while True:
            report = services.notifications_sweep()
            self.stdout.write(
                f"notifications: {len(report.queued)} queued, {report.released} released, "
                f"{report.failed} failed"
            )
            if not loop or stopping:
                return
            try:
                time.sleep(interval)
            except KeyboardInterrupt:
                return

    def do_templates(self, *, templates_action: str, **options: Any) -> None:
        if templates_action == "load":
            added = rendering.templates_load()
            self.stdout.write(f"notifications: {added} shipped templates added")
            return
        broken = []
        latest: dict[tuple[str, str, str], NotificationTemplate] = {}
        for template in NotificationTemplate.objects.order_by("version"):
            latest[template.event, template.channel, template.language] = template
        for template in latest.values():
            try:
                rendering.validate(
                    event=template.event, subject=template.subject, body=template.body
                )
            except Exception as exc:  # noqa: BLE001 - reported, then the command fails
                broken.append(f"{template}: {type(exc).__name__}: {exc}")
        for line in broken:
            self.stderr.write(line)
        if broken:
            raise CommandError(f"{len(broken)} templates do not render")
        self.stdout.write(f"notifications: {len(latest)} templates render")
