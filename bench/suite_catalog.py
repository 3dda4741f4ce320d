"""Catalogue: search on the national-scale register (34,319 services) on SQLite and
PostgreSQL — server time per query over the labelled relevance queries, and their top-3
relevance — the time to generate and index that register, and requests/s of the service
page and the search page beside the hello-world baseline in the same run.

SQLite runs in the benchmark portal's own fresh database; PostgreSQL in the database of
`--database-url` or `BENCH_POSTGRES_URL` (use a dedicated one: the generated register
replaces the catalogue there). Search time is measured in a separate process with the
portal's settings: the selector `service_search` called directly, so the figure is the
server's work for one query (analysis, index look-ups, ranking) without HTTP."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

from bench.context import Context, SuiteError, postgres_url
from bench.machine import ROOT
from bench.report import Ratio, Row, SuiteReport, Table
from bench.server import HELLO_PATH, ServerError, portal_environment

TITLE = "Catalogue: search on the national register, service page against hello-world"

QUERIES = ROOT / "tests" / "catalog" / "relevance_queries.yaml"
SEARCH_P95_TARGET_MS = 30.0
TOP3_TARGET = 0.90
SERVICE_OVER_HELLO_TARGET = 0.30
REPEATS = 3
TIMEOUT_S = 1_800

SERVICE_PAGE = "/service/foreign-passport/"
SEARCH_PAGE = "/search?" + urllib.parse.urlencode({"q": "штраф гибдд"})
API_SEARCH = "/api/v1/services?" + urllib.parse.urlencode({"query": "foreign passport"})

# Runs in a fresh process with the portal's environment: prints one JSON line.
_PROBE = """
import json, statistics, sys, time
import django
django.setup()
import yaml
from uslugi.catalog import selectors
from uslugi.catalog.models import Service

with open(sys.argv[1], encoding="utf-8") as f:
    queries = yaml.safe_load(f)["queries"]
repeats = int(sys.argv[2])
region = selectors.region_find("69")
for q in queries:  # warm caches: stemmer, synonyms, connection
    selectors.service_search(q["q"])
plain, regional, misses = [], [], []
for rep in range(repeats):
    for q in queries:
        started = time.perf_counter()
        codes = selectors.service_search(q["q"]).codes
        plain.append((time.perf_counter() - started) * 1000)
        if rep == 0 and not set(q["expected"]) & set(codes[:3]):
            misses.append([q["q"], q["expected"], codes[:3]])
        started = time.perf_counter()
        selectors.service_search(q["q"], region=region)
        regional.append((time.perf_counter() - started) * 1000)

def pct(values, share):
    values = sorted(values)
    return values[min(len(values) - 1, int(share * len(values)))]

kinds = {}
for q in queries:
    kinds.setdefault(q["kind"], [0, 0])
    kinds[q["kind"]][1] += 1
for q, expected, got in misses:
    kind = next(x["kind"] for x in queries if x["q"] == q)
    kinds[kind][0] += 1
print(json.dumps({
    "services": Service.objects.count(),
    "queries": len(queries),
    "top3": 1 - len(misses) / len(queries),
    "misses": misses,
    "kinds": kinds,
    "p50_ms": statistics.median(plain), "p95_ms": pct(plain, 0.95), "max_ms": max(plain),
    "region_p50_ms": statistics.median(regional), "region_p95_ms": pct(regional, 0.95),
}, ensure_ascii=False))
"""


def _environment(database_url: str, data_dir: Path) -> dict[str, str]:
    return portal_environment(data_dir=data_dir, database_url=database_url)


def _run(env: dict[str, str], argv: list[str], what: str) -> str:
    try:
        out = subprocess.run(
            argv, cwd=ROOT, env=env, capture_output=True, text=True, check=False,
            timeout=TIMEOUT_S,
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        raise SuiteError(f"{what} took over {TIMEOUT_S} s") from exc
    if out.returncode != 0:
        raise SuiteError(f"{what} failed:\n{out.stdout[-2000:]}{out.stderr[-3000:]}")
    return out.stdout


def _prepare(env: dict[str, str], label: str) -> dict[str, Any]:
    """Migrate, load the hand-written catalogue, generate and index the national register."""
    uslugi = [sys.executable, "-m", "uslugi"]
    print(f"  {label}: migrate, load the catalogue", flush=True)
    _run(env, [*uslugi, "migrate", "--no-input", "-v", "0"], "migrate")
    _run(env, [*uslugi, "catalog", "load-demo"], "catalog load-demo")
    print(f"  {label}: generate the national register", flush=True)
    started = time.monotonic()
    out = _run(env, [*uslugi, "catalog", "generate", "--scale", "national"], "catalog generate")
    figures: dict[str, Any] = json.loads(out.strip().splitlines()[0])
    figures["seconds"] = time.monotonic() - started
    print(f"    {figures['total']:,} services in {figures['seconds']:.0f} s", flush=True)
    return figures


def _probe(env: dict[str, str], label: str) -> dict[str, Any]:
    print(f"  {label}: search timings over the labelled queries", flush=True)
    out = _run(env, [sys.executable, "-c", _PROBE, str(QUERIES), str(REPEATS)], "the search probe")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    print(
        f"    p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms, "
        f"top-3 {result['top3']:.0%}",
        flush=True,
    )
    return result


def run(ctx: Context) -> SuiteReport:
    searches: dict[str, dict[str, Any]] = {}
    generation: dict[str, dict[str, Any]] = {}
    notes: list[str] = []
    endpoints = {
        "hello": (HELLO_PATH, "Django view returning a constant, through all middleware"),
        "service page": (SERVICE_PAGE, "a service passport, anonymous, no region chosen"),
        "search page": (SEARCH_PAGE, "search results page for «штраф гибдд»"),
        "API search": (API_SEARCH, "`GET /api/v1/services?query=foreign passport`"),
    }
    portal_db = "PostgreSQL" if ctx.server.database_url.startswith("postgres") else "SQLite"
    with ctx.portal() as portal:
        if portal.tmp is None:
            raise SuiteError("the portal has no data directory")
        env = portal.environment(portal.tmp)
        env["LOG_LEVEL"] = "WARNING"
        generation[portal_db] = _prepare(env, portal_db)
        searches[portal_db] = _probe(env, portal_db)
        for name, (path, _) in endpoints.items():
            status, _body = portal.get(path)
            if status != 200:
                raise SuiteError(f"{name} ({path}) answered {status}:\n{portal.log_tail()}")
        runs = ctx.measure(portal, {name: path for name, (path, _) in endpoints.items()})
        try:
            # bench.inprocess takes paths without a query string.
            cpu = portal.cpu_per_request(
                [p for p, _ in endpoints.values() if "?" not in p], calls=300
            )
        except ServerError as exc:
            cpu = {}
            notes.append(f"CPU per request not measured: {exc}")
    other = postgres_url(ctx) if portal_db == "SQLite" else ""
    tmp = Path(tempfile.mkdtemp(prefix="uslugi-bench-catalog-"))
    try:
        if portal_db == "PostgreSQL":
            other_env = _environment(f"sqlite:///{tmp / 'catalog.sqlite3'}", tmp)
            generation["SQLite"] = _prepare(other_env, "SQLite")
            searches["SQLite"] = _probe(other_env, "SQLite")
        elif other:
            other_env = _environment(other, tmp)
            generation["PostgreSQL"] = _prepare(other_env, "PostgreSQL")
            searches["PostgreSQL"] = _probe(other_env, "PostgreSQL")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if not other and portal_db == "SQLite":
        notes.append(
            "**PostgreSQL not measured**: set `BENCH_POSTGRES_URL` (a dedicated database) "
            "or pass `--database-url`."
        )

    rows = {
        name: Row(name=name, what=what, runs=runs[name]) for name, (_, what) in endpoints.items()
    }
    search_rows = []
    for db, result in searches.items():
        status = "pass" if result["p95_ms"] < SEARCH_P95_TARGET_MS else "**miss**"
        top3 = "pass" if result["top3"] >= TOP3_TARGET else "**miss**"
        search_rows.append(
            [
                db,
                f"{result['services']:,}",
                f"{result['p50_ms']:.1f} ms",
                f"{result['p95_ms']:.1f} ms ({status})",
                f"{result['region_p50_ms']:.1f} / {result['region_p95_ms']:.1f} ms",
                f"{result['top3']:.1%} ({top3})",
            ]
        )
        for query, expected, got in result["misses"]:
            notes.append(
                f"{db}: «{query}» expected {', '.join(expected)}, top 3: {', '.join(got) or '—'}"
            )
    generation_rows = [
        [
            db,
            f"{g['total']:,}",
            f"{g.get('federal', 0):,} / {g.get('regional', 0):,} / {g.get('municipal', 0):,} / {g.get('other', 0):,}",
            f"{g['seconds']:.0f} s",
        ]
        for db, g in generation.items()
    ]
    tables = [
        Table(
            caption=(
                f"**Search server time** over {next(iter(searches.values()))['queries']} labelled "
                f"queries × {REPEATS} (`service_search` in process; target p95 < "
                f"{SEARCH_P95_TARGET_MS:.0f} ms; top-3 target ≥ {TOP3_TARGET:.0%}):"
            ),
            header=[
                "database",
                "services",
                "p50",
                "p95",
                "with a region p50 / p95",
                "top-3 relevance",
            ],
            rows=search_rows,
        ),
        Table(
            caption="**Generating and indexing the national register** (`uslugi catalog generate --scale national`, wall time, includes the full re-index):",
            header=["database", "services", "federal / regional / municipal / other", "time"],
            rows=generation_rows,
        ),
    ]
    if cpu:
        tables.append(
            Table(
                caption="**CPU per request** in process (steadier than requests/s on a shared machine):",
                header=["endpoint", "CPU per request"],
                rows=[
                    [name, f"{cpu[path] / 1000:.2f} ms"]
                    for name, (path, _) in endpoints.items()
                    if path in cpu
                ],
            )
        )
    kinds = next(iter(searches.values()))["kinds"]
    notes.insert(
        0,
        "Relevance by kind of query (misses/queries): "
        + ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(kinds.items())),
    )
    return SuiteReport(
        suite="catalog",
        title=TITLE,
        summary=(
            "The catalogue at the national scale of seed 002. Targets (catalogue issue): "
            f"search p95 under {SEARCH_P95_TARGET_MS:.0f} ms on both databases, top-3 "
            f"relevance ≥ {TOP3_TARGET:.0%} on the labelled queries, and the service page at "
            f"least {SERVICE_OVER_HELLO_TARGET:.0%} of the hello-world rate."
        ),
        setup=[
            f"**Server**: {ctx.server.describe()}; portal database: {portal_db}",
            f"**Load**: {ctx.load.describe()}",
            f"**Register**: {next(iter(generation.values()))['total']:,} services (hand-written plus generated)",
        ],
        rows=list(rows.values()),
        ratios=[
            Ratio(
                rows["service page"],
                rows["hello"],
                target=SERVICE_OVER_HELLO_TARGET,
                why="the catalogue target: rendering a passport from the register",
            ),
            Ratio(rows["search page"], rows["hello"], why="a search with its results page"),
            Ratio(rows["API search"], rows["hello"], why="a search through the API (JSON)"),
        ],
        tables=tables,
        notes=notes,
    )
