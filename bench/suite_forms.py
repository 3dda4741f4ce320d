"""Forms: the p95 of a step POST (validate + save the draft) for a 100-field form and
the time to load a 300-field definition (lint + payload schema + store), each against
a hello-world view measured in the same process, in alternating rounds.

Targets (forms issue): both p95 under 50 ms on this machine.

* **step POST**: a synthetic one-step definition of 100 simple fields
  (bench/forms_synthetic.py) is stored and published through `uslugi.forms.services`; a
  signed-in person (Django's test client, `force_login`) posts valid answers to
  `/forms/<code>/step/main` again and again: the whole middleware stack, the session, the
  draft look-up, the step form's validation and conditions, the encrypted draft save and
  the redirect. Beside it, in the same process and rounds: the bare hello-world view
  (bench/urls.py) anonymous and signed in, and the same POST with one mistake (the page
  re-rendered with its error summary).
* **definition load**: a synthetic 300-field definition (six steps, groups, composites,
  conditions) is linted, its payload schema derived and stored as a new version each
  time (one label changed so the digest changes; the version is moved to testing between
  runs, untimed, so each store creates the next version); beside it the lint alone and
  the YAML parse `uslugi forms load` does before it.

No HTTP server here: requests go through Django's test client, which runs the same
WSGI handler and middleware as granian does, with no socket; the database connection is
handled per request as Django's handler does (`close_old_connections` before and after).
Each measurement runs in its own process (`python -m bench.suite_forms <role>`) against a
freshly migrated database: a temporary SQLite file, and PostgreSQL when
`BENCH_POSTGRES_URL` (or `--database-url` with a postgres URL) names a database this
suite may write to (it replaces only its own definitions and drafts there).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench import forms_synthetic
from bench.context import ASSET_CHECK, Context, SuiteError, run_role
from bench.machine import ROOT
from bench.report import Ratio, Row, SuiteReport, Table
from bench.server import HELLO_PATH, portal_environment
from bench.wrk import LoadResult

TITLE = "Forms: 100-field step POST and 300-field definition load against hello-world"

P95_TARGET_MS = 50.0
STEP_FIELDS = 100
LOAD_STEPS, LOAD_PER_STEP = 6, 50  # 300 fields
STEP_CODE = "bench-forms-step"
LOAD_CODE = "bench-forms-load"
STEP_ID = "main"
PHONE = "+79990000100"
# Totals over all rounds, after a warm-up of each kind.
STEP_REQUESTS, STEP_WARMUP = 300, 30
LOAD_RUNS, LOAD_WARMUP = 50, 5
STEP_REQUESTS_QUICK, LOAD_RUNS_QUICK, WARMUP_QUICK = 40, 10, 3
HELLO_PER_LOAD_ROUND = 60
TIMEOUT_S = 1_800
FIGURE_HEADER = [
    "figure", "p50", "p95", "p99", "CPU p50", "CPU p95", "× hello (CPU p50)", "target", "status",
]  # fmt: skip

# --- The parent: orchestration ---------------------------------------------------------------


def _role(env: dict[str, str], log: Path, *args: str) -> Any:
    return run_role("bench.suite_forms", env, log, *args, timeout=TIMEOUT_S)


def _collectstatic(env: dict[str, str], log: Path) -> None:
    """The error page links the design system's files: production's manifest storage
    needs them collected (as the web suites' server does)."""
    with log.open("ab") as err:
        out = subprocess.run(
            [sys.executable, "-m", "uslugi", "collectstatic", "--no-input", "-v", "0"],
            cwd=ROOT, env=env, stdout=err, stderr=err, timeout=600, check=False,
        )  # fmt: skip
    if out.returncode != 0:
        raise SuiteError(f"collectstatic failed:\n{log.read_text(errors='replace')[-3000:]}")


def _pct(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return math.nan
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _load_result(data: dict[str, Any]) -> LoadResult:
    """One round of one case as a LoadResult: operations per second of one sequential
    caller, and the percentiles of its latencies."""
    latencies = data["latencies_ms"]
    return LoadResult(
        requests=data["count"],
        duration_s=data["seconds"],
        rps=data["count"] / data["seconds"] if data["seconds"] else 0.0,
        p50_ms=_pct(latencies, 0.50),
        p90_ms=_pct(latencies, 0.90),
        p99_ms=_pct(latencies, 0.99),
        bytes_read=data["bytes"],
    )


def _row(name: str, what: str, measured: dict[str, Any], key: str) -> Row:
    case = measured["cases"].get(key)
    if case is None or case.get("problem"):
        return Row(name, what, problem=(case or {}).get("problem", "not run"))
    return Row(name, what, [_load_result(r) for r in case["rounds"]])


def _pooled(measured: dict[str, Any], key: str, field: str = "latencies_ms") -> list[float]:
    case = measured["cases"].get(key) or {}
    return [x for r in case.get("rounds", []) for x in r[field]]


def _databases(ctx: Context, tmp: Path) -> list[tuple[str, str]]:
    found = [("SQLite", f"sqlite:///{tmp / 'forms-bench.sqlite3'}")]
    postgres = os.environ.get("BENCH_POSTGRES_URL", "")
    if not postgres and ctx.server.database_url.startswith("postgres"):
        postgres = ctx.server.database_url
    if postgres:
        found.append(("PostgreSQL", postgres))
    return found


def _figure(
    label: str, what: str, measured: dict[str, Any], key: str, *, target: bool
) -> list[str]:
    """A key-figures line: pooled percentiles of one case, its CPU time per call over
    the hello-world view's in the same process, and its status on the target."""
    latencies, cpu = _pooled(measured, key), _pooled(measured, key, "cpu_ms")
    p95 = _pct(latencies, 0.95)
    times = _pct(cpu, 0.50) / _pct(_pooled(measured, "hello", "cpu_ms"), 0.50)
    if math.isnan(p95):
        status = "not measured"
    elif not target:
        status = "—"
    else:
        status = "pass" if p95 < P95_TARGET_MS else "**miss**"
    return [
        f"{label}: {what}",
        f"{_pct(latencies, 0.50):.1f} ms",
        f"{p95:.1f} ms",
        f"{_pct(latencies, 0.99):.1f} ms",
        f"{_pct(cpu, 0.50):.1f} ms",
        f"{_pct(cpu, 0.95):.1f} ms",
        "—" if math.isnan(times) else f"{times:,.0f}×",
        f"< {P95_TARGET_MS:.0f} ms" if target else "—",
        status,
    ]


@dataclass
class _Found:
    rows: list[Row]
    ratios: list[Ratio]
    figures: list[list[str]]
    breakdown: list[str]


def _database_figures(
    label: str, facts: dict[str, Any], step: dict[str, Any], loading: dict[str, Any]
) -> _Found:
    """Rows, ratios and key figures of one database's step and load measurements."""
    fields = facts["load_fields"]
    hello = _row(
        f"{label}: hello", "Django view returning a constant, anonymous: the baseline",
        step, "hello",
    )  # fmt: skip
    hello_in = _row(
        f"{label}: hello, signed in",
        "the same view with the session cookie: session and account read",
        step, "hello, signed in",
    )  # fmt: skip
    post = _row(
        f"{label}: step POST",
        f"URL-encoded POST of {facts['answered']} valid answers to a {STEP_FIELDS}-field step: "
        "validate, save the encrypted draft, 302 to the next page",
        step, "step POST",
    )  # fmt: skip
    error = _row(
        f"{label}: step POST, one error",
        "the same POST with a wrong SNILS: the step re-rendered with its error summary",
        step, "step POST, one error",
    )  # fmt: skip
    load_hello = _row(
        f"{label}: hello (load process)", "the baseline again, in the definition-load process",
        loading, "hello",
    )  # fmt: skip
    load = _row(
        f"{label}: definition load",
        f"{fields}-field definition: lint + payload schema + store as a new version",
        loading, "load",
    )  # fmt: skip
    found = _Found(
        rows=[hello, hello_in, post, error, load_hello, load],
        ratios=[
            Ratio(post, hello, why=f"{label}: a {STEP_FIELDS}-field step POST against the minimum"),
            Ratio(post, hello_in, why=f"{label}: the same against a signed-in request"),
            Ratio(error, hello_in, why=f"{label}: the re-rendered step with one error"),
        ],
        figures=[
            _figure(label, "hello, signed in", step, "hello, signed in", target=False),
            _figure(label, f"step POST ({STEP_FIELDS} fields)", step, "step POST", target=True),
            _figure(label, "step POST, one error", step, "step POST, one error", target=False),
            _figure(label, f"definition load ({fields} fields)", loading, "load", target=True),
        ],
        breakdown=[
            label,
            *(f"{loading['breakdown_ms'][part]:.1f} ms" for part in ("lint", "schema", "store")),
            f"{_pct(_pooled(loading, 'load'), 0.5):.1f} ms",
        ],
    )
    if "lint" in loading["cases"]:  # no database: measured once, in the first process
        lint = _row(
            "lint only", f"`lint_document` of the {fields}-field definition (no database)",
            loading, "lint",
        )  # fmt: skip
        parse = _row(
            "YAML parse",
            f"`yaml.safe_load` of its {facts['load_yaml_kib']:.0f} KiB file, as "
            "`uslugi forms load` reads it (pure-Python loader)",
            loading, "yaml",
        )  # fmt: skip
        cparse = _row(
            "YAML parse, libyaml", "the same with `yaml.CSafeLoader` (libyaml), for comparison",
            loading, "cyaml",
        )  # fmt: skip
        found.rows += [lint, parse, cparse]
        found.figures += [
            _figure("no database", "lint only", loading, "lint", target=False),
            _figure("no database", "YAML parse", loading, "yaml", target=False),
            _figure("no database", "YAML parse, libyaml", loading, "cyaml", target=False),
        ]
    return found


def run(ctx: Context) -> SuiteReport:
    quick = ctx.load.duration_s <= 2
    rounds = ctx.load.rounds
    warmup = WARMUP_QUICK if quick else STEP_WARMUP
    per_round = max(1, (STEP_REQUESTS_QUICK if quick else STEP_REQUESTS) // rounds)
    load_warmup = WARMUP_QUICK if quick else LOAD_WARMUP
    load_per_round = max(1, (LOAD_RUNS_QUICK if quick else LOAD_RUNS) // rounds)
    tmp = Path(tempfile.mkdtemp(prefix="uslugi-forms-bench-"))
    rows: list[Row] = []
    ratios: list[Ratio] = []
    figures: list[list[str]] = []
    breakdown: list[list[str]] = []
    notes: list[str] = []
    facts: dict[str, Any] = {}
    try:
        databases = _databases(ctx, tmp)
        if len(databases) == 1:
            notes.append(
                "**PostgreSQL was not measured**: set `BENCH_POSTGRES_URL` to a database "
                "this suite may write to (or pass a postgres `--database-url`)."
            )
        (tmp / "static").mkdir()
        for label, url in databases:
            env = portal_environment(data_dir=tmp, database_url=url, log_level="INFO")
            env["STATIC_ROOT"] = str(tmp / "static")
            env["MEDIA_ROOT"] = str(tmp / "media")
            log = tmp / f"{label}.log"
            if label == databases[0][0]:
                print("  collectstatic", flush=True)
                _collectstatic(env, log)
            print(f"  {label}: migrate, publish the {STEP_FIELDS}-field definition", flush=True)
            facts = _role(env, log, "setup")
            print(
                f"  {label}: step POST, {rounds} rounds of {per_round} after {warmup}", flush=True
            )
            step = _role(env, log, "step", str(rounds), str(per_round), str(warmup))
            print(
                f"  {label}: definition load, {rounds} rounds of {load_per_round} after "
                f"{load_warmup}",
                flush=True,
            )
            loading = _role(
                env, log, "load", str(rounds), str(load_per_round), str(load_warmup),
                "parsers" if label == "SQLite" else "",
            )  # fmt: skip
            found = _database_figures(label, facts, step, loading)
            rows += found.rows
            ratios += found.ratios
            figures += found.figures
            breakdown.append(found.breakdown)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if not ctx.assets_built:
        notes.append(
            f"{ASSET_CHECK} was missing (`make assets`): pages that link the design system "
            "may not render, so the error row may be unmeasured."
        )
    notes += [
        "Figures are per operation of one sequential caller: `requests/s` is operations "
        "per second of wall time (the ratio's basis), p50/p99 the medians over the rounds of "
        "each round's percentiles; the key figures pool every round's samples. `response` "
        "is the body only (the test client reads no headers off a socket); the step POST's "
        "body is an empty redirect.",
        "CPU is the process's CPU time per operation: what the code costs, steadier than "
        "wall time, which on a busy machine also counts the time spent waiting for a CPU "
        "(compare the load average above). Each request goes through Django's WSGI "
        "handler and every middleware, with no server or socket; the test client skips "
        "only the CSRF token check (a constant-time comparison in production).",
        f"The step: {STEP_FIELDS} fields in the cycle text (length, pattern), number (range), "
        "date (relative bounds), select (6 options), yes/no, email, phone, SNILS, INN; "
        f"{facts.get('conditional', 0)} of them shown and required only under a yes/no "
        f"answer, {STEP_FIELDS - facts.get('answered', STEP_FIELDS)} hidden by the answers "
        "posted (so not sent, and cleared from the draft). Every POST saves the whole "
        "draft again (encrypted JSON).",
        "Where a step POST's time goes (profiled on this machine, 2026-11-25): about a third "
        "finding the version and the draft (two of those queries load the person's "
        "permissions, for the `forms.test_definitions` check, on every request), a sixth "
        "building the step's 100 Django form fields, a sixth validating them, a tenth "
        "saving the draft; the rest is the middleware (session, account, audit context, "
        "metrics, request log).",
        f"The definition: {LOAD_STEPS} steps (all but the first two shown under a "
        "condition), per step an info block, a repeating group of seven fields and 41 "
        "single fields of every single-control type (a passport and an address on the "
        "first), hints and examples, a condition on every seventh field. "
        "The measured load calls `definition_store` directly, which lints the document "
        "again (`uslugi forms load` lints once: `check_all`, then a store told so). "
        "Linting checks the format's JSON Schema with jsonschema-rs first (a valid "
        "definition in well under a millisecond; the pure-Python validator, about 70 ms "
        "for this definition, runs only to explain an invalid one), then the rules; the "
        "store's time is the database's (version row, audit chain).",
    ]
    return SuiteReport(
        suite="forms",
        title=TITLE,
        summary=(
            f"How long a person waits for a step of a {STEP_FIELDS}-field form to be checked "
            f"and saved, and how long loading a {LOAD_STEPS * LOAD_PER_STEP}-field definition "
            f"takes. Targets (forms issue): both p95 under {P95_TARGET_MS:.0f} ms on this "
            "machine, beside the hello-world baseline in the same run."
        ),
        setup=[
            f"**Rounds**: {rounds}; per round {per_round} requests of each kind (after "
            f"{warmup} of each), and {load_per_round} definition loads, lints and parses "
            f"(after {load_warmup}) beside {max(load_per_round, HELLO_PER_LOAD_ROUND)} "
            "hello requests; the kinds alternate in order round by round",
            "**Processes**: a fresh process per measurement with the portal's production-like "
            "settings (`DEBUG=false`, manifest static files, JSON logs at INFO to a file), "
            "Django's test client in process (no server, no socket); step POSTs and "
            "definition loads in separate processes, each with its own hello-world baseline",
            "**Databases**: "
            + "; ".join(
                "SQLite, a fresh temporary file, migrated"
                if label == "SQLite"
                else f"{label}, migrated, the bench's own definitions and drafts replaced"
                for label, _ in databases
            ),
        ],
        rows=rows,
        ratios=ratios,
        tables=[
            Table(
                caption=(
                    "**Key figures**: wall-clock latency percentiles pooled over every round, "
                    "the CPU time of the same operations, and that CPU time over the anonymous "
                    "hello-world view's in the same process (the definition load's ratio of "
                    "rates is a fraction of a per cent, so it is given here as a multiple); "
                    f"target: wall-clock p95 < {P95_TARGET_MS:.0f} ms for the step POST and "
                    "the definition load"
                ),
                header=FIGURE_HEADER,
                rows=figures,
            ),
            Table(
                caption=(
                    "**Where a definition load's time goes** (medians of each part, wall "
                    "time; the store lints the document again before writing)"
                ),
                header=["database", "lint", "payload schema", "store", "whole load"],
                rows=breakdown,
            ),
        ],
        notes=notes,
    )


# --- The children: roles run in their own Django process ----------------------------------


def _django() -> None:
    import django

    django.setup()
    from django.conf import settings

    # As bench/hello_wsgi.py does: the portal's URLs plus the hello-world view.
    settings.ROOT_URLCONF = "bench.urls"


def _clear() -> None:
    """Remove the bench's own definitions and drafts (left by an earlier run on a
    database that is not fresh). Plain SQL, in one transaction: published versions
    refuse `Model.delete()` by design, and Django's cascade would visit every model that
    refers to drafts; nothing but the bench's own rows refers to these."""
    from django.db import connection, transaction

    from uslugi.forms.models import DefinitionVersion, Draft, ServiceDefinition

    drafts, versions = Draft._meta.db_table, DefinitionVersion._meta.db_table
    definitions = ServiceDefinition._meta.db_table
    mine = f"SELECT id FROM {definitions} WHERE code IN (%s, %s)"
    codes = [STEP_CODE, LOAD_CODE]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {drafts} WHERE version_id IN "
            f"(SELECT id FROM {versions} WHERE definition_id IN ({mine}))",
            codes,
        )
        cursor.execute(f"DELETE FROM {versions} WHERE definition_id IN ({mine})", codes)
        cursor.execute(f"DELETE FROM {definitions} WHERE code IN (%s, %s)", codes)


def role_setup() -> dict[str, Any]:
    from django.core.management import call_command

    _django()
    call_command("migrate", "--no-input", verbosity=0)
    from uslugi.forms.constants import VersionStatus
    from uslugi.forms.services import definition_store, version_transition
    from uslugi.identity.constants import Level
    from uslugi.identity.models import Account

    _clear()
    document = forms_synthetic.step_document(code=STEP_CODE, fields=STEP_FIELDS)
    version, _outcome = definition_store(document=document, source_file="bench")
    version = version_transition(version=version, target=VersionStatus.TESTING)
    version = version_transition(
        version=version,
        target=VersionStatus.APPROVED,
        protocol={"cases": ["bench: valid answers", "bench: one wrong SNILS"], "approver": "bench"},
    )
    version_transition(version=version, target=VersionStatus.PUBLISHED, change_number="bench-1")
    account = Account.objects.filter(phone=PHONE).first()
    if account is None:
        account = Account(
            phone=PHONE, surname="Бенчмарков", first_name="Тест", level=Level.STANDARD
        )
        account.set_unusable_password()
        account.save()
    import yaml

    load = forms_synthetic.load_document(code=LOAD_CODE, steps=LOAD_STEPS, per_step=LOAD_PER_STEP)
    text = yaml.safe_dump(load, allow_unicode=True, sort_keys=False)
    return {
        "answered": forms_synthetic.visible_count(document),
        "conditional": sum("visible_if" in f for f in document["steps"][0]["fields"]),
        "load_fields": forms_synthetic.field_count(load),
        "load_yaml_kib": len(text.encode()) / 1024,
    }


# One timed operation: (wall seconds, CPU seconds, bytes of the answer).
Operation = Callable[[], tuple[float, float, int]]


def _measure(
    cases: dict[str, Operation],
    *,
    rounds: int,
    per_round: int,
    warmup: int,
    counts: dict[str, int] | None = None,
) -> dict[str, Any]:
    """Warm every case up, then time them in rounds, alternating the order; `counts`
    gives some cases another number of calls per round than `per_round`."""
    names = list(cases)
    counts = counts or {}
    out: dict[str, dict[str, Any]] = {name: {"rounds": []} for name in names}
    for name in names:
        for _ in range(warmup):
            cases[name]()
    for number in range(rounds):
        for name in names if number % 2 == 0 else names[::-1]:
            latencies: list[float] = []
            cpu: list[float] = []
            size = 0
            count = counts.get(name, per_round)
            for _ in range(count):
                wall, used, length = cases[name]()
                latencies.append(wall * 1000)
                cpu.append(used * 1000)
                size += length
            seconds = sum(latencies) / 1000
            out[name]["rounds"].append(
                {
                    "count": count,
                    "seconds": seconds,
                    "latencies_ms": latencies,
                    "cpu_ms": cpu,
                    "bytes": size,
                }
            )
            print(
                f"  round {number + 1}/{rounds} {name:<22} p50 {_pct(latencies, 0.5):7.2f} ms"
                f"  p95 {_pct(latencies, 0.95):7.2f} ms",
                file=sys.stderr,
                flush=True,
            )
    return out


def _request(call: Callable[[], Any], expected: int, what: str) -> Operation:
    """A request through the test client, with the connection handling Django's WSGI
    handler does around every request (the test client leaves it out)."""
    from django.db import close_old_connections

    def once() -> tuple[float, float, int]:
        started, cpu = time.perf_counter(), time.process_time()
        close_old_connections()
        response = call()
        close_old_connections()
        wall, used = time.perf_counter() - started, time.process_time() - cpu
        if response.status_code != expected:
            raise RuntimeError(f"{what} answered {response.status_code}, not {expected}")
        return wall, used, len(response.content)

    return once


def _checked(name: str, once: Operation, problems: dict[str, str]) -> Operation | None:
    """The case if one call of it works; else None, with the reason in `problems`."""
    try:
        once()
    except Exception as exc:  # noqa: BLE001 - reported in the figures, the others still run
        problems[name] = f"{type(exc).__name__}: {exc}"[:300]
        print(f"  {name}: {problems[name]}", file=sys.stderr, flush=True)
        return None
    return once


def _hello() -> Operation:
    from django.test import Client

    anonymous = Client()
    return _request(lambda: anonymous.get(HELLO_PATH), 200, "hello")


def role_step(rounds: int, per_round: int, warmup: int) -> dict[str, Any]:
    _django()
    from django.test import Client
    from django.urls import reverse

    from uslugi.forms import selectors
    from uslugi.forms.models import Draft
    from uslugi.identity.models import Account

    account = Account.objects.get(phone=PHONE)
    version = selectors.version_current(code=STEP_CODE)
    document = version.document
    answers = forms_synthetic.step_answers(document)
    wrong = forms_synthetic.with_one_error(document, answers)
    url = reverse("forms:step", args=[STEP_CODE, STEP_ID])
    check = reverse("forms:check", args=[STEP_CODE])
    signed = Client()
    signed.force_login(account)

    # As a browser sends a form without files (the step has none): URL-encoded, not the
    # test client's default multipart, whose parsing would add to the figure.
    form = "application/x-www-form-urlencoded"
    body, wrong_body = urlencode(answers, doseq=True), urlencode(wrong, doseq=True)

    def post() -> Any:
        return signed.post(url, body, content_type=form)

    def post_wrong() -> Any:
        response = signed.post(url, wrong_body, content_type=form)
        if b"govuk-error-summary" not in response.content:
            raise RuntimeError("the step with a wrong SNILS shows no error summary")
        return response

    first = post()
    if first.status_code != 302 or first["Location"] != check:
        raise RuntimeError(f"the valid step POST answered {first.status_code}, not 302 to {check}")
    saved = Draft.objects.get(account=account, version=version).data
    if len(saved) != len(answers):
        raise RuntimeError(f"the draft holds {len(saved)} answers, not {len(answers)}")
    problems: dict[str, str] = {}
    candidates = {
        "hello": _hello(),
        "hello, signed in": _request(lambda: signed.get(HELLO_PATH), 200, "hello, signed in"),
        "step POST": _request(post, 302, "the step POST"),
        "step POST, one error": _request(post_wrong, 200, "the step POST with one error"),
    }
    cases = {
        name: once
        for name, candidate in candidates.items()
        if (once := _checked(name, candidate, problems)) is not None
    }
    for baseline in ("hello", "hello, signed in", "step POST"):
        if baseline in problems:
            raise RuntimeError(f"{baseline} failed: {problems[baseline]}")
    measured: dict[str, Any] = _measure(cases, rounds=rounds, per_round=per_round, warmup=warmup)
    measured.update({name: {"problem": problem} for name, problem in problems.items()})
    return {"cases": measured}


def role_load(rounds: int, per_round: int, warmup: int, parsers: bool) -> dict[str, Any]:
    _django()
    import yaml

    from uslugi.forms.constants import VersionStatus
    from uslugi.forms.definitions import lint_document
    from uslugi.forms.payload import payload_schema
    from uslugi.forms.services import definition_store, version_transition

    document = forms_synthetic.load_document(
        code=LOAD_CODE, steps=LOAD_STEPS, per_step=LOAD_PER_STEP
    )
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    revision = 0
    parts: dict[str, list[float]] = {"lint": [], "schema": [], "store": []}

    def load() -> tuple[float, float, int]:
        nonlocal revision
        revision += 1
        changed = forms_synthetic.revised(document, revision)
        started, cpu = time.perf_counter(), time.process_time()
        problems = lint_document(changed, file="bench.yaml")
        linted = time.perf_counter()
        schema = payload_schema(changed)
        derived = time.perf_counter()
        version, outcome = definition_store(document=changed, source_file="bench.yaml")
        stored = time.perf_counter()
        wall, used = stored - started, time.process_time() - cpu
        parts["lint"].append((linted - started) * 1000)
        parts["schema"].append((derived - linted) * 1000)
        parts["store"].append((stored - derived) * 1000)
        if problems or outcome != "created" or not schema["properties"]:
            raise RuntimeError(f"loading gave {outcome} with problems {problems[:3]}")
        # Untimed: out of draft, so the next store creates the next version beside it.
        version_transition(version=version, target=VersionStatus.TESTING)
        return wall, used, 0

    def lint() -> tuple[float, float, int]:
        started, cpu = time.perf_counter(), time.process_time()
        problems = lint_document(document, file="bench.yaml")
        wall, used = time.perf_counter() - started, time.process_time() - cpu
        if problems:
            raise RuntimeError(f"the definition has problems: {problems[:3]}")
        return wall, used, 0

    def parser(loader: Any) -> Operation:
        def parse() -> tuple[float, float, int]:
            started, cpu = time.perf_counter(), time.process_time()
            parsed = yaml.load(text, Loader=loader)  # SafeLoader or CSafeLoader only
            wall, used = time.perf_counter() - started, time.process_time() - cpu
            if parsed != document:
                raise RuntimeError("the YAML round trip changed the definition")
            return wall, used, 0

        return parse

    cases: dict[str, Operation] = {"hello": _hello(), "load": load}
    if parsers:
        cases.update({"lint": lint, "yaml": parser(yaml.SafeLoader)})
        if hasattr(yaml, "CSafeLoader"):
            cases["cyaml"] = parser(yaml.CSafeLoader)
    # The baseline is cheap: more calls of it per round, for a steadier ratio.
    measured = _measure(
        cases, rounds=rounds, per_round=per_round, warmup=warmup,
        counts={"hello": max(per_round, HELLO_PER_LOAD_ROUND)},
    )  # fmt: skip
    if parsers and "cyaml" not in cases:
        measured["cyaml"] = {"problem": "PyYAML was built without libyaml"}
    breakdown = {part: _pct(values, 0.5) for part, values in parts.items()}
    return {"cases": measured, "breakdown_ms": breakdown}


def main(argv: list[str]) -> int:
    role, *args = argv
    result: dict[str, Any]
    if role == "setup":
        result = role_setup()
    elif role == "step":
        result = role_step(int(args[0]), int(args[1]), int(args[2]))
    elif role == "load":
        result = role_load(int(args[0]), int(args[1]), int(args[2]), args[3] == "parsers")
    else:
        raise SystemExit(f"unknown role {role}")
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
