"""Commands of the sandbox registries: generate the synthetic population, set faults."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import structlog
from django.db import transaction

from uslugi.core import clock
from uslugi.core.audit import audit_record
from uslugi.registries.constants import MAX_FAULT_DELAY_MS, FaultMode, RegistryCode
from uslugi.registries.errors import PopulationExists
from uslugi.registries.models import InsuredPerson, PopulationRun, RegistryFault
from uslugi.registries.population.generator import CHUNK, Population
from uslugi.registries.population.writer import (
    IdentityPicker,
    Timings,
    build_rows,
    delete_population,
    insert_rows,
)

logger = structlog.get_logger(__name__)


@dataclass
class GenerationResult:
    persons: int
    seed: int
    duration_s: float
    counts: dict[str, int]
    timings: Timings
    identities: list[dict[str, Any]] = field(default_factory=list)
    chunk_seconds: list[float] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    @property
    def persons_per_s(self) -> float:
        return self.persons / self.duration_s if self.duration_s else 0.0


def population_generate(
    *,
    persons: int,
    seed: int,
    reset: bool = False,
    as_of: dt.date | None = None,
    chunk: int = CHUNK,
    batch_size: int = 5_000,
    method: str = "copy",
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> GenerationResult:
    """Fill every registry with a deterministic synthetic population of `persons` people.

    One transaction per chunk (a million persons in one transaction would hold the
    database's single writer for minutes on SQLite); the run is recorded last, so a
    `PopulationRun` exists only for a finished population. `dry_run` does everything
    but the writes (rows generated, converted and encrypted): the database's share.
    """
    if persons < 1:
        raise ValueError("persons must be at least 1")
    if not dry_run and (InsuredPerson.objects.exists() or PopulationRun.objects.exists()):
        if not reset:
            raise PopulationExists
        delete_population()
    started = time.perf_counter()
    timings = Timings()
    counts: dict[str, int] = {}
    picker = IdentityPicker()
    population = Population(persons=persons, seed=seed, as_of=as_of or clock.today(), chunk=chunk)
    chunks = population.chunks()
    done = 0
    chunk_seconds: list[float] = []
    while True:
        chunk_started = time.perf_counter()
        mark = time.perf_counter()
        batch = next(chunks, None)
        if batch is None:
            break
        timings.generate += time.perf_counter() - mark
        picker.see(batch)
        mark = time.perf_counter()
        rows = build_rows(batch)
        timings.build += time.perf_counter() - mark
        mark = time.perf_counter()
        inserted = insert_rows(rows, batch_size=batch_size, method=method, dry_run=dry_run)
        for label, count in inserted.items():
            counts[label] = counts.get(label, 0) + count
        timings.insert += time.perf_counter() - mark
        chunk_seconds.append(time.perf_counter() - chunk_started)
        done += len(batch.persons)
        if progress is not None:
            progress(done, persons)
    duration = time.perf_counter() - started
    identities = picker.identities()
    if not dry_run:
        run_fields: dict[str, Any] = {"counts": counts, "demo_identities": identities}
        PopulationRun.objects.create(seed=seed, persons=persons, duration_s=duration, **run_fields)
    logger.info(
        "registries.population_generated" if not dry_run else "registries.population_dry_run",
        persons=persons,
        seed=seed,
        duration_s=round(duration, 2),
        rows=sum(counts.values()),
    )
    return GenerationResult(
        persons=persons,
        seed=seed,
        duration_s=duration,
        counts=counts,
        timings=timings,
        identities=identities,
        chunk_seconds=chunk_seconds,
    )


@transaction.atomic
def population_delete() -> None:
    """Remove the generated population from every registry (faults are kept)."""
    delete_population()
    audit_record(action="registries.population_deleted")


@transaction.atomic
def registry_fault_set(
    *,
    registry: str,
    mode: str,
    delay_ms: int = 0,
    error_rate: int = 0,
    active: bool = True,
    note: str = "",
) -> RegistryFault:
    """Inject a fault into one registry's answers (replacing the one it had)."""
    if registry not in RegistryCode.values:
        raise ValueError(f"unknown registry {registry!r}")
    if mode not in FaultMode.values:
        raise ValueError(f"unknown fault mode {mode!r}")
    if not 0 <= delay_ms <= MAX_FAULT_DELAY_MS or not 0 <= error_rate <= 100:
        raise ValueError("delay_ms must be 0-30000 and error_rate 0-100")
    fault, _ = RegistryFault.objects.update_or_create(
        registry=registry,
        defaults={
            "mode": mode,
            "delay_ms": delay_ms,
            "error_rate": error_rate,
            "active": active,
            "note": note,
        },
    )
    audit_record(
        action="registries.fault_set",
        obj=fault,
        details={
            "registry": registry,
            "mode": mode,
            "delay_ms": delay_ms,
            "error_rate": error_rate,
            "active": active,
        },
    )
    logger.info("registries.fault_set", registry=registry, mode=mode, active=active)
    return fault


@transaction.atomic
def registry_fault_clear(*, registry: str) -> None:
    """Let a registry answer normally again."""
    deleted, _ = RegistryFault.objects.filter(registry=registry).delete()
    if deleted:
        audit_record(
            action="registries.fault_cleared",
            object_type=RegistryFault._meta.label_lower,
            details={"registry": registry},
        )
