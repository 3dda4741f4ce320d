"""`uslugi forms check [DIR]` (lint every definition) and `uslugi forms load [DIR]`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from uslugi.forms import definitions, services


class Command(BaseCommand):
    help = "Service definitions: lint the YAML files, load them as versions."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (
            ("check", "lint all definitions"),
            ("load", "store definitions as versions"),
        ):
            action = sub.add_parser(name, help=text)
            action.add_argument(
                "root", nargs="?", type=Path, help="folder of <code>/<variant>.yaml"
            )

    def handle(self, *args: Any, **options: Any) -> None:
        root = options["root"] or definitions.services_root()
        if not root.is_dir():
            raise CommandError(f"{root}: no such folder")
        if options["action"] == "check":
            good, problems = definitions.check_all(root)
            for problem in problems:
                self.stderr.write(str(problem))
            if problems:
                raise CommandError(f"{len(problems)} problem(s); {len(good)} definition(s) valid")
            self.stdout.write(f"{len(good)} definition(s) valid")
            return
        report = services.definitions_load(root=root, publish=options.get("publish", False))
        for problem in report.problems:
            self.stderr.write(str(problem))
        self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        if report.problems:
            raise CommandError(f"{len(report.problems)} problem(s); valid files were loaded")
