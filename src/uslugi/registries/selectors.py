"""Queries of the sandbox registries (besides the message handlers' own look-ups)."""

from __future__ import annotations

from typing import Any, cast

from uslugi.registries.models import PopulationRun, RegistryFault


def population_latest() -> PopulationRun | None:
    """The last finished population run, if any."""
    return PopulationRun.objects.order_by("-created_at").first()


def demo_identities() -> list[dict[str, Any]]:
    """Ready-to-use identities of the current population, for people testing the portal."""
    run = population_latest()
    if run is None or not run.demo_identities:
        return []
    return list(cast(list[dict[str, Any]], run.demo_identities))


def registry_fault_active(registry: str) -> RegistryFault | None:
    """The fault injected into a registry now, if any."""
    return RegistryFault.objects.filter(registry=registry, active=True).exclude(mode="none").first()
