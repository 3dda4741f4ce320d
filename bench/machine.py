"""Where and on what a benchmark ran: recorded beside every figure."""

from __future__ import annotations

import os
import platform
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _ram_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return float("nan")


def load_average() -> str:
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f} (1 min), {five:.2f} (5 min)"


def _git(*args: str) -> str:
    try:
        out = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip()


def revision() -> str:
    """The commit measured, and whether the working tree differed from it."""
    commit = _git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = bool(_git("status", "--porcelain", "--untracked-files=no"))
    return f"`{commit}`" + (" with uncommitted changes" if dirty else "")


def _granian_version() -> str:
    try:
        from importlib.metadata import version

        return version("granian")
    except Exception:  # noqa: BLE001 - only informational
        return "unknown"


@dataclass(frozen=True)
class Machine:
    cpus: int
    cpu_model: str
    ram_gib: float
    load_before: str
    python: str
    django: str
    granian: str

    @classmethod
    def probe(cls) -> Machine:
        import django

        return cls(
            cpus=len(os.sched_getaffinity(0))
            if hasattr(os, "sched_getaffinity")
            else os.cpu_count() or 0,
            cpu_model=_cpu_model(),
            ram_gib=_ram_gib(),
            load_before=load_average(),
            python=platform.python_version(),
            django=django.get_version(),
            granian=_granian_version(),
        )

    def describe(self, database: str, load_after: str = "") -> str:
        after = f", after it {load_after}" if load_after else ""
        return (
            f"{self.cpus} CPUs ({self.cpu_model}), {self.ram_gib:.1f} GiB RAM, "
            f"load average before the run {self.load_before}{after}; {platform.system()} "
            f"{platform.release()}, Python {self.python}, Django {self.django}, "
            f"granian {self.granian}; database: {database}"
        )


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
