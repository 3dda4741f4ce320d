"""`uslugi periodic [--loop]`: run the periodic jobs of settings.PERIODIC_JOBS.

Each job is a function without arguments, run when its interval has passed; a failing
job is logged and retried at its next turn, never stopping the others. Several copies
may run: every job is safe to run concurrently (claims by conditional UPDATE).
"""

from __future__ import annotations

import time
from typing import Any

import structlog
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils.module_loading import import_string

log = structlog.get_logger(__name__)


class Command(BaseCommand):
    help = "Run the periodic jobs once, or forever with --loop."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep running (Ctrl-C stops).")
        parser.add_argument("--tick", type=float, default=5.0, help="Seconds between checks.")

    def handle(self, *args: Any, loop: bool, tick: float, **options: Any) -> None:
        jobs = [(path, import_string(path), every) for path, every in settings.PERIODIC_JOBS]
        last: dict[str, float] = {}
        while True:
            now = time.monotonic()
            for path, job, every in jobs:
                if loop and now - last.get(path, -every) < every:
                    continue
                last[path] = now
                try:
                    result = job()
                except Exception:
                    log.exception("periodic.job_failed", job=path)
                else:
                    log.info("periodic.job_done", job=path, result=str(result))
                    if not loop:
                        self.stdout.write(f"{path}: {result}\n")
            if not loop:
                return
            time.sleep(tick)
