"""`uslugi catalog load-reference | load-demo | generate | import FILE | export FILE | reindex`."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from uslugi.catalog import demo, errors, generator, reference, services
from uslugi.catalog.search import indexing


class Command(BaseCommand):
    help = "The register of services: reference data, generation, import, export, index."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("load-reference", help="regions, categories, departments, offices")
        sub.add_parser("load-demo", help="reference data, hand-written services, life situations")
        gen = sub.add_parser("generate", help="the synthetic national-scale register")
        gen.add_argument("--scale", choices=sorted(generator.SCALES), default="national")
        gen.add_argument("--seed", type=int, default=2011)
        imp = sub.add_parser("import", help="create or update services from a JSON file")
        imp.add_argument("file", type=Path)
        exp = sub.add_parser("export", help="write the register to a JSON file")
        exp.add_argument("file", type=Path)
        exp.add_argument("--without-generated", action="store_true")
        sub.add_parser("reindex", help="rebuild the search index")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        started = time.monotonic()
        if action == "load-reference":
            self.stdout.write(json.dumps(reference.load_reference()))
        elif action == "load-demo":
            self.stdout.write(json.dumps(demo.load_catalogue()))
        elif action == "generate":
            counts = generator.generate(scale=options["scale"], seed=options["seed"])
            self.stdout.write(json.dumps(counts))
        elif action == "import":
            self._import(options["file"])
        elif action == "export":
            data = services.register_export(include_generated=not options["without_generated"])
            options["file"].write_text(json.dumps(data, ensure_ascii=False, indent=1))
            self.stdout.write(f"exported {len(data['services'])} services to {options['file']}")
        elif action == "reindex":
            self.stdout.write(f"indexed {indexing.index_all()} services")
        self.stdout.write(f"\n{action}: {time.monotonic() - started:.1f} s\n")

    def _import(self, path: Path) -> None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"{path}: cannot read the file as JSON: {exc}") from exc
        records = data.get("services") if isinstance(data, dict) else data
        try:
            report = services.register_import(records=records)
        except errors.RegisterFileInvalid as exc:
            lines = "\n".join(f"  {p}" for p in exc.problems)
            raise CommandError(f"{path}: nothing was imported; problems:\n{lines}") from exc
        self.stdout.write(
            f"imported {path}: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged"
        )
