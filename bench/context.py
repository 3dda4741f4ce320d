"""What a suite gets from the runner: the load and server settings chosen on the command
line, the machine, and helpers to start the portal and load it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import wrk
from bench.machine import ROOT, Machine
from bench.server import Portal, ServerSettings

# Built by `make assets`; without it pages that link the design system cannot render.
ASSET_CHECK = Path("build/static/uslugi/css/uslugi.css")


class SuiteError(RuntimeError):
    """A suite could not measure what it set out to (an endpoint failed, a tool is missing)."""


@dataclass
class Context:
    load: wrk.LoadSettings
    server: ServerSettings
    machine: Machine
    notes: list[str] = field(default_factory=list)

    @property
    def assets_built(self) -> bool:
        return (ROOT / ASSET_CHECK).exists()

    def portal(self) -> Portal:
        return Portal(self.server)

    def measure(self, portal: Portal, paths: dict[str, str]) -> dict[str, list[wrk.LoadResult]]:
        """Every path under the same load, interleaved in rounds (see wrk.interleaved)."""
        return wrk.interleaved(portal.url, paths, load=self.load)


def run_role(module: str, env: dict[str, str], log: Path, *args: str, timeout: float) -> Any:
    """Run one role of a suite's helper module (`python -m <module> <role> ...`) in a fresh
    process with the portal's environment; its JSON answer (the last line it prints)."""
    try:
        with log.open("ab") as err:
            out = subprocess.run(
                [sys.executable, "-m", module, *args],
                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=err, timeout=timeout,
                check=False,
            )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        raise SuiteError(f"{module} {args[0]} took over {timeout:.0f} s") from exc
    if out.returncode != 0:
        tail = log.read_text(errors="replace")[-3000:]
        raise SuiteError(f"{module} {args[0]} failed ({out.returncode}):\n{tail}")
    return json.loads(out.stdout.decode().strip().splitlines()[-1])


def postgres_url(ctx: Context) -> str:
    """The PostgreSQL database a suite may write to: `BENCH_POSTGRES_URL`, else a postgres
    `--database-url`, else ""."""
    url = os.environ.get("BENCH_POSTGRES_URL", "")
    if not url and ctx.server.database_url.startswith("postgres"):
        url = ctx.server.database_url
    return url


def measured_databases(ctx: Context) -> tuple[list[tuple[str, str]], list[str]]:
    """The databases a suite measures, as (label, URL; "" for the portal's own SQLite),
    and a note when PostgreSQL is left out (no `postgres_url`)."""
    url = postgres_url(ctx)
    if url:
        return [("SQLite", ""), ("PostgreSQL", url)], []
    return [("SQLite", "")], [
        "**PostgreSQL was not measured**: set `BENCH_POSTGRES_URL` to a database this "
        "suite may write to (or pass a postgres `--database-url`)."
    ]
