"""Fault injection: a registry can be made to fail or slow down, from the admin or a test.

The wrapper around every handler calls `apply_fault(registry)` first. Modes:
`down` → `ProviderUnavailable` always; `slow` → sleep `delay_ms` (at most
`MAX_FAULT_DELAY_MS`), then answer; `error_rate` → `ProviderUnavailable` for that share
of requests. `sleep` and `chance` are module attributes so tests can replace them.
"""

from __future__ import annotations

import random
import time

from uslugi.exchange.interfaces import ProviderUnavailable
from uslugi.registries.constants import MAX_FAULT_DELAY_MS, FaultMode
from uslugi.registries.selectors import registry_fault_active

sleep = time.sleep
# A fault simulation, not security: the standard generator is what we want here.
chance = random.Random().random  # noqa: S311


def apply_fault(registry: str) -> None:
    """Act out the fault injected into `registry`, if any."""
    fault = registry_fault_active(registry)
    if fault is None:
        return
    if fault.mode == FaultMode.DOWN:
        raise ProviderUnavailable(
            f"registry {registry} is down (injected fault)", details={"fault": "down"}
        )
    if fault.mode == FaultMode.SLOW:
        sleep(min(fault.delay_ms, MAX_FAULT_DELAY_MS) / 1000)
    elif fault.mode == FaultMode.ERROR_RATE and chance() * 100 < fault.error_rate:
        raise ProviderUnavailable(
            f"registry {registry} failed (injected error rate {fault.error_rate}%)",
            details={"fault": "error_rate"},
        )
