"""`uslugi demo`: load demo data, idempotently (safe to run on every start).

Each app may have a `demo` module with `load(stdout)`; they run in layer order.
Refused in production: demo data includes an administrator with a published password.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Load demo data (development only; safe to repeat)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("demo data is for development only (USLUGI_ENV=production)")
        for config in apps.get_app_configs():
            if not config.name.startswith("uslugi."):
                continue
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            module.load(self.stdout)
