"""`uslugi serve`: the production web server (granian, WSGI)."""

from __future__ import annotations

import os
import shutil
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Serve the portal with granian (WSGI). Workers default to the number of CPU cores; "
        "run `uslugi collectstatic` first in production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_WORKERS", os.cpu_count() or 1))
        )
        parser.add_argument(
            "--blocking-threads",
            type=int,
            default=int(os.environ.get("WEB_THREADS", "4")),
            help="Threads per worker for blocking (Django) code.",
        )
        parser.add_argument("--backlog", type=int, default=1024)

    def handle(self, *args: Any, **opts: Any) -> None:
        granian = shutil.which("granian") or os.path.join(
            os.path.dirname(sys.executable), "granian"
        )
        if not os.path.exists(granian):
            raise CommandError("granian is not installed (uv sync installs it)")
        argv = [
            granian,
            "--interface",
            "wsgi",
            "uslugi.wsgi:application",
            "--host",
            opts["host"],
            "--port",
            str(opts["port"]),
            "--workers",
            str(opts["workers"]),
            "--blocking-threads",
            str(opts["blocking_threads"]),
            "--backlog",
            str(opts["backlog"]),
            "--no-ws",
        ]
        self.stdout.write(
            f"uslugi: serving on http://{opts['host']}:{opts['port']} with {opts['workers']} workers"
        )
        sys.stdout.flush()
        os.execv(granian, argv)  # noqa: S606 - replace this process with the server
