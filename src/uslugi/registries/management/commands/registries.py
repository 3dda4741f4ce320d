"""`uslugi registries generate|demo-identities|fault|delete`: the sandbox registries."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from uslugi.core.errors import DomainError
from uslugi.registries import selectors, services
from uslugi.registries.constants import FaultMode, RegistryCode
from uslugi.registries.demo import DEMO_SEED, write_identities


class Command(BaseCommand):
    help = "Sandbox agency registries: generate the synthetic population, show demo identities, inject faults."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        generate = sub.add_parser("generate", help="generate a synthetic population")
        generate.add_argument("--persons", type=int, required=True, help="number of persons")
        generate.add_argument("--seed", type=int, default=DEMO_SEED, help="random seed")
        generate.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            default=None,
            help="the day the population is generated as of (YYYY-MM-DD; default today)",
        )
        generate.add_argument(
            "--reset", action="store_true", help="replace the population the registries hold"
        )
        generate.add_argument(
            "--batch-size", type=int, default=5_000, help="rows per INSERT (default 5000)"
        )
        generate.add_argument(
            "--method",
            choices=["copy", "orm"],
            default="copy",
            help="copy: prepared rows straight to the database (default); orm: bulk_create",
        )
        generate.add_argument(
            "--dry-run",
            action="store_true",
            help="generate and prepare the rows but write nothing (measures the database's share)",
        )
        generate.add_argument(
            "--json", action="store_true", help="print the figures as one JSON line"
        )
        sub.add_parser("demo-identities", help="print the demo identities again")
        sub.add_parser("delete", help="remove the generated population")
        fault = sub.add_parser("fault", help="inject a fault into a registry (or clear it)")
        fault.add_argument("registry", choices=RegistryCode.values)
        fault.add_argument("mode", choices=[*FaultMode.values, "clear"])
        fault.add_argument("--delay-ms", type=int, default=0)
        fault.add_argument("--error-rate", type=int, default=0)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "generate":
            self._generate(options)
        elif action == "demo-identities":
            identities = selectors.demo_identities()
            if not identities:
                raise CommandError(
                    "no population yet: run `uslugi demo` or `uslugi registries generate`"
                )
            write_identities(self.stdout, identities)
        elif action == "delete":
            services.population_delete()
            self.stdout.write("population removed\n")
        elif action == "fault":
            self._fault(options)

    def _generate(self, options: dict[str, Any]) -> None:
        persons = options["persons"]
        if persons < 1:
            raise CommandError("--persons must be at least 1")
        quiet = options["json"] or options["verbosity"] == 0

        def progress(done: int, total: int) -> None:
            if not quiet and (done == total or done % 50_000 == 0):
                self.stderr.write(f"  {done:,} / {total:,} persons")

        try:
            result = services.population_generate(
                persons=persons,
                seed=options["seed"],
                reset=options["reset"],
                as_of=options["as_of"],
                batch_size=options["batch_size"],
                method=options["method"],
                dry_run=options["dry_run"],
                progress=progress,
            )
        except DomainError as exc:
            raise CommandError(exc.text) from None
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "persons": result.persons,
                        "seed": result.seed,
                        "method": options["method"],
                        "duration_s": result.duration_s,
                        "persons_per_s": result.persons_per_s,
                        "rows": result.rows,
                        "counts": result.counts,
                        "timings": result.timings.as_dict(),
                        "dry_run": options["dry_run"],
                        "chunk_s": result.chunk_seconds,
                    }
                )
                + "\n"
            )
            return
        self.stdout.write(
            f"generated {result.persons:,} persons ({result.rows:,} rows) with seed "
            f"{result.seed} in {result.duration_s:.1f} s: {result.persons_per_s:,.0f} persons/s\n"
        )
        for label, count in sorted(result.counts.items()):
            self.stdout.write(f"  {label}: {count:,}\n")
        write_identities(self.stdout, result.identities)

    def _fault(self, options: dict[str, Any]) -> None:
        registry, mode = options["registry"], options["mode"]
        if mode == "clear":
            services.registry_fault_clear(registry=registry)
            self.stdout.write(f"{registry}: answering normally\n")
            return
        try:
            services.registry_fault_set(
                registry=registry,
                mode=mode,
                delay_ms=options["delay_ms"],
                error_rate=options["error_rate"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{registry}: fault {mode} injected\n")
