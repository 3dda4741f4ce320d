"""Agencies: applications pulled and acknowledged per second and status events ingested
per second through the integration API, and the back-office queue of a department with
100,000 applications, each beside the hello-world baseline of the same run.

* **Pull and acknowledge**: the portal under granian (bench/server.py), one agency system
  (OAuth2 client credentials, `POST /o/token/`), 8 clients (threads, each with its own
  access token and keep-alive connection, one request in flight each), each looping:
  `POST /api/v1/agency/applications/lease?limit=20`, then `POST .../{id}/ack` for each
  application leased; then the same with one `POST .../applications/ack` for the whole
  leased batch. Before each round the department is topped up to 2,000 new
  (delivered, never leased) applications, bulk-created. Reported: applications
  acknowledged per second, requests per second, each kind's latency and server time.
* **Status events**: the same clients report `accepted`, `in_progress`, `info_requested`
  and `refused` (each a lifecycle transition: event, notification, audit) for
  applications they acknowledged, each event with its own `event_id` (201); then one
  round replays the first round's events (the same ids: 200, nothing changes), and the
  suite checks that exactly one event exists per id.
* **Back-office queue**: 100,000 applications (two years, six services, every status after
  delivery, with their case files and due dates from the production calendar) in one
  department; an officer (staff role, second step on, a signed-in session) requests the
  queue's first page, a filter by service and status, the overdue ones, a search by
  number, page 200 (reached by following "next" 199 times) and "assigned to me", with one request in flight per server worker;
  the server's time per request is read from the portal's JSON request log (target: p95
  under 100 ms).

SQLite is the benchmark portal's fresh database; PostgreSQL is measured when
`BENCH_POSTGRES_URL` (or `--database-url` with a postgres URL) names a database the suite
may write to: it migrates it, replaces its own rows (departments `bench-agency-*`,
applicants +799940…, the officer +79994199999, services `bench-agency-*`) and removes
them afterwards (bench/agencies_roles.py).
"""

from __future__ import annotations

import http.client
import itertools
import json
import math
import os
import re
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench import applications_load as load_tool
from bench.applications_load import Outcome, Request, RequestLog
from bench.context import Context, SuiteError, measured_databases, run_role
from bench.report import Ratio, Row, SuiteReport, Table
from bench.server import HELLO_PATH, HOST, Portal, ServerSettings
from bench.wrk import LoadResult, LoadSettings

TITLE = (
    "Agencies: applications pulled and acknowledged per second, status events per second, "
    "the back-office queue with 100,000 applications"
)

CLIENTS = 8
LEASE_BATCH = 20
PULL_STOCK = 2000  # new applications in the department before each round, at least
QUEUE_APPLICATIONS = int(os.environ.get("BENCH_AGENCY_QUEUE", "100000"))
QUEUE_P95_TARGET_MS = 100.0
EVENT_STATUSES = ("accepted", "in_progress", "info_requested", "refused")
TIMEOUT_S = 1_800
API = "/api/v1/agency"
QUEUE_ROUTE = "/agency/"
SCOPES = "applications:read applications:write"

# --- Helpers run in the portal's environment ------------------------------------------------


def _role(env: dict[str, str], log: Path, *args: str) -> Any:
    return run_role("bench.agencies_roles", env, log, *args, timeout=TIMEOUT_S)


def _route(times: dict[str, list[float]], ending: str) -> list[float]:
    return [t for route, values in times.items() if route.endswith(ending) for t in values]


def _p(values: list[float], share: float) -> float:
    return load_tool.percentile(sorted(values), share)


def _spread(values: list[float]) -> str:
    """p50 / p95 of the values, to one decimal."""
    return f"{_p(values, 0.5):.1f} / {_p(values, 0.95):.1f}"


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else math.nan


def _as_load(count: int, seconds: float, latencies: list[float], errors: int) -> LoadResult:
    ordered = sorted(latencies)
    return LoadResult(
        requests=count,
        duration_s=seconds,
        rps=count / seconds if seconds else 0.0,
        p50_ms=load_tool.percentile(ordered, 0.50),
        p90_ms=load_tool.percentile(ordered, 0.90),
        p99_ms=load_tool.percentile(ordered, 0.99),
        bytes_read=0,
        non_2xx=errors,
    )


# --- Agency clients -----------------------------------------------------------------------------


def _token(port: int, client_id: str, secret: str) -> str:
    """An access token by the client-credentials grant, as an agency system gets one."""
    import base64

    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request(
            "POST",
            "/o/token/",
            body=urlencode({"grant_type": "client_credentials", "scope": SCOPES}),
            headers={
                "Authorization": f"Basic {basic}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if response.status != 200:
        raise SuiteError(f"the token endpoint answered {response.status}: {body[:300]!r}")
    return str(json.loads(body)["access_token"])


@dataclass
class _Pulled:
    """What the pulling clients did in one run."""

    seconds: float = 0.0
    acked: int = 0
    lease_ms: list[float] = field(default_factory=list)
    ack_ms: list[float] = field(default_factory=list)
    leased: int = 0
    problems: list[str] = field(default_factory=list)
    ran_out: bool = False

    @property
    def requests(self) -> int:
        return len(self.lease_ms) + len(self.ack_ms)

    @property
    def rate(self) -> float:
        return self.acked / self.seconds if self.seconds else 0.0

    def as_load(self) -> LoadResult:
        return _as_load(
            self.requests, self.seconds, self.lease_ms + self.ack_ms, len(self.problems)
        )


def _pull(port: int, tokens: list[str], duration_s: float, *, batch: bool = False) -> _Pulled:
    """Each client leases a batch, acknowledges each application of it (or, with `batch`,
    the whole batch in one request), and again, until the time is up (or nothing is left
    to lease: then all stop)."""
    outcome = _Pulled()
    lock = threading.Lock()
    stop = threading.Event()
    start = threading.Barrier(len(tokens) + 1)

    def client(token: str) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=60)
        headers = {"Authorization": f"Bearer {token}", "Content-Length": "0"}
        lease_ms: list[float] = []
        ack_ms: list[float] = []
        problems: list[str] = []
        acked = leased = 0

        def post(path: str, body: bytes = b"") -> tuple[int, bytes, float]:
            began = time.perf_counter()
            sent = {**headers, "Content-Length": str(len(body))}
            if body:
                sent["Content-Type"] = "application/json"
            connection.request("POST", path, body=body, headers=sent)
            response = connection.getresponse()
            body = response.read()
            return response.status, body, (time.perf_counter() - began) * 1000

        try:
            connection.connect()
            start.wait()
            deadline = time.perf_counter() + duration_s
            while not stop.is_set() and time.perf_counter() < deadline:
                status, body, ms = post(f"{API}/applications/lease?limit={LEASE_BATCH}")
                lease_ms.append(ms)
                if status != 200:
                    problems.append(f"lease answered {status}: {body[:200]!r}")
                    break
                items = json.loads(body)["items"]
                if not items:
                    with lock:
                        outcome.ran_out = True
                    stop.set()
                    break
                leased += len(items)
                if batch:
                    ids = json.dumps({"ids": [item["id"] for item in items]}).encode()
                    status, body, ms = post(f"{API}/applications/ack", ids)
                    ack_ms.append(ms)
                    answer = json.loads(body) if status == 200 else {}
                    acked += len(answer.get("items", []))
                    if status != 200 or answer.get("refused"):
                        problems.append(f"batch ack answered {status}: {body[:200]!r}")
                    continue
                for item in items:
                    if stop.is_set() or time.perf_counter() >= deadline:
                        break  # the rest stays leased until its lease ends
                    status, body, ms = post(f"{API}/applications/{item['id']}/ack")
                    ack_ms.append(ms)
                    if status == 200:
                        acked += 1
                    else:
                        problems.append(f"ack answered {status}: {body[:200]!r}")
        except Exception as exc:  # noqa: BLE001 - counted as an error of the run
            problems.append(f"{type(exc).__name__}: {exc}")
            stop.set()
        finally:
            connection.close()
            with lock:
                outcome.lease_ms += lease_ms
                outcome.ack_ms += ack_ms
                outcome.problems += problems
                outcome.acked += acked
                outcome.leased += leased

    threads = [threading.Thread(target=client, args=(t,), daemon=True) for t in tokens]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    outcome.seconds = time.perf_counter() - began
    return outcome


def _event_requests(token: str, ids: list[str]) -> list[Request]:
    """Each application's events in lifecycle order, each with its own event id."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    requests = []
    for application in ids:
        for status in EVENT_STATUSES:
            body: dict[str, Any] = {"event_id": f"bench:{application}:{status}", "status": status}
            if status in {"info_requested", "refused"}:
                body["comment"] = "Benchmark: please send the missing page."
            requests.append(
                Request(
                    "POST",
                    f"{API}/applications/{application}/events",
                    headers,
                    json.dumps(body).encode(),
                    tag=body["event_id"],
                )
            )
    return requests


def _created(status: int, location: str) -> str | None:
    return None if status == 201 else f"event answered {status}"


def _replayed(status: int, location: str) -> str | None:
    return None if status == 200 else f"replayed event answered {status}"


def _ok(status: int, location: str) -> str | None:
    return None if status == 200 else f"hello answered {status}"


# --- One database -------------------------------------------------------------------------------


@dataclass
class _Api:
    hello: list[Outcome]
    pulled: list[_Pulled]
    batched: list[_Pulled]  # lease, then one acknowledgement of the whole batch
    events: list[Outcome]
    replay: Outcome
    server: dict[str, list[float]]  # lease, ack, batch ack, event, replay: server times (ms)
    checks: list[str]
    created_events: int
    exact: bool  # one event per id, replays answered 200 and changed nothing


class _Run:
    def __init__(self, label: str, portal: Portal, log: Path) -> None:
        assert portal.tmp is not None
        self.label = label
        self.portal = portal
        self.log = log
        self.env = portal.environment(portal.tmp)
        self.tmp = portal.tmp
        self.server_log = RequestLog(portal.tmp / "server.log")
        self.setup: dict[str, Any] = {}
        self.tokens: list[str] = []

    def role(self, *args: str) -> Any:
        return _role(self.env, self.log, *args)

    def mark(self) -> int:
        return self.server_log.mark()

    def hello(self, duration_s: float) -> Outcome:
        requests = [itertools.repeat(Request("GET", HELLO_PATH, {})) for _ in self.tokens]
        return load_tool.drive(HOST, self.portal.port, requests, duration_s=duration_s, check=_ok)

    def pull(self, duration_s: float, stock: int, *, batch: bool = False) -> _Pulled:
        self.role("pull-seed", str(stock))
        return _pull(self.portal.port, self.tokens, duration_s, batch=batch)

    def events(self, duration_s: float, per_client: int) -> tuple[Outcome, list[list[Request]]]:
        ids = self.role("acked", str(per_client * len(self.tokens)))["ids"]
        lists = [
            _event_requests(token, ids[i * per_client : (i + 1) * per_client])
            for i, token in enumerate(self.tokens)
        ]
        outcome = load_tool.drive(
            HOST, self.portal.port, [iter(x) for x in lists], duration_s=duration_s,
            check=_created,
        )  # fmt: skip
        return outcome, lists


class _ApiRounds:
    """The rounds of hello, lease + ack, lease + batch ack and status events, and what
    they found."""

    def __init__(self, run: _Run, load: LoadSettings) -> None:
        self.run, self.load = run, load
        self.duration = float(load.duration_s)
        self.hello: list[Outcome] = []
        self.pulled: list[_Pulled] = []
        self.batched: list[_Pulled] = []
        self.events: list[Outcome] = []
        self.first_events: list[list[Request]] = []
        self.first_done: set[str] = set()
        self.server: dict[str, list[float]] = {
            "lease": [], "ack": [], "batch lease": [], "batch ack": [], "event": [], "replay": [],
        }  # fmt: skip
        self.checks: list[str] = []
        self.twice: list[str] = []  # exactly once broken: replays that changed something
        self.created = 0
        self.pull_rate = self.batch_rate = self.event_rate = 1.0

    def show(self, round_no: int, name: str, result: LoadResult, extra: str = "") -> None:
        print(
            f"  {self.run.label} round {round_no + 1}/{self.load.rounds} {name:<8} "
            f"{result.rps:>8,.1f} req/s  p50 {result.p50_ms:7.2f} ms  "
            f"p99 {result.p99_ms:7.2f} ms{extra}",
            flush=True,
        )

    def warm_up(self) -> None:
        run, warmup = self.run, self.load.warmup_s
        print(f"  {run.label}: warm-up", flush=True)
        run.hello(warmup)
        warm = run.pull(warmup, PULL_STOCK)
        if warm.problems or not warm.acked:
            raise SuiteError(f"{run.label}: pulling fails: {warm.problems[:3]}")
        events, _ = run.events(warmup, 4)
        if events.errors:
            raise SuiteError(f"{run.label}: status events fail: {events.problems[:3]}")
        self.created += events.statuses[201]
        self.pull_rate = max(warm.rate, 1.0)
        warm = run.pull(warmup, PULL_STOCK, batch=True)
        if warm.problems or not warm.acked:
            raise SuiteError(f"{run.label}: batch acknowledgement fails: {warm.problems[:3]}")
        self.batch_rate = max(warm.rate, 1.0)
        self.event_rate = max(events.as_load().rps, 1.0)

    def round_hello(self, round_no: int) -> None:
        outcome = self.run.hello(self.duration)
        self.hello.append(outcome)
        self.show(round_no, "hello", outcome.as_load())

    def round_pull(self, round_no: int, *, batch: bool = False) -> None:
        run, name = self.run, "batch" if batch else "pull"
        rate = self.batch_rate if batch else self.pull_rate
        stock = max(PULL_STOCK, math.ceil(rate * self.duration * 2))
        mark = run.mark()
        result = run.pull(self.duration, stock, batch=batch)
        times = run.server_log.by_route(mark)
        prefix = "batch " if batch else ""
        self.server[prefix + "lease"] += _route(times, "/lease")
        self.server[prefix + "ack"] += _route(times, "/ack")
        (self.batched if batch else self.pulled).append(result)
        if batch:
            self.batch_rate = max(self.batch_rate, result.rate)
        else:
            self.pull_rate = max(self.pull_rate, result.rate)
        if result.ran_out:
            self.checks.append(f"{name}, round {round_no + 1}: the {stock:,} applications ran out")
        if result.problems:
            self.checks.append(f"{name}, round {round_no + 1}: {result.problems[:2]}")
        self.show(round_no, name, result.as_load(), f"  {result.rate:,.1f} applications/s")

    def round_batch(self, round_no: int) -> None:
        self.round_pull(round_no, batch=True)

    def round_events(self, round_no: int) -> None:
        run = self.run
        wanted = self.event_rate * self.duration * 4 / len(EVENT_STATUSES) / CLIENTS
        mark = run.mark()
        outcome, lists = run.events(self.duration, math.ceil(wanted) + 2)
        self.server["event"] += _route(run.server_log.by_route(mark), "/events")
        self.events.append(outcome)
        self.created += outcome.statuses[201]
        self.event_rate = max(self.event_rate, outcome.as_load().rps)
        if not self.first_events:
            self.first_events, self.first_done = lists, set(outcome.done_tags)
        if outcome.errors:
            self.checks.append(f"events, round {round_no + 1}: {outcome.problems[:2]}")
        if outcome.ran_out:
            self.checks.append(f"events, round {round_no + 1}: the applications ran out")
        self.show(round_no, "events", outcome.as_load())

    def replay(self) -> Outcome:
        """The first round's events again, with the same ids: each answers 200."""
        run = self.run
        replays = [
            iter([r for r in mine if r.tag in self.first_done]) for mine in self.first_events
        ]
        mark = run.mark()
        replay = load_tool.drive(
            HOST, run.portal.port, replays, duration_s=self.duration, check=_replayed
        )
        self.server["replay"] = _route(run.server_log.by_route(mark), "/events")
        self.show(0, "replays", replay.as_load(), f"  ({replay.count:,} events)")
        if replay.errors:
            self.twice.append(f"replayed events: {replay.problems[:2]}")
        return replay


def _api(run: _Run, load: LoadSettings) -> _Api:
    rounds = _ApiRounds(run, load)
    rounds.warm_up()
    kinds = [rounds.round_hello, rounds.round_pull, rounds.round_batch, rounds.round_events]
    for round_no in range(load.rounds):
        for kind in kinds if round_no % 2 == 0 else kinds[::-1]:
            kind(round_no)
    replay = rounds.replay()
    recorded = run.role("events")
    if recorded["events"] != rounds.created or recorded["duplicates"]:
        rounds.twice.append(
            f"{rounds.created:,} events answered 201, {recorded['events']:,} recorded, "
            f"{recorded['duplicates']} ids recorded twice"
        )
    return _Api(
        rounds.hello, rounds.pulled, rounds.batched, rounds.events, replay, rounds.server,
        rounds.checks + rounds.twice, rounds.created, exact=not rounds.twice,
    )  # fmt: skip


# --- The back-office queue ----------------------------------------------------------------------


@dataclass
class _Queue:
    rows: list[Row]
    server: dict[str, list[list[float]]]  # round by round
    seed: dict[str, Any]
    connections: int
    plans: dict[str, str]  # PostgreSQL: EXPLAIN ANALYZE of the slower queries, by page
    queries: dict[str, list[list[Any]]]  # by page: [label, ms] of each query, in process


def _queue(run: _Run, load: LoadSettings, workers: int) -> _Queue:
    label = run.label
    print(f"  {label}: {QUEUE_APPLICATIONS:,} applications in the queue's department", flush=True)
    seed = run.role("queue-seed", str(QUEUE_APPLICATIONS))
    print(f"  {label}: seeded in {seed['build_s'] + seed['insert_s']:.0f} s "
          f"({seed['open']:,} open, {seed['overdue']:,} overdue)", flush=True)  # fmt: skip
    cookie = f"sessionid={run.setup['officer_session']}"
    script = load_tool.wrk_script(run.tmp, "officer", cookie)
    service = run.setup["services"][1]
    deep = run.role("deep", QUEUE_ROUTE, "200")
    pages = {
        "hello, signed in": HELLO_PATH,
        "queue": QUEUE_ROUTE,
        "queue, service and status": f"{QUEUE_ROUTE}?"
        + urlencode({"service": service, "status": "in_progress"}),
        "queue, overdue": f"{QUEUE_ROUTE}?due=overdue",
        "queue, search by number": f"{QUEUE_ROUTE}?" + urlencode({"number": seed["number"]}),
        # Page 200, as an officer reaches it: by following "next" 199 times.
        "queue, page 200": deep["path"],
        "queue, assigned to me": f"{QUEUE_ROUTE}?assignee=mine",
    }
    for name, path in pages.items():
        began = time.perf_counter()
        status, body = load_tool.get(run.portal.port, path, cookie)
        if status != 200:
            raise SuiteError(f"{label}: {name} answered {status}: {body[:300]!r}")
        if name == "queue, search by number" and seed["number"].encode() not in body:
            raise SuiteError(f"{label}: the search by number does not find {seed['number']}")
        print(f"  {label}: first {name}: {(time.perf_counter() - began) * 1000:,.0f} ms",
              flush=True)  # fmt: skip
    calm = replace(load, connections=max(workers, 1), threads=1)
    rounds = max(1, (load.rounds + 1) // 2)
    url = run.portal.url
    for path in pages.values():
        load_tool.wrk_run(
            url + path, script=script, connections=calm.connections, threads=1,
            duration_s=calm.warmup_s, timeout_s=calm.timeout_s,
        )  # fmt: skip
    runs: dict[str, list[LoadResult]] = {name: [] for name in pages}
    server: dict[str, list[list[float]]] = {name: [] for name in pages}
    names = list(pages)
    print(f"  {label}: queue pages, {calm.connections} request(s) in flight", flush=True)
    for round_no in range(rounds):
        for name in names if round_no % 2 == 0 else names[::-1]:
            mark = run.mark()
            result, _p95 = load_tool.wrk_run(
                url + pages[name], script=script, connections=calm.connections, threads=1,
                duration_s=calm.duration_s, timeout_s=calm.timeout_s,
            )  # fmt: skip
            route = HELLO_PATH if name.startswith("hello") else QUEUE_ROUTE
            times = run.server_log.by_route(mark).get(route, [])
            runs[name].append(result)
            server[name].append(times)
            print(
                f"  {label} round {round_no + 1}/{rounds} {name:<26} {result.rps:>7,.1f} req/s"
                f"  server p50 {_p(times, 0.5):6.1f} ms  p95 {_p(times, 0.95):6.1f} ms",
                flush=True,
            )
    what = {
        "hello, signed in": "the hello-world view with the officer's session cookie",
        "queue": f"GET {QUEUE_ROUTE}: the first 25 of {QUEUE_APPLICATIONS:,}, oldest due first",
        "queue, service and status": "one service, status in progress",
        "queue, overdue": f"due before today and open ({seed['overdue']:,})",
        "queue, search by number": "a full number",
        "queue, page 200": f"page {deep['page']}: rows {(deep['page'] - 1) * 25 + 1:,} to "
        f"{deep['page'] * 25:,} (the cursor of {deep['page'] - 1} 'next' links)",
        "queue, assigned to me": "the officer's own",
    }
    rows = [Row(f"{label}: {name}", what[name], runs[name]) for name in names]
    explained = run.role("explain", *(p for n, p in pages.items() if not n.startswith("hello")))
    for name, plan in explained["plans"].items():
        print(f"  {label}: EXPLAIN ANALYZE {name}\n{plan}\n", flush=True)
    for path, queries in explained["queries"].items():
        print(f"  {label}: queries of {path}: {queries}", flush=True)
    for error in explained["errors"]:
        print(f"  {label}: explain: {error}", flush=True)
    return _Queue(rows, server, seed, calm.connections, explained["plans"], explained["queries"])


# --- The suite ----------------------------------------------------------------------------------


@dataclass
class _Found:
    label: str
    api: _Api
    queue: _Queue
    setup: dict[str, Any]


def _measure(ctx: Context, label: str, database_url: str, log: Path) -> _Found:
    settings: ServerSettings = replace(ctx.server, database_url=database_url)
    print(f"  {label}: portal", flush=True)
    with Portal(settings) as portal:
        run = _Run(label, portal, log)
        try:
            run.setup = run.role("setup")
            run.tokens = [
                _token(portal.port, run.setup["client_id"], run.setup["client_secret"])
                for _ in range(CLIENTS)
            ]
            api = _api(run, ctx.load)
            queue = _queue(run, ctx.load, ctx.server.workers)
        finally:
            if database_url:
                print(f"  {label}: removing the suite's rows", flush=True)
                run.role("clear")
    return _Found(label, api, queue, run.setup)


def _execution_ms(plan: str) -> str:
    match = re.search(r"Execution Time: ([\d.]+) ms", plan)
    return f"{float(match.group(1)):.1f} ms" if match else "?"


def _status(value: float, target: float) -> str:
    if math.isnan(value):
        return "not measured"
    return "pass" if value < target else "**miss**"


def _figures(found: _Found) -> tuple[list[list[str]], list[Row], list[Ratio]]:
    label, api = found.label, found.api
    hello_rates = [o.as_load().rps for o in api.hello]
    lines: list[list[str]] = []
    apps = [p.rate for p in api.pulled]
    per_round = [a / h for a, h in zip(apps, hello_rates, strict=True) if h]
    lease = [x for p in api.pulled for x in p.lease_ms]
    ack = [x for p in api.pulled for x in p.ack_ms]
    s = api.server
    lines.append([
        f"{label}: applications leased and acknowledged per second, {CLIENTS} clients "
        f"(median of rounds), and over hello/s of the same clients (each round's: "
        f"{', '.join(f'{r:.1%}' for r in per_round)})",
        f"{_median(apps):,.0f}/s; {_median(per_round):.1%} of hello "
        f"({_median(hello_rates):,.0f}/s)",
        "—",
        "no errors" if not any(p.problems for p in api.pulled) else "**errors**",
    ])  # fmt: skip
    lines.append([
        f"{label}: lease of {LEASE_BATCH} / ack, the clients' latency p50 / p95; the "
        "server's time p50 / p95",
        f"lease {_spread(lease)} ms, ack {_spread(ack)} ms; server: lease "
        f"{_spread(s['lease'])} ms, ack {_spread(s['ack'])} ms",
        "—",
        "—",
    ])  # fmt: skip
    batched = [p.rate for p in api.batched]
    per_round = [a / h for a, h in zip(batched, hello_rates, strict=True) if h]
    lease = [x for p in api.batched for x in p.lease_ms]
    ack = [x for p in api.batched for x in p.ack_ms]
    lines.append([
        f"{label}: the same with one acknowledgement per leased batch (`POST "
        f"{API}/applications/ack`), per second, and over hello/s (each round's: "
        f"{', '.join(f'{r:.1%}' for r in per_round)})",
        f"{_median(batched):,.0f}/s; {_median(per_round):.1%} of hello; "
        f"{_median(batched) / _median(apps):.1f}× one acknowledgement each",
        "—",
        "no errors" if not any(p.problems for p in api.batched) else "**errors**",
    ])  # fmt: skip
    lines.append([
        f"{label}: lease of {LEASE_BATCH} / acknowledgement of the {LEASE_BATCH}, the "
        "clients' latency p50 / p95; the server's time p50 / p95",
        f"lease {_spread(lease)} ms, batch ack {_spread(ack)} ms; server: lease "
        f"{_spread(s['batch lease'])} ms, batch ack {_spread(s['batch ack'])} ms",
        "—",
        "—",
    ])  # fmt: skip
    rates = [o.as_load().rps for o in api.events]
    per_round = [a / h for a, h in zip(rates, hello_rates, strict=True) if h]
    pooled = [x for o in api.events for x in o.latencies_ms]
    exact = api.exact
    lines.append([
        f"{label}: status events ingested per second, {CLIENTS} clients (median of "
        "rounds), over hello/s; the clients' latency p50 / p95; the server's time p50 / p95",
        f"{_median(rates):,.0f}/s; {_median(per_round):.1%} of hello; "
        f"{_p(pooled, 0.5):.0f} / {_p(pooled, 0.95):.0f} ms; "
        f"{_spread(s['event'])} ms; "
        f"{api.created_events:,} events",
        "—",
        "exactly once" if exact else "**not exactly once**",
    ])  # fmt: skip
    replay = api.replay
    lines.append([
        f"{label}: replayed events (same ids, 200, nothing changes) per second; the "
        "server's time p50 / p95",
        f"{replay.as_load().rps:,.0f}/s ({replay.count:,}); {_spread(s['replay'])} ms",
        "—",
        "all 200" if not replay.errors else "**errors**",
    ])  # fmt: skip
    queue = found.queue
    for name, rounds in queue.server.items():
        if name.startswith("hello"):
            continue
        p95s = [_p(r, 0.95) for r in rounds]
        p95 = _median(p95s)
        lines.append([
            f"{label}: {name}, server time p50 / p95 / p99, medians of the rounds "
            f"({sum(len(r) for r in rounds):,} requests, {queue.connections} in flight; each "
            f"round's p95: {', '.join(f'{x:.1f}' for x in p95s)} ms)",
            f"{_median([_p(r, 0.5) for r in rounds]):.1f} / {p95:.1f} / "
            f"{_median([_p(r, 0.99) for r in rounds]):.1f} ms",
            f"p95 < {QUEUE_P95_TARGET_MS:.0f} ms",
            _status(p95, QUEUE_P95_TARGET_MS),
        ])  # fmt: skip
    hello_row = Row(
        f"{label}: hello, {CLIENTS} clients",
        f"GET {HELLO_PATH}, anonymous: the baseline, loaded by the same clients",
        [o.as_load() for o in api.hello],
    )
    pull_row = Row(
        f"{label}: lease + ack",
        f"POST {API}/applications/lease?limit={LEASE_BATCH}, then POST .../{{id}}/ack for "
        f"each, {CLIENTS} clients with their own tokens (requests/s: both kinds)",
        [p.as_load() for p in api.pulled],
    )
    batch_row = Row(
        f"{label}: lease + batch ack",
        f"POST {API}/applications/lease?limit={LEASE_BATCH}, then one POST "
        f"{API}/applications/ack with the batch's ids, {CLIENTS} clients (requests/s: both "
        "kinds)",
        [p.as_load() for p in api.batched],
    )
    events_row = Row(
        f"{label}: status events",
        f"POST {API}/applications/{{id}}/events, a new event id each: "
        f"{' → '.join(EVENT_STATUSES)} (201), {CLIENTS} clients",
        [o.as_load() for o in api.events],
    )
    rows = [hello_row, pull_row, batch_row, events_row, *queue.rows]
    queue_hello = queue.rows[0]
    ratios = [
        Ratio(pull_row, hello_row, why=f"{label}: lease and ack requests against hello"),
        Ratio(events_row, hello_row, why=f"{label}: a status event against hello"),
        *(
            Ratio(row, queue_hello, why=f"{label}: the queue against a signed-in hello")
            for row in queue.rows[1:2]
        ),
    ]
    return lines, rows, ratios


def run(ctx: Context) -> SuiteReport:
    tmp = Path(tempfile.mkdtemp(prefix="uslugi-agencies-bench-"))
    databases, notes = measured_databases(ctx)
    found: list[_Found] = []
    try:
        for label, url in databases:
            found.append(_measure(ctx, label, url, tmp / f"{label}.log"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    rows: list[Row] = []
    ratios: list[Ratio] = []
    figures: list[list[str]] = []
    for item in found:
        lines, item_rows, item_ratios = _figures(item)
        figures += lines
        rows += item_rows
        ratios += item_ratios
        notes += [f"**{item.label}**: {check}" for check in item.api.checks]
        seed = item.queue.seed
        notes.append(
            f"{item.label}: the queue's {seed['count']:,} applications and case files were "
            f"built in {seed['build_s']:.0f} s and bulk-inserted in {seed['insert_s']:.0f} s "
            f"({seed['open']:,} open, {seed['overdue']:,} of them overdue)."
        )
        first = item.queue.queries.get(QUEUE_ROUTE)
        if first:
            slow = [(name, ms) for name, ms in first if ms >= 5]
            notes.append(
                f"{item.label}: the queue's first page requested once in process (Django's "
                f"test client) ran {len(first)} queries; those of 5 ms or more: "
                + ("; ".join(f"{name} {ms:.0f} ms" for name, ms in slow) or "none")
                + "."
            )
        plans = {
            name.removeprefix(QUEUE_ROUTE + " "): plan
            for name, plan in item.queue.plans.items()
            if name.startswith(QUEUE_ROUTE + " ")
            and float(_execution_ms(plan).split()[0].replace("?", "0")) >= 5
        }
        if plans:
            notes.append(
                f"{item.label}: EXPLAIN ANALYZE of the first page's queries of 5 ms or more "
                "(execution time in the database): "
                + "; ".join(f"{name} {_execution_ms(plan)}" for name, plan in plans.items())
                + "."
            )
    load = ctx.load
    calm_rounds = max(1, (load.rounds + 1) // 2)
    return SuiteReport(
        suite="agencies",
        title=TITLE,
        summary=(
            "How many applications agency systems lease and acknowledge per second over the "
            "integration API, how many status events per second it takes in, both beside "
            "the hello-world view loaded by the same clients in the same rounds, and how "
            f"fast an officer gets the back-office queue of a department with "
            f"{QUEUE_APPLICATIONS:,} applications (target: server time p95 under "
            f"{QUEUE_P95_TARGET_MS:.0f} ms)."
        ),
        setup=[
            f"**Server**: {ctx.server.describe()}; no task worker (the notification emails "
            "the status events queue wait in the queue)",
            f"**Agency clients**: {CLIENTS} threads, one keep-alive connection, one request "
            "in flight and one access token each (client credentials, one agency system); "
            f"{load.rounds} round(s) of {load.duration_s} s of hello, lease + ack, lease + batch ack and status "
            f"events, alternating in order, after {load.warmup_s} s of each; the department "
            f"topped up to at least {PULL_STOCK:,} new applications before each pull round, "
            "and acknowledged applications made for each events round (bulk inserts, not "
            "timed); then one round replaying the first round's events",
            f"**Queue**: {QUEUE_APPLICATIONS:,} applications with case files in one "
            "department, the officer's session cookie, wrk with one connection per server "
            f"worker ({calm_rounds} round(s) of {load.duration_s} s per page after "
            f"{load.warmup_s} s of warm-up); server time from the portal's JSON request log "
            "(`duration_ms`: from the first middleware in to the response out)",
            "**Databases**: "
            + "; ".join(
                "SQLite, the portal's fresh temporary file (WAL)"
                if item.label == "SQLite"
                else f"{item.label} from `BENCH_POSTGRES_URL`, migrated, the suite's own "
                "rows replaced, then removed"
                for item in found
            ),
        ],
        rows=rows,
        ratios=ratios,
        tables=[
            Table(
                caption="**Key figures**",
                header=["figure", "value", "target", "status"],
                rows=figures,
            )
        ],
        notes=[
            *notes,
            "For the agency clients' rows, p50/p99 are the clients' latencies (8 requests in "
            "flight, so they include waiting for a server worker) and `response` does not "
            "apply; the queue rows are wrk's, with as many connections as server workers.",
        ],
    )
