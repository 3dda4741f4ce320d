"""Applications: submissions per second with 16 concurrent people, the dashboard of a
person with 1,000 applications, and notification emails delivered per second to a local
SMTP server, each beside a baseline measured in the same run.

* **Submissions**: the portal under granian (bench/server.py), 16 clients, each a
  standard-level person with checked personal data and a signed-in session of their own,
  each sending its own filled-in drafts one after another: the check-your-answers form's
  POST `/applications/submit/<code>` (302 to the confirmation), and in other runs the API's
  `POST /api/v1/me/applications` with an `Idempotency-Key` (201). A draft is spent by its
  submission, so every request carries a new one: drafts are made before each run (one
  per person and service, hence 150 published copies of a minimal service), and
  afterwards the suite checks that exactly one application exists for each draft
  submitted. Baseline: the hello-world view, anonymous and signed in, loaded by the same
  16 clients in the same rounds (bench/applications_load.py).
* **Dashboard**: one person with 1,000 applications (every status, three years of them,
  valid numbers) and three drafts: `/applications/` (first and last page, a search by
  number) and the API's list, with wrk, beside hello-world; the server's time per request
  is read from the portal's own JSON request log (target: p95 under 50 ms), measured with
  one request in flight per server worker, so that it is the request's time, not queueing.
  The same pages and both submissions are also timed one at a time in a separate process
  through Django's test client (wall and CPU time: the steadier figure on a shared machine).
* **Notifications**: N people are each notified of a submitted application (the inbox
  and an email each; the email's task queued in the same transaction), then two
  `db_worker` processes drain the queue, sending through Django's SMTP backend to an
  aiosmtpd server in this process; the rate is counted by the SMTP server (first message
  to last). Baseline: two processes sending the same emails (texts, sender, addresses)
  with plain smtplib to the same server, one connection per message as Django's backend.

SQLite is the benchmark portal's fresh database; PostgreSQL is measured when
`BENCH_POSTGRES_URL` (or `--database-url` with a postgres URL) names a database the suite
may write to: it removes its own accounts (phones +799910…, +79992…), their applications
and notifications, its definitions, and empties the background-task queue.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench import applications_load as load_tool
from bench.applications_load import Outcome, Request, RequestLog
from bench.applications_roles import CSRF_SECRET as CSRF  # the cookie's and header's
from bench.context import Context, SuiteError, measured_databases, run_role
from bench.machine import ROOT
from bench.report import Ratio, Row, SuiteReport, Table
from bench.server import HELLO_PATH, HOST, Portal, ServerSettings
from bench.wrk import LoadResult, LoadSettings

TITLE = (
    "Applications: submissions per second (16 clients), a dashboard of 1,000 applications, "
    "notification emails per second"
)

CLIENTS = 16
SERVICES = 150  # published copies of the service: drafts per client per round, at most
PERSON_APPLICATIONS = 1000
DASHBOARD_P95_TARGET_MS = 50.0
NOTIFICATIONS, NOTIFICATIONS_QUICK = 1000, 200
NOTIFICATION_ROUNDS = 3  # at most: a round notifies and delivers 1,000 people
SENDERS = 2  # delivery workers, and baseline sender processes
WARMUP_DRAFTS = 4  # per client, before the measured rounds
INPROCESS_CALLS, INPROCESS_CALLS_QUICK = 100, 20
TIMEOUT_S = 1_800
# Routes as the portal's request log names them.
DASHBOARD_ROUTE = "/applications/"
SUBMIT_ROUTE = "/applications/submit/<slug:form_code>"
API_ROUTE = "/api/v1/me/applications"
_CONFIRMATION = re.compile(r"^/applications/[0-9a-f-]{36}/\?submitted=1$")

# --- Helpers run in the portal's environment ------------------------------------------------


def _role(env: dict[str, str], log: Path, *args: str) -> Any:
    return run_role("bench.applications_roles", env, log, *args, timeout=TIMEOUT_S)


# --- A local SMTP server that counts what arrives ----------------------------------------------


class _Counting:
    """aiosmtpd handler: the arrival time and recipients of every message."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.arrivals: list[float] = []
        self.recipients: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.arrivals.append(time.perf_counter())
            self.recipients += list(envelope.rcpt_tos)
        return "250 Message accepted for delivery"

    def reset(self) -> None:
        with self.lock:
            self.arrivals.clear()
            self.recipients.clear()

    def wait(self, count: int, *, timeout_s: float, alive: Any = None) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.arrivals) >= count:
                    return True
            if alive is not None and not alive():
                break
            time.sleep(0.05)
        with self.lock:
            return len(self.arrivals) >= count


@dataclass
class _Smtp:
    host: str
    port: int
    handler: _Counting
    controller: Any

    @classmethod
    def start(cls) -> _Smtp:
        try:
            from aiosmtpd.controller import Controller
        except ImportError as exc:
            raise SuiteError("aiosmtpd is needed (a dev dependency: uv sync)") from exc
        with socket.socket() as probe:
            probe.bind((HOST, 0))
            port = int(probe.getsockname()[1])
        handler = _Counting()
        controller = Controller(handler, hostname=HOST, port=port)
        controller.start()
        return cls(HOST, port, handler, controller)

    def stop(self) -> None:
        self.controller.stop()

    def env(self) -> tuple[tuple[str, str], ...]:
        return (
            ("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
            ("EMAIL_HOST", self.host),
            ("EMAIL_PORT", str(self.port)),
        )


# --- Submissions -------------------------------------------------------------------------------


@dataclass
class _Submissions:
    rows: list[Row]
    outcomes: dict[str, list[Outcome]]
    server_ms: dict[str, list[float]]  # pooled over the measured rounds
    checks: list[str] = field(default_factory=list)
    exact: bool = True
    applications: int = 0


def _form_request(session: str, code: str, draft: str) -> Request:
    body = urlencode({"draft": draft, "idempotency_key": uuid.uuid4().hex}).encode()
    return Request(
        "POST",
        f"/applications/submit/{code}",
        {
            "Cookie": f"sessionid={session}; csrftoken={CSRF}",
            "X-CSRFToken": CSRF,
            "Content-Type": "application/x-www-form-urlencoded",
        },
        body,
        tag=draft,
    )


def _api_request(session: str, draft: str) -> Request:
    return Request(
        "POST",
        "/api/v1/me/applications",
        {
            "Cookie": f"sessionid={session}; csrftoken={CSRF}",
            "X-CSRFToken": CSRF,
            "Content-Type": "application/json",
            "Idempotency-Key": uuid.uuid4().hex,
        },
        json.dumps({"draft": draft}).encode(),
        tag=draft,
    )


def _check_form(status: int, location: str) -> str | None:
    if status != 302 or not _CONFIRMATION.match(location):
        return f"form submission answered {status} {location}"
    return None


def _check_api(status: int, location: str) -> str | None:
    return None if status == 201 else f"API submission answered {status}"


def _check_hello(status: int, location: str) -> str | None:
    return None if status == 200 else f"hello answered {status}"


class _Run:
    """One database's portal, its roles and its clients."""

    def __init__(self, label: str, portal: Portal, setup: dict[str, Any], log: Path) -> None:
        self.label = label
        self.portal = portal
        self.setup = setup
        self.log = log
        assert portal.tmp is not None
        self.env = portal.environment(portal.tmp)
        self.tmp = portal.tmp
        self.sessions: list[str] = setup["sessions"]
        self.requests_log = RequestLog(portal.tmp / "server.log")
        # The last submissions' server times, from the portal's request log.
        self.server_ms: list[float] = []

    def role(self, *args: str) -> Any:
        return _role(self.env, self.log, *args)

    def drive(self, requests: list[Iterator[Request]], duration_s: float, check: Any) -> Outcome:
        return load_tool.drive(HOST, self.portal.port, requests, duration_s=duration_s, check=check)

    def hello(self, duration_s: float, *, signed_in: bool) -> Outcome:
        def requests(session: str) -> Iterator[Request]:
            headers = {"Cookie": f"sessionid={session}"} if signed_in else {}
            return itertools.repeat(Request("GET", HELLO_PATH, headers))

        return self.drive([requests(s) for s in self.sessions], duration_s, _check_hello)

    def submit(self, per_client: int, duration_s: float, *, api: bool) -> tuple[Outcome, str]:
        """Drafts for every client, then the clients submit them; the outcome and whether
        exactly one application exists for each draft submitted."""
        drafts = self.role("drafts", str(per_client))["drafts"]
        if len(drafts) != len(self.sessions):
            raise SuiteError(f"{len(drafts)} clients have drafts, not {len(self.sessions)}")
        requests = [
            iter(
                [
                    _api_request(session, draft) if api else _form_request(session, code, draft)
                    for code, draft in mine
                ]
            )
            for session, mine in zip(self.sessions, drafts, strict=True)
        ]
        mark = self.requests_log.mark()
        outcome = self.drive(requests, duration_s, _check_api if api else _check_form)
        route = API_ROUTE if api else SUBMIT_ROUTE
        self.server_ms = self.requests_log.durations(mark, route=route)[0]
        done = self.tmp / f"submitted-{uuid.uuid4().hex}.json"
        done.write_text(json.dumps(outcome.done_tags))
        found = self.role("verify", str(done))
        verdict = ""
        if found["applications"] != found["submitted"] or found["drafts_left"]:
            verdict = (
                f"{found['submitted']} drafts submitted, {found['applications']} applications "
                f"for them, {found['drafts_left']} of those drafts left"
            )
        return outcome, verdict


def _per_client(rate: float, duration_s: float) -> int:
    """Drafts each client needs to keep sending for the whole run at `rate` (total per
    second), with room to spare; at most one per published service."""
    wanted = math.ceil(rate * duration_s * 3 / CLIENTS) + 8
    return max(WARMUP_DRAFTS, min(SERVICES, wanted))


def _print(label: str, round_no: int, rounds: int, name: str, outcome: Outcome) -> None:
    result = outcome.as_load()
    print(
        f"  {label} round {round_no + 1}/{rounds} {name:<18} {result.rps:>8,.1f} req/s"
        f"  p50 {result.p50_ms:7.2f} ms  p99 {result.p99_ms:7.2f} ms"
        + (f"  errors {outcome.errors}" if outcome.errors else "")
        + ("  (drafts ran out)" if outcome.ran_out else ""),
        flush=True,
    )


def _submissions(run: _Run, load: LoadSettings) -> _Submissions:
    label = run.label
    duration, rounds = float(load.duration_s), load.rounds
    print(f"  {label}: warm-up", flush=True)
    run.hello(load.warmup_s, signed_in=False)
    run.hello(load.warmup_s, signed_in=True)
    rates: dict[str, float] = {}
    for name, api in (("form submit", False), ("API submit", True)):
        warm, verdict = run.submit(WARMUP_DRAFTS, 600, api=api)
        if warm.errors or verdict:
            raise SuiteError(f"{label}: {name} fails: {verdict} {warm.problems[:3]}")
        rates[name] = warm.as_load().rps
    names = ["hello", "hello, signed in", "form submit", "API submit"]
    outcomes: dict[str, list[Outcome]] = {name: [] for name in names}
    checks: list[str] = []
    server_ms: dict[str, list[float]] = {}
    for round_no in range(rounds):
        for name in names if round_no % 2 == 0 else names[::-1]:
            if name.startswith("hello"):
                outcome = run.hello(duration, signed_in=name != "hello")
            else:
                per_client = _per_client(rates[name], duration)
                outcome, verdict = run.submit(per_client, duration, api=name == "API submit")
                rates[name] = max(rates[name], outcome.as_load().rps)
                server_ms.setdefault(name, []).extend(run.server_ms)
                if verdict:
                    checks.append(f"{name}, round {round_no + 1}: {verdict}")
            outcomes[name].append(outcome)
            _print(label, round_no, rounds, name, outcome)
    total = run.role("verify", str(_empty_list(run.tmp)))["total"]
    rows = [
        Row(
            f"{label}: hello, {CLIENTS} clients",
            f"GET {HELLO_PATH}, anonymous: the baseline, loaded by the same clients",
            [o.as_load() for o in outcomes["hello"]],
        ),
        Row(
            f"{label}: hello, signed in, {CLIENTS} clients",
            "the same view with each client's session cookie: session and account read",
            [o.as_load() for o in outcomes["hello, signed in"]],
        ),
        Row(
            f"{label}: form submit",
            "POST /applications/submit/<code> from check-your-answers, each request a new "
            f"draft: validate, number, application, event, notification, audit; {CLIENTS} clients",
            [o.as_load() for o in outcomes["form submit"]],
        ),
        Row(
            f"{label}: API submit",
            "POST /api/v1/me/applications with a new draft and Idempotency-Key (201), "
            f"{CLIENTS} clients",
            [o.as_load() for o in outcomes["API submit"]],
        ),
    ]
    return _Submissions(rows, outcomes, server_ms, checks, exact=not checks, applications=total)


def _empty_list(tmp: Path) -> Path:
    path = tmp / "none.json"
    path.write_text("[]")
    return path


# --- Dashboard ---------------------------------------------------------------------------------


@dataclass
class _Dashboard:
    rows: list[Row]
    p95: dict[str, list[float]]
    server: dict[str, list[list[float]]]  # calm: server times (ms), round by round
    server_busy: dict[str, list[list[float]]]  # at saturation
    calm_connections: int


def _dashboard(run: _Run, load: LoadSettings, workers: int) -> _Dashboard:
    label = run.label
    person = run.setup["person_session"]
    last_page = math.ceil(PERSON_APPLICATIONS / 20)
    scripts = {
        "plain": load_tool.wrk_script(run.tmp, "plain"),
        "person": load_tool.wrk_script(run.tmp, "person", f"sessionid={person}"),
    }
    # name: (path, script, route in the request log, measured at saturation too)
    endpoints: dict[str, tuple[str, Path, str, bool]] = {
        "hello": (HELLO_PATH, scripts["plain"], "/bench/hello", True),
        "hello, signed in": (HELLO_PATH, scripts["person"], "/bench/hello", True),
        "dashboard": (DASHBOARD_ROUTE, scripts["person"], DASHBOARD_ROUTE, True),
        "dashboard, last page": (
            f"{DASHBOARD_ROUTE}?page={last_page}", scripts["person"], DASHBOARD_ROUTE, False,
        ),
        "dashboard, search by number": (
            f"{DASHBOARD_ROUTE}?{urlencode({'q': run.setup['person_number']})}",
            scripts["person"], DASHBOARD_ROUTE, False,
        ),
        "API list": (API_ROUTE, scripts["person"], API_ROUTE, True),
        "API list, last page": (f"{API_ROUTE}?page={last_page}", scripts["person"], API_ROUTE, False),
    }  # fmt: skip
    for name, (path, script, _route, _busy) in endpoints.items():
        cookie = f"sessionid={person}" if script == scripts["person"] else ""
        status, body = load_tool.get(run.portal.port, path, cookie)
        if status != 200:
            raise SuiteError(f"{label}: {name} answered {status}: {body[:300]!r}")
    requests_log = RequestLog(run.tmp / "server.log")
    url = run.portal.url

    def measure(
        names: list[str],
        settings: LoadSettings,
        rounds: int,
        times: dict[str, list[list[float]]],
    ) -> tuple[dict[str, list[LoadResult]], dict[str, list[float]]]:
        for name in names:
            path, script, _route, _busy = endpoints[name]
            load_tool.wrk_run(
                url + path, script=script, connections=settings.connections,
                threads=settings.threads, duration_s=settings.warmup_s,
                timeout_s=settings.timeout_s,
            )  # fmt: skip
        runs: dict[str, list[LoadResult]] = {n: [] for n in names}
        p95: dict[str, list[float]] = {n: [] for n in names}
        for round_no in range(rounds):
            for name in names if round_no % 2 == 0 else names[::-1]:
                path, script, route, _busy = endpoints[name]
                mark = requests_log.mark()
                result, p95_ms = load_tool.wrk_run(
                    url + path, script=script, connections=settings.connections,
                    threads=settings.threads, duration_s=settings.duration_s,
                    timeout_s=settings.timeout_s,
                )  # fmt: skip
                durations, statuses = requests_log.durations(mark, route=route)
                # A page that fails is a bug to report; a wrk timeout on a busy machine is
                # counted in the row's errors.
                if any(status != 200 for status in statuses):
                    raise SuiteError(f"{label}: {name} answered {dict(statuses)}")
                runs[name].append(result)
                p95[name].append(p95_ms)
                times.setdefault(name, []).append(durations)
                server = load_tool.percentile(sorted(durations), 0.95)
                print(
                    f"  {label} round {round_no + 1}/{rounds} {name:<28} {result.rps:>8,.0f} req/s"
                    f"  p95 {p95_ms:7.2f} ms  server p95 {server:6.2f} ms",
                    flush=True,
                )
        return runs, p95

    busy_names = [n for n, e in endpoints.items() if e[3]]
    busy_times: dict[str, list[list[float]]] = {}
    print(f"  {label}: dashboard under load ({load.connections} connections)", flush=True)
    runs, p95 = measure(busy_names, load, load.rounds, busy_times)
    calm = replace(load, connections=max(workers, 1), threads=1)
    calm_names = [n for n in endpoints if n != "hello"]
    calm_times: dict[str, list[list[float]]] = {}
    calm_rounds = max(1, (load.rounds + 1) // 2)
    print(f"  {label}: server time, {calm.connections} request(s) in flight", flush=True)
    measure(calm_names, calm, calm_rounds, calm_times)
    what = {
        "hello": "Django view returning a constant, anonymous: the baseline",
        "hello, signed in": "the same view with the person's session cookie",
        "dashboard": f"GET {DASHBOARD_ROUTE}: three drafts, the first 20 of "
        f"{PERSON_APPLICATIONS:,} applications, pagination",
        "API list": f"GET {API_ROUTE}: the first page of 20, as JSON",
    }
    tool = {"hello": " (wrk)", "hello, signed in": " (wrk)"}
    rows = [
        Row(f"{label}: {name}{tool.get(name, '')}", what[name], runs[name]) for name in busy_names
    ]
    return _Dashboard(rows, p95, calm_times, busy_times, calm.connections)


# --- Notifications -----------------------------------------------------------------------------


@dataclass
class _Notifications:
    rows: list[Row]
    checks: list[str]
    notify_ms: list[float]  # per notified person, one figure per round


def _rate(arrivals: list[float], count: int) -> tuple[float, float]:
    """Messages per second between the first arrival and the last, and that time."""
    if len(arrivals) < 2:
        return 0.0, 0.0
    span = max(arrivals) - min(arrivals)
    return (count - 1) / span if span else 0.0, span


def _as_load(count: int, seconds: float, send_ms: list[float]) -> LoadResult:
    ordered = sorted(send_ms)
    return LoadResult(
        requests=count,
        duration_s=seconds,
        rps=(count - 1) / seconds if seconds else 0.0,
        p50_ms=load_tool.percentile(ordered, 0.50),
        p90_ms=load_tool.percentile(ordered, 0.90),
        p99_ms=load_tool.percentile(ordered, 0.99),
        bytes_read=0,
    )


def _workers(run: _Run, env: dict[str, str], smtp: _Smtp, count: int) -> float:
    """Start the delivery workers on the prepared queue; seconds first to last email."""
    worker_log = run.tmp / "workers.log"
    argv = [
        sys.executable, "-m", "uslugi", "db_worker", "--batch", "--no-reload",
        "--no-startup-delay", "--queue-name", "default", "--interval", "0.1",
    ]  # fmt: skip
    smtp.handler.reset()
    with worker_log.open("ab") as out:
        procs = [
            subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=out)
            for _ in range(SENDERS)
        ]
        try:
            arrived = smtp.handler.wait(
                count, timeout_s=600, alive=lambda: any(p.poll() is None for p in procs)
            )
            for proc in procs:
                proc.wait(timeout=120)
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
    if not arrived:
        tail = worker_log.read_text(errors="replace")[-3000:]
        raise SuiteError(
            f"{run.label}: {len(smtp.handler.arrivals)} of {count} emails arrived:\n{tail}"
        )
    return _rate(smtp.handler.arrivals, count)[1]


def _raw_senders(run: _Run, smtp: _Smtp, count: int, batch: str) -> tuple[float, list[float]]:
    """The baseline processes: ready, then go at once; seconds first to last email."""
    go = run.tmp / f"go-{uuid.uuid4().hex}"
    smtp.handler.reset()
    argv = [sys.executable, "-m", "bench.applications_roles", "smtp-raw", str(go), smtp.host,
            str(smtp.port)]  # fmt: skip
    with run.log.open("ab") as err:
        procs = [
            subprocess.Popen(
                [*argv, str(share), str(SENDERS), batch],
                cwd=ROOT,
                env=run.env,
                stdout=subprocess.PIPE,
                stderr=err,
            )
            for share in range(SENDERS)
        ]
        deadline = time.monotonic() + 120
        while len(list(run.tmp.glob(go.name + ".ready.*"))) < SENDERS:
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                for p in procs:
                    p.kill()
                raise SuiteError(f"baseline senders did not start:\n{run.log.read_text()[-3000:]}")
            time.sleep(0.05)
        go.touch()
        send_ms: list[float] = []
        for proc in procs:
            stdout, _ = proc.communicate(timeout=900)
            if proc.returncode != 0:
                raise SuiteError(f"a baseline sender failed:\n{run.log.read_text()[-3000:]}")
            send_ms += json.loads(stdout.decode().strip().splitlines()[-1])["send_ms"]
    if not smtp.handler.wait(count, timeout_s=60):
        raise SuiteError(f"{len(smtp.handler.arrivals)} of {count} baseline emails arrived")
    return _rate(smtp.handler.arrivals, count)[1], send_ms


def _notifications(run: _Run, smtp: _Smtp, rounds: int, count: int) -> _Notifications:
    label = run.label
    env = {**run.env, **dict(smtp.env())}
    portal_runs: list[LoadResult] = []
    raw_runs: list[LoadResult] = []
    checks: list[str] = []
    notify_ms: list[float] = []
    for round_no in range(rounds):
        batch = str(round_no)
        made = _role(env, run.log, "notify", str(count), batch)
        notify_ms.append(made["notify_s"] * 1000 / count)
        for kind in ("portal", "raw") if round_no % 2 == 0 else ("raw", "portal"):
            if kind == "portal":
                seconds = _workers(run, env, smtp, count)
                state = _role(env, run.log, "notified", batch)
                received = sorted(smtp.handler.recipients)
                sent = state["statuses"].get("sent", 0)
                if (
                    sent != count
                    or state["attempts_max"] != 1
                    or len(received) != count
                    or len(set(received)) != count
                ):
                    checks.append(
                        f"round {round_no + 1}: {sent} of {count} sent, attempts up to "
                        f"{state['attempts_max']}, {len(received)} emails received "
                        f"({len(set(received))} addresses), statuses {state['statuses']}"
                    )
                result = _as_load(count, seconds, state["send_ms"])
                portal_runs.append(result)
            else:
                seconds, send_ms = _raw_senders(run, smtp, count, batch)
                result = _as_load(count, seconds, send_ms)
                raw_runs.append(result)
            print(
                f"  {label} round {round_no + 1}/{rounds} emails, {kind:<6} "
                f"{result.rps:>8,.1f}/s  send p50 {result.p50_ms:6.2f} ms",
                flush=True,
            )
    rows = [
        Row(
            f"{label}: notification emails, {SENDERS} workers",
            f"{count:,} queued email notifications delivered by {SENDERS} `db_worker` "
            "processes (claim, decrypt, rate-limit check, Django SMTP backend, delivery log)",
            portal_runs,
        ),
        Row(
            f"{label}: raw smtplib, {SENDERS} processes",
            "baseline: the same emails built with the standard library and sent with "
            "smtplib, one connection each, to the same server",
            raw_runs,
        ),
    ]
    return _Notifications(rows, checks, notify_ms)


# --- The suite ---------------------------------------------------------------------------------


def _p(values: list[float], share: float) -> float:
    return load_tool.percentile(sorted(values), share)


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else math.nan


@dataclass
class _Found:
    label: str
    submissions: _Submissions
    dashboard: _Dashboard
    notifications: _Notifications
    setup: dict[str, Any]
    inprocess: dict[str, dict[str, list[float]]]


def _measure(ctx: Context, label: str, database_url: str, smtp: _Smtp, log: Path) -> _Found:
    load, quick = ctx.load, ctx.load.duration_s <= 2
    settings: ServerSettings = replace(
        ctx.server, database_url=database_url, extra_env=(*ctx.server.extra_env, *smtp.env())
    )
    print(f"  {label}: portal", flush=True)
    with Portal(settings) as portal:
        assert portal.tmp is not None
        env = portal.environment(portal.tmp)
        print(f"  {label}: {SERVICES} services, {CLIENTS} people, 1 with "
              f"{PERSON_APPLICATIONS:,} applications", flush=True)  # fmt: skip
        setup = _role(env, log, "setup", str(CLIENTS), str(SERVICES), str(PERSON_APPLICATIONS))
        run = _Run(label, portal, setup, log)
        submissions = _submissions(run, load)
        dashboard = _dashboard(run, load, ctx.server.workers)
        calls = INPROCESS_CALLS_QUICK if quick else INPROCESS_CALLS
        print(f"  {label}: in process, {calls} calls each", flush=True)
        inprocess = run.role("inprocess", str(calls), setup["person_number"])["cases"]
        count = NOTIFICATIONS_QUICK if quick else NOTIFICATIONS
        print(f"  {label}: notifications, {count:,} per round", flush=True)
        notifications = _notifications(run, smtp, min(load.rounds, NOTIFICATION_ROUNDS), count)
    return _Found(label, submissions, dashboard, notifications, setup, inprocess)


def _inprocess_rows(found: _Found) -> list[list[str]]:
    """Wall and CPU percentiles of each in-process case, and its CPU over hello's."""
    hello = _p(found.inprocess["hello, signed in"]["cpu_ms"], 0.5)
    lines = []
    for name, times in found.inprocess.items():
        wall, cpu = times["wall_ms"], times["cpu_ms"]
        lines.append([
            f"{found.label}: {name}",
            f"{_p(wall, 0.5):.1f} ms", f"{_p(wall, 0.95):.1f} ms",
            f"{_p(cpu, 0.5):.1f} ms", f"{_p(cpu, 0.95):.1f} ms",
            f"{_p(cpu, 0.5) / hello:,.1f}×" if hello else "—",
        ])  # fmt: skip
    return lines


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _status(value: float, target: float) -> str:
    if math.isnan(value):
        return "not measured"
    return "pass" if value < target else "**miss**"


def _figures(found: _Found) -> list[list[str]]:
    label, subs, dash = found.label, found.submissions, found.dashboard
    lines: list[list[str]] = []
    for name in ("form submit", "API submit"):
        outcomes = subs.outcomes[name]
        pooled = sorted(x for o in outcomes for x in o.latencies_ms)
        rate = _median([o.as_load().rps for o in outcomes])
        errors = sum(o.errors for o in outcomes)
        server = subs.server_ms.get(name, [])
        lines.append([
            f"{label}: {name}s per second, {CLIENTS} clients (median of rounds); the "
            "clients' latency p50 / p95; the server's time p50 / p95",
            f"{rate:,.0f}/s; {_p(pooled, 0.5):.0f} / {_p(pooled, 0.95):.0f} ms; "
            f"{_p(server, 0.5):.0f} / {_p(server, 0.95):.0f} ms; "
            f"{sum(o.count for o in outcomes):,} sent, {errors} errors",
            "—",
            "exactly once" if subs.exact and not errors else "**errors**",
        ])  # fmt: skip
    for name in ("dashboard", "dashboard, last page", "dashboard, search by number", "API list",
                 "API list, last page"):  # fmt: skip
        rounds = dash.server.get(name, [])
        p95s = [_p(r, 0.95) for r in rounds]
        p95 = _median(p95s)
        busy = dash.server_busy.get(name, [])
        busy_text = (
            f"; at saturation p95 {_median([_p(r, 0.95) for r in busy]):.1f} ms" if busy else ""
        )
        each = ", ".join(f"{x:.1f}" for x in p95s)
        lines.append([
            f"{label}: {name}, server time p50 / p95 / p99, medians of the rounds "
            f"({sum(len(r) for r in rounds):,} requests, {dash.calm_connections} in flight; "
            f"each round's p95: {each} ms){busy_text}",
            f"{_median([_p(r, 0.5) for r in rounds]):.1f} / {p95:.1f} / "
            f"{_median([_p(r, 0.99) for r in rounds]):.1f} ms",
            f"p95 < {DASHBOARD_P95_TARGET_MS:.0f} ms",
            _status(p95, DASHBOARD_P95_TARGET_MS),
        ])  # fmt: skip
    notes = found.notifications
    portal, raw = notes.rows
    lines.append([
        f"{label}: notification emails delivered per second ({SENDERS} workers), raw smtplib",
        f"{portal.rps:,.0f}/s, {raw.rps:,.0f}/s",
        "—",
        "each sent once" if not notes.checks else "**not exactly once**",
    ])  # fmt: skip
    return lines


def run(ctx: Context) -> SuiteReport:
    tmp = Path(tempfile.mkdtemp(prefix="uslugi-applications-bench-"))
    databases, notes = measured_databases(ctx)
    smtp = _Smtp.start()
    found: list[_Found] = []
    try:
        for label, url in databases:
            # SQLite: a fresh file in the portal's directory, whatever --database-url says.
            found.append(_measure(ctx, label, url, smtp, tmp / f"{label}.log"))
    finally:
        smtp.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    rows: list[Row] = []
    ratios: list[Ratio] = []
    figures: list[list[str]] = []
    inprocess: list[list[str]] = []
    calls = INPROCESS_CALLS_QUICK if ctx.load.duration_s <= 2 else INPROCESS_CALLS
    for item in found:
        subs, dash, mail = item.submissions, item.dashboard, item.notifications
        hello, hello_in, form, api = subs.rows
        rows += [*subs.rows, *dash.rows, *mail.rows]
        d_hello, d_hello_in, d_dash, d_api = dash.rows
        ratios += [
            Ratio(form, hello, why=f"{item.label}: a submission against the minimum request"),
            Ratio(form, hello_in, why=f"{item.label}: against a signed-in request"),
            Ratio(api, hello_in, why=f"{item.label}: the API's submission, same"),
            Ratio(d_dash, d_hello_in, why=f"{item.label}: the dashboard of 1,000 applications"),
            Ratio(d_api, d_hello_in, why=f"{item.label}: the API's list of them"),
            Ratio(mail.rows[0], mail.rows[1], why=f"{item.label}: what delivery adds to SMTP"),
        ]
        figures += _figures(item)
        inprocess += _inprocess_rows(item)
        notes += [f"**{item.label}: not exactly once**: {check}" for check in subs.checks]
        notes += [f"**{item.label}: notifications**: {check}" for check in mail.checks]
        cpu = [o.client_cpu_s / o.count * 1000 for o in subs.outcomes["hello"] if o.count]
        sub_cpu = [o.client_cpu_s / o.count * 1000 for o in subs.outcomes["form submit"] if o.count]
        notes.append(
            f"{item.label}: the {CLIENTS} clients spent {_median(cpu):.2f} ms of CPU per hello "
            f"and {_median(sub_cpu):.2f} ms per submission (they share the machine with the "
            f"server); wrk, a lighter load tool, saw {d_hello.rps:,.0f} hello/s from the same "
            f"server ({ctx.load.connections} connections). Applications in the database after "
            f"the runs: {subs.applications:,}; `notify()` (inbox and email rows, the "
            f"delivery task) took {_median(mail.notify_ms):.1f} ms per person."
        )
    load = ctx.load
    calm_rounds = max(1, (load.rounds + 1) // 2)
    return SuiteReport(
        suite="applications",
        title=TITLE,
        summary=(
            f"How many applications {CLIENTS} people submit per second through the portal "
            "(the form's POST and the API), how fast a person with "
            f"{PERSON_APPLICATIONS:,} applications gets their dashboard (target: server time "
            f"p95 under {DASHBOARD_P95_TARGET_MS:.0f} ms), and how many notification emails "
            "per second reach an SMTP server, each beside a baseline of the same run."
        ),
        setup=[
            f"**Server**: {ctx.server.describe()}; email through Django's SMTP backend to an "
            "aiosmtpd server in the benchmark's process; no task worker while submitting (the "
            "deliveries and emails each submission queues wait in the queue)",
            f"**Submissions**: {CLIENTS} clients (threads, one keep-alive connection and one "
            f"request in flight each, each a person with a session), {_n(load.rounds, 'round')} of "
            f"{load.duration_s} s per kind after {WARMUP_DRAFTS} submissions per client and "
            f"{load.warmup_s} s of hello; kinds alternate in order round by round; drafts "
            f"made before each run, one per person and service ({SERVICES} services)",
            f"**Dashboard**: {load.describe()}, a Lua script adds the p95; then each page "
            f"again with one connection per server worker ({_n(calm_rounds, 'round')}) "
            "for the server time, read from the portal's JSON request log "
            "(`duration_ms`: from the first middleware in to the response out)",
            "**Databases**: "
            + "; ".join(
                "SQLite, the portal's fresh temporary file (WAL)"
                if item.label == "SQLite"
                else f"{item.label} from `BENCH_POSTGRES_URL`, migrated, the suite's own "
                "rows replaced"
                for item in found
            ),
            f"**Notifications**: {_n(min(load.rounds, NOTIFICATION_ROUNDS), 'round')} of "
            f"{NOTIFICATIONS_QUICK if load.duration_s <= 2 else NOTIFICATIONS:,} people each "
            f"notified once (`notify()` in its own transaction), then {SENDERS} "
            "`db_worker --batch` processes against the baseline's "
            f"{SENDERS} smtplib processes, alternating which goes first; the rate runs from "
            "the first email the SMTP server receives to the last",
        ],
        rows=rows,
        ratios=ratios,
        tables=[
            Table(
                caption="**Key figures**",
                header=["figure", "value", "target", "status"],
                rows=figures,
            ),
            Table(
                caption=(
                    "**In process**: one request at a time through Django's test client in "
                    "a process with the portal's settings (the same handler and middleware, no "
                    f"server, no socket), {calls} calls of each; CPU time barely moves when "
                    "other programs load the machine, so it is the steadier figure here"
                ),
                header=[
                    "request",
                    "wall p50",
                    "wall p95",
                    "CPU p50",
                    "CPU p95",
                    "× hello signed in (CPU p50)",
                ],
                rows=inprocess,
            ),
        ],
        notes=[
            *notes,
            "For the submissions, p50/p99 are the clients' latencies (16 requests in flight, "
            "so they include waiting for a server worker); for the notification rows, "
            "requests/s is emails per second and p50/p99 the time of one send (an attempt "
            "in the delivery log, or one smtplib connection), `response` does not apply; "
            "for the clients' rows `response` is the body only (wrk counts the headers too).",
        ],
    )
