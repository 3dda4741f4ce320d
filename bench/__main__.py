"""`python -m bench [suite ...]`: run benchmark suites and write docs/benchmarks.md.

A suite is a module `bench/suite_<name>.py` with `TITLE` and `run(ctx) -> SuiteReport`.
With no suite named, all run. Each finished suite's section is written at once, so a
failure in one suite keeps the others' figures.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import shutil
import subprocess
import sys
import time
import traceback
from pathlib import Path
from types import ModuleType

from bench import report, wrk
from bench.context import ASSET_CHECK, Context, SuiteError
from bench.machine import ROOT, Machine, load_average, revision, utc_now
from bench.server import ServerError, ServerSettings

DOCUMENT = ROOT / "docs" / "benchmarks.md"
_PREFIX = "suite_"


def discover() -> dict[str, ModuleType]:
    """Every `bench/suite_<name>.py`, by name, in alphabetical order."""
    names = sorted(
        m.name.removeprefix(_PREFIX)
        for m in pkgutil.iter_modules([str(Path(__file__).parent)])
        if m.name.startswith(_PREFIX)
    )
    return {name: importlib.import_module(f"bench.{_PREFIX}{name}") for name in names}


def ensure_wrk() -> bool:
    """wrk on PATH; installed from Debian's archive when running as root, else explained."""
    if wrk.executable():
        return True
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is missing: apt-get install -y wrk", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-q", "wrk"]
        if subprocess.run(install, env=env, check=False).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], env=env, check=False)
            subprocess.run(install, env=env, check=False)
        if wrk.executable():
            return True
    print(
        "bench: wrk is needed and was not found. Install it (Debian/Ubuntu: "
        "`sudo apt-get install -y wrk`; macOS: `brew install wrk`) and run again.",
        file=sys.stderr,
    )
    return False


def parse_args(argv: list[str], suites: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark the portal and write the figures to docs/benchmarks.md.",
    )
    parser.add_argument(
        "suites", nargs="*", metavar="suite", help=f"one of {', '.join(suites)} (default: all)"
    )
    parser.add_argument("--list", action="store_true", help="list the suites and exit")
    load = wrk.LoadSettings()
    parser.add_argument(
        "--duration",
        type=int,
        default=load.duration_s,
        help="seconds per measured run (%(default)s)",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=load.warmup_s,
        help="seconds of warm-up per endpoint (%(default)s)",
    )
    parser.add_argument(
        "--rounds", type=int, default=load.rounds, help="measured runs per endpoint (%(default)s)"
    )
    parser.add_argument(
        "--connections", type=int, default=load.connections, help="wrk connections (%(default)s)"
    )
    parser.add_argument(
        "--threads", type=int, default=load.threads, help="wrk threads (%(default)s)"
    )
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    server = ServerSettings()
    parser.add_argument(
        "--workers", type=int, default=cpus, help="granian workers (one per CPU: %(default)s)"
    )
    parser.add_argument(
        "--blocking-threads",
        type=int,
        default=server.blocking_threads,
        help="granian blocking threads per worker (%(default)s)",
    )
    parser.add_argument(
        "--database-url",
        default="",
        help="a database to migrate and use instead of a fresh SQLite file (use a dedicated one)",
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a variable in the server's environment (an experiment; recorded in the figures)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 1 round of 2 s after 1 s of warm-up"
    )
    parser.add_argument(
        "--no-write", action="store_true", help="print the sections, do not write the document"
    )
    parser.add_argument(
        "--persons", type=int, default=0, help="registries suite: persons to generate (100,000)"
    )
    parser.add_argument(
        "--output", type=Path, default=DOCUMENT, help="document to update (%(default)s)"
    )
    args = parser.parse_args(argv)
    if args.persons:
        os.environ["BENCH_PERSONS"] = str(args.persons)  # read by bench/suite_registries.py
    unknown = [s for s in args.suites if s not in suites]
    if unknown:
        parser.error(f"unknown suite {', '.join(unknown)}; known: {', '.join(suites)}")
    if min(args.duration, args.warmup, args.rounds, args.connections, args.threads) < 1:
        parser.error("durations, rounds, connections and threads must be at least 1")
    # Bounded in time: at most a few minutes per endpoint.
    if args.duration > 120 or args.warmup > 60 or args.rounds > 9:
        parser.error("bounded runs only: --duration ≤ 120, --warmup ≤ 60, --rounds ≤ 9")
    if any("=" not in item for item in args.env):
        parser.error("--env takes NAME=VALUE")
    if args.quick:
        args.duration, args.warmup, args.rounds = 2, 1, 1
    return args


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    modules = discover()
    args = parse_args(argv, list(modules))
    if args.list:
        for name, module in modules.items():
            print(f"{name:<16} {getattr(module, 'TITLE', '')}")
        return 0
    if not ensure_wrk():
        return 2
    chosen = args.suites or list(modules)
    load = wrk.LoadSettings(
        duration_s=args.duration,
        warmup_s=args.warmup,
        rounds=args.rounds,
        connections=args.connections,
        threads=args.threads,
    )
    server = ServerSettings(
        workers=args.workers,
        blocking_threads=args.blocking_threads,
        database_url=args.database_url,
        extra_env=tuple((name, value) for name, _, value in (i.partition("=") for i in args.env)),
    )
    assets = (ROOT / ASSET_CHECK).exists()
    if not assets:
        print(
            f"bench: warning: {ASSET_CHECK} is missing (`make assets` builds it); running on what exists",
            flush=True,
        )
    command = "python -m bench" + (" " + " ".join(argv) if argv else "")
    failed: list[str] = []
    for name in chosen:
        module = modules[name]
        print(f"== {name}: {module.TITLE}", flush=True)
        ctx = Context(load=load, server=server, machine=Machine.probe())
        started = time.monotonic()
        try:
            result: report.SuiteReport = module.run(ctx)
        except (SuiteError, ServerError, wrk.WrkError) as exc:
            print(f"bench: {name} failed: {exc}", file=sys.stderr, flush=True)
            failed.append(name)
            continue
        except Exception:  # noqa: BLE001 - report it, run the other suites
            traceback.print_exc()
            failed.append(name)
            continue
        section = report.render(
            result,
            run_line=f"{utc_now()}, commit {revision()}, `{command}`, {time.monotonic() - started:.0f} s",
            machine_line=ctx.machine.describe(server.database(), load_after=load_average()),
        )
        print(section, flush=True)
        if not args.no_write:
            report.write_section(args.output, result.suite, section)
            print(f"bench: wrote the {name} section of {args.output}", flush=True)
    if failed:
        print(f"bench: failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
