"""Load for the applications suite: concurrent HTTP clients that each send their own list
of requests (a submission spends its draft, so no request may be sent twice), and wrk
runs with a Lua script for the pages that can be requested again and again.

The clients are threads on keep-alive loopback connections (http.client), one connection
each, one request in flight each: C clients are C concurrent people. The same clients
load the hello-world baseline, so the ratio compares like with like; the clients' own CPU
time per request is reported beside it (they share the machine with the server)."""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import wrk
from bench.server import HOST

# Why a response is wrong (None: as expected), from its status and Location header.
Check = Callable[[int, str], str | None]


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""
    # What the request stands for (a draft id), reported for the requests that succeeded.
    tag: str = ""


@dataclass
class Outcome:
    """What C clients did in one run."""

    clients: int
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    done_tags: list[str] = field(default_factory=list)
    ran_out: bool = False
    bytes_read: int = 0  # bodies only
    client_cpu_s: float = 0.0

    @property
    def count(self) -> int:
        return len(self.latencies_ms)

    @property
    def errors(self) -> int:
        return len(self.problems)

    def as_load(self) -> wrk.LoadResult:
        ordered = sorted(self.latencies_ms)
        return wrk.LoadResult(
            requests=self.count,
            duration_s=self.seconds,
            rps=self.count / self.seconds if self.seconds else 0.0,
            p50_ms=percentile(ordered, 0.50),
            p90_ms=percentile(ordered, 0.90),
            p99_ms=percentile(ordered, 0.99),
            bytes_read=self.bytes_read,
            non_2xx=self.errors,
        )


def percentile(ordered: Sequence[float], share: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def drive(
    host: str,
    port: int,
    requests: Sequence[Iterator[Request]],
    *,
    duration_s: float,
    check: Check,
) -> Outcome:
    """One client per iterator, all started together; each sends its requests one after
    another until the time is up, or until any client has none left (then all stop, so
    the concurrency never drops below C while measuring)."""
    outcome = Outcome(clients=len(requests))
    lock = threading.Lock()
    stop = threading.Event()
    start = threading.Barrier(len(requests) + 1)

    def client(mine: Iterator[Request]) -> None:
        connection = http.client.HTTPConnection(host, port, timeout=60)
        latencies: list[float] = []
        statuses: Counter[int] = Counter()
        problems: list[str] = []
        tags: list[str] = []
        size = 0
        try:
            connection.connect()
            start.wait()
            deadline = time.perf_counter() + duration_s
            while not stop.is_set() and time.perf_counter() < deadline:
                request = next(mine, None)
                if request is None:
                    with lock:
                        outcome.ran_out = True
                    stop.set()
                    break
                began = time.perf_counter()
                connection.request(
                    request.method, request.path, body=request.body, headers=request.headers
                )
                response = connection.getresponse()
                size += len(response.read())
                latencies.append((time.perf_counter() - began) * 1000)
                statuses[response.status] += 1
                problem = check(response.status, response.getheader("Location") or "")
                if problem:
                    problems.append(problem)
                elif request.tag:
                    tags.append(request.tag)
        except Exception as exc:  # noqa: BLE001 - counted as an error of the run
            problems.append(f"{type(exc).__name__}: {exc}")
            stop.set()
        finally:
            connection.close()
            with lock:
                outcome.latencies_ms += latencies
                outcome.statuses.update(statuses)
                outcome.problems += problems
                outcome.done_tags += tags
                outcome.bytes_read += size

    threads = [threading.Thread(target=client, args=(mine,), daemon=True) for mine in requests]
    for thread in threads:
        thread.start()
    start.wait()
    began, cpu = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.join()
    outcome.seconds = time.perf_counter() - began
    outcome.client_cpu_s = time.process_time() - cpu
    return outcome


# --- wrk with a session cookie and the 95th percentile -----------------------------------------

_P95_LUA = """
done = function(summary, latency, requests)
  io.write(string.format("\\np95_us %d\\n", latency:percentile(95)))
end
"""


def wrk_script(directory: Path, name: str, cookie: str = "") -> Path:
    """A wrk script printing the p95, with a Cookie header when given."""
    path = directory / f"{name}.lua"
    header = f'wrk.headers["Cookie"] = "{cookie}"\n' if cookie else ""
    path.write_text(header + _P95_LUA)
    return path


def wrk_run(
    url: str, *, script: Path, connections: int, threads: int, duration_s: int, timeout_s: int
) -> tuple[wrk.LoadResult, float]:
    """One wrk run: the result and its p95 in milliseconds."""
    argv = [
        wrk.executable() or "wrk", "--latency",
        f"--threads={threads}", f"--connections={connections}",
        f"--duration={duration_s}s", f"--timeout={timeout_s}s",
        f"--script={script}", url,
    ]  # fmt: skip
    out = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=duration_s + 60)
    if out.returncode != 0:
        raise wrk.WrkError(f"wrk failed ({out.returncode}): {out.stderr or out.stdout}")
    match = re.search(r"^p95_us (\d+)$", out.stdout, re.MULTILINE)
    if not match:
        raise wrk.WrkError(f"no p95 in wrk output:\n{out.stdout}")
    return wrk.parse(out.stdout), int(match.group(1)) / 1000


def get(port: int, path: str, cookie: str = "", *, timeout: float = 120) -> tuple[int, bytes]:
    """One GET on the portal (with a session cookie, if given): status and body."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


# --- Server time, from the portal's own request log ------------------------------------------


class RequestLog:
    """The `request` lines (route, status, duration_ms) the portal logs as JSON, read
    from the server's log file between two marks."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def mark(self) -> int:
        return self.path.stat().st_size if self.path.exists() else 0

    def lines(self, since: int) -> Iterator[dict[str, Any]]:
        """The `request` lines logged after the mark."""
        with self.path.open("rb") as f:
            f.seek(since)
            for raw in f:
                if b'"request"' not in raw:
                    continue
                try:
                    line = json.loads(raw)
                except ValueError:
                    continue
                if line.get("event") == "request":
                    yield line

    def durations(self, since: int, *, route: str) -> tuple[list[float], Counter[int]]:
        """Server times (ms) of the requests to `route` logged after the mark, and their
        status codes."""
        durations: list[float] = []
        statuses: Counter[int] = Counter()
        for line in self.lines(since):
            if line.get("route") == route:
                durations.append(float(line["duration_ms"]))
                statuses[int(line["status_code"])] += 1
        return durations, statuses

    def by_route(self, since: int) -> dict[str, list[float]]:
        """Server times (ms) by route of the requests logged after the mark."""
        found: dict[str, list[float]] = {}
        for line in self.lines(since):
            found.setdefault(str(line.get("route")), []).append(float(line["duration_ms"]))
        return found
