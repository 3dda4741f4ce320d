"""Identity: how many password sign-ins a CPU core verifies with the chosen Argon2id
parameters (target: at least 20 per core, beating Keycloak's published sizing of 15 per
vCPU), full sign-ins per second through the portal, and the latency (p95) of the sign-in
page and of a signed-in person's account page, beside the hello-world baseline.

Password hashing is measured in a separate process pinned to one CPU, with the portal's
settings: Django's `check_password` on a hash made by the portal (exactly what a sign-in
does), interleaved round by round with argon2-cffi's defaults and Django's own Argon2
defaults as baselines. The web figures come from wrk against granian, as the other web
suites; a Lua script adds the 95th percentile wrk does not print by default."""

from __future__ import annotations

import http.cookiejar
import json
import re
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench import wrk
from bench.context import Context, SuiteError
from bench.machine import ROOT
from bench.report import Ratio, Row, SuiteReport, Table
from bench.server import HELLO_PATH, Portal

TITLE = "Identity: password sign-ins per core (Argon2id), sign-in page and account page"

LOGINS_PER_CORE_TARGET = 20.0  # Keycloak sizes 15 password logins per second per vCPU
KEYCLOAK_PER_VCPU = 15.0
PHONE = "+79990000000"
PASSWORD = "Bench7Tiger-Moon"

# Runs in a fresh process with the portal's environment, pinned to one CPU: one JSON line.
_HASH_PROBE = """
import json, os, sys, time
cpu = sorted(os.sched_getaffinity(0))[-1]
os.sched_setaffinity(0, {cpu})
import django
django.setup()
from argon2 import PasswordHasher
from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, make_password

password = sys.argv[1]
seconds, rounds = float(sys.argv[2]), int(sys.argv[3])
chosen = make_password(password)  # the portal's hasher, as at registration
cffi = PasswordHasher()
cffi_hash = cffi.hash(password)
django_default = Argon2PasswordHasher()
django_hash = django_default.encode(password, django_default.salt())
configs = {
    "chosen": lambda: check_password(password, chosen),
    "cffi": lambda: cffi.verify(cffi_hash, password),
    "django": lambda: django_default.verify(password, django_hash),
}
for verify in configs.values():  # warm up
    assert verify()
results = {name: [] for name in configs}
names = list(configs)
for round_no in range(rounds):
    for name in (names if round_no % 2 == 0 else names[::-1]):
        latencies, cpu_ms = [], []
        started, cpu_started = time.perf_counter(), time.process_time()
        while time.perf_counter() - started < seconds or len(latencies) < 3:
            t0, c0 = time.perf_counter(), time.process_time()
            configs[name]()
            latencies.append((time.perf_counter() - t0) * 1000)
            cpu_ms.append((time.process_time() - c0) * 1000)
        results[name].append({"count": len(latencies), "seconds": time.perf_counter() - started,
                              "cpu_seconds": time.process_time() - cpu_started,
                              "latencies_ms": latencies, "cpu_ms": cpu_ms})
print(json.dumps({"cpu": cpu, "encoded_prefix": chosen.split("$", 4)[:4], "results": results}))
"""

# Makes the benchmark's account in the portal's database.
_MAKE_ACCOUNT = """
import django
django.setup()
from uslugi.identity.models import Account
account = Account(phone={phone!r}, surname="Бенчмарков", first_name="Тест")
account.set_password({password!r})
account.save()
"""

_P95_LUA = """
done = function(summary, latency, requests)
  io.write(string.format("\\np95_us %d\\n", latency:percentile(95)))
end
"""


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _hash_runs(env: dict[str, str], *, seconds: float, rounds: int) -> dict[str, Any]:
    argv = [sys.executable, "-c", _HASH_PROBE, PASSWORD, str(seconds), str(rounds)]
    out = subprocess.run(
        argv, cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=900
    )
    if out.returncode != 0:
        raise SuiteError(f"the hashing probe failed:\n{out.stderr[-3000:]}")
    data: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return data


def _as_load(run: dict[str, Any]) -> wrk.LoadResult:
    """One round of hashing as a LoadResult, so it shares the report's table: checks per
    CPU-second (a core's capacity, steady however busy the machine is) and the CPU time of
    one check."""
    cpu = run["cpu_ms"]
    return wrk.LoadResult(
        requests=run["count"],
        duration_s=run["cpu_seconds"],
        rps=run["count"] / run["cpu_seconds"],
        p50_ms=_percentile(cpu, 0.50),
        p90_ms=_percentile(cpu, 0.90),
        p99_ms=_percentile(cpu, 0.99),
        bytes_read=0,
    )


def _wall_rate(runs: list[dict[str, Any]]) -> float:
    """Checks per second of wall-clock time (lower when other programs share the CPU)."""
    return _median([r["count"] / r["seconds"] for r in runs])


def _make_account(portal: Portal) -> None:
    assert portal.tmp is not None
    code = _MAKE_ACCOUNT.format(phone=PHONE, password=PASSWORD)
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=portal.environment(portal.tmp),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if out.returncode != 0:
        raise SuiteError(f"could not create the benchmark account:\n{out.stderr[-3000:]}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _login_form(portal: Portal) -> tuple[http.cookiejar.CookieJar, Any, str]:
    """A cookie jar holding the CSRF cookie, an opener that keeps it, and the form's token."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    with opener.open(portal.url + "/account/login/", timeout=10) as response:
        html = response.read().decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not match:
        raise SuiteError("the sign-in page has no CSRF token")
    return jar, opener, match.group(1)


def _cookie(jar: http.cookiejar.CookieJar, name: str) -> str:
    for cookie in jar:
        if cookie.name == name and cookie.value:
            return cookie.value
    raise SuiteError(f"no {name} cookie")


def _sign_in(portal: Portal) -> str:
    """Sign in over HTTP; the session cookie."""
    jar, opener, token = _login_form(portal)
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "identifier": PHONE, "password": PASSWORD}
    ).encode()
    try:
        opener.open(portal.url + "/account/login/", data=body, timeout=30)
    except urllib.error.HTTPError as exc:
        if exc.code != 302:
            raise SuiteError(f"signing in answered {exc.code}:\n{portal.log_tail()}") from None
    return _cookie(jar, "sessionid")


def _scripts(tmp: Path, *, session: str, csrf_cookie: str, csrf_token: str) -> dict[str, Path]:
    """wrk scripts: p95 for every endpoint; a cookie for the account page; a sign-in POST."""
    plain = tmp / "p95.lua"
    plain.write_text(_P95_LUA)
    account = tmp / "account.lua"
    account.write_text(f'wrk.headers["Cookie"] = "sessionid={session}"\n' + _P95_LUA)
    login = tmp / "login.lua"
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": csrf_token, "identifier": PHONE, "password": PASSWORD}
    )
    login.write_text(
        'wrk.method = "POST"\n'
        f'wrk.body = "{body}"\n'
        'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
        f'wrk.headers["Cookie"] = "csrftoken={csrf_cookie}"\n' + _P95_LUA
    )
    return {"plain": plain, "account": account, "login": login}


def _run(
    url: str, *, duration_s: int, load: wrk.LoadSettings, script: Path
) -> tuple[wrk.LoadResult, float]:
    """One wrk run with a script; the result and its p95 in milliseconds."""
    argv = [
        wrk.executable() or "wrk", "--latency",
        f"--threads={load.threads}", f"--connections={load.connections}",
        f"--duration={duration_s}s", f"--timeout={load.timeout_s}s",
        f"--script={script}", url,
    ]  # fmt: skip
    out = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=duration_s + 60)
    if out.returncode != 0:
        raise wrk.WrkError(f"wrk failed ({out.returncode}): {out.stderr or out.stdout}")
    match = re.search(r"^p95_us (\d+)$", out.stdout, re.MULTILINE)
    if not match:
        raise wrk.WrkError(f"no p95 in wrk output:\n{out.stdout}")
    return wrk.parse(out.stdout), int(match.group(1)) / 1000


def _measure(
    portal: Portal, endpoints: dict[str, tuple[str, Path]], load: wrk.LoadSettings
) -> tuple[dict[str, list[wrk.LoadResult]], dict[str, list[float]]]:
    names = list(endpoints)
    for name in names:
        path, script = endpoints[name]
        _run(portal.url + path, duration_s=load.warmup_s, load=load, script=script)
    runs: dict[str, list[wrk.LoadResult]] = {n: [] for n in names}
    p95: dict[str, list[float]] = {n: [] for n in names}
    for round_no in range(load.rounds):
        for name in names if round_no % 2 == 0 else names[::-1]:
            path, script = endpoints[name]
            result, p95_ms = _run(
                portal.url + path, duration_s=load.duration_s, load=load, script=script
            )
            runs[name].append(result)
            p95[name].append(p95_ms)
            print(
                f"  round {round_no + 1}/{load.rounds} {name:<14} {result.rps:>9,.1f} req/s"
                f"  p95 {p95_ms:7.2f} ms" + (f"  errors {result.errors}" if result.errors else ""),
                flush=True,
            )
    return runs, p95


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else float("nan")


def run(ctx: Context) -> SuiteReport:
    load = ctx.load
    hash_seconds = float(min(load.duration_s, 3))
    with ctx.portal() as portal, tempfile.TemporaryDirectory(prefix="uslugi-bench-id-") as tmp:
        assert portal.tmp is not None
        print("  password hashing, one pinned CPU", flush=True)
        hashing = _hash_runs(
            portal.environment(portal.tmp), seconds=hash_seconds, rounds=load.rounds
        )
        _make_account(portal)
        session = _sign_in(portal)
        jar, _opener, token = _login_form(portal)
        scripts = _scripts(
            Path(tmp), session=session, csrf_cookie=_cookie(jar, "csrftoken"), csrf_token=token
        )
        status, _ = portal.get("/account/login/")
        if status != 200:
            raise SuiteError(f"the sign-in page answered {status}:\n{portal.log_tail()}")
        endpoints = {
            "hello": (HELLO_PATH, scripts["plain"]),
            "hello, signed in": (HELLO_PATH, scripts["account"]),
            "sign-in page": ("/account/login/", scripts["plain"]),
            "account page": ("/account/", scripts["account"]),
            "sign-in POST": ("/account/login/", scripts["login"]),
        }
        runs, p95 = _measure(portal, endpoints, load)
        # Latency without queueing: one request in flight per server worker.
        print("  latency, one request in flight per worker", flush=True)
        calm = replace(load, connections=max(ctx.server.workers, 1), threads=1)
        latency_endpoints = {k: endpoints[k] for k in ("sign-in page", "account page")}
        calm_runs, calm_p95 = _measure(portal, latency_endpoints, calm)

    hash_rows = {
        "chosen": Row(
            "Argon2id m=19 MiB, t=2, p=1",
            "the portal's hasher: one sign-in's password check (Django `check_password`), one pinned CPU",
            [_as_load(r) for r in hashing["results"]["chosen"]],
        ),
        "cffi": Row(
            "argon2-cffi defaults",
            "baseline: t=3, 64 MiB, p=4 (the library's defaults), same CPU",
            [_as_load(r) for r in hashing["results"]["cffi"]],
        ),
        "django": Row(
            "Django's Argon2 defaults",
            "baseline: t=2, 100 MiB, p=8 (Django 5.2's Argon2PasswordHasher), same CPU",
            [_as_load(r) for r in hashing["results"]["django"]],
        ),
    }
    web = {
        "hello": Row("hello", "Django view returning a constant, through all middleware: the baseline", runs["hello"]),
        "hello, signed in": Row(
            "hello, signed in",
            "the same view with a session cookie: session and account read, activity check",
            runs["hello, signed in"],
        ),
        "sign-in page": Row("sign-in page", "GET /account/login/, anonymous: form with CSRF token", runs["sign-in page"]),
        "account page": Row("account page", "GET /account/ signed in: session, account, level", runs["account page"]),
        "sign-in POST": Row(
            "sign-in POST",
            "POST /account/login/ with the right password: Argon2id check, new session, history, audit",
            runs["sign-in POST"],
        ),
    }  # fmt: skip
    workers = ctx.server.workers
    per_core = hash_rows["chosen"].rps
    http_per_core = web["sign-in POST"].rps / max(workers, 1)
    p95_login, p95_account = _median(p95["sign-in page"]), _median(p95["account page"])
    status = "pass" if per_core >= LOGINS_PER_CORE_TARGET else "**miss**"
    figures = Table(
        caption="**Key figures** (medians over the rounds)",
        header=["figure", "value", "target", "status"],
        rows=[
            [
                "password sign-ins per CPU core per second (hash only: checks per CPU-second)",
                f"{per_core:.1f}",
                f"≥ {LOGINS_PER_CORE_TARGET:.0f} (Keycloak: {KEYCLOAK_PER_VCPU:.0f}/vCPU)",
                status,
            ],
            [
                f"full sign-ins per second per server worker ({workers} workers, wrk on the same cores)",
                f"{http_per_core:.1f}",
                "—",
                "—",
            ],
            [
                "p95 latency, sign-in page (one request in flight per worker)",
                f"{_median(calm_p95['sign-in page']):.1f} ms",
                "—",
                "—",
            ],
            [
                "p95 latency, signed-in account page (one request in flight per worker)",
                f"{_median(calm_p95['account page']):.1f} ms",
                "—",
                "—",
            ],
            [
                f"p95 latency at saturation ({load.connections} connections): sign-in page / account page",
                f"{p95_login:.0f} ms / {p95_account:.0f} ms",
                "—",
                "—",
            ],
            [
                f"p95 latency at saturation ({load.connections} connections): sign-in POST",
                f"{_median(p95['sign-in POST']):.0f} ms",
                "—",
                "—",
            ],
        ],
    )
    return SuiteReport(
        suite="identity",
        title=TITLE,
        summary=(
            "Password checks per second per CPU core with the chosen Argon2id parameters "
            f"(target: at least {LOGINS_PER_CORE_TARGET:.0f}, beating Keycloak's published "
            f"sizing of {KEYCLOAK_PER_VCPU:.0f} per vCPU), full sign-ins through the portal, "
            "and the p95 latency of the sign-in page and of a signed-in account page."
        ),
        setup=[
            f"**Hashing**: {hash_seconds:.0f} s per configuration per round, "
            f"{load.rounds} rounds, interleaved, in one process pinned to CPU {hashing['cpu']}; "
            f"the portal's hash reads `{'$'.join(hashing['encoded_prefix'])}`",
            f"**Server**: {ctx.server.describe()}",
            f"**Load**: {load.describe()}; a Lua script adds the p95; the sign-in POST reuses "
            "one CSRF token and signs the same account in again on every request",
            f"**Latency**: the sign-in and account pages again with {calm.connections} "
            "connection(s) on 1 wrk thread (one request in flight per worker), so the p95 is "
            "the request's own time, not time spent queueing behind the others "
            f"(requests/s then: {_median([r.rps for r in calm_runs['sign-in page']]):.0f} and "
            f"{_median([r.rps for r in calm_runs['account page']]):.0f})",
        ],
        rows=[*hash_rows.values(), *web.values()],
        ratios=[
            Ratio(
                hash_rows["chosen"],
                hash_rows["cffi"],
                why="how many more sign-ins a core serves than with argon2-cffi's defaults",
            ),
            Ratio(
                hash_rows["chosen"],
                hash_rows["django"],
                why="the same against Django's own Argon2 defaults",
            ),
            Ratio(
                web["account page"],
                web["hello, signed in"],
                why="what the account page adds to any signed-in request",
            ),
            Ratio(
                web["hello, signed in"],
                web["hello"],
                why="what being signed in costs: the session and account reads",
            ),
            Ratio(
                web["sign-in page"],
                web["hello"],
                why="what the sign-in form costs over the minimum",
            ),
        ],
        tables=[figures],
        notes=[
            "For the hashing rows, requests/s is password checks per CPU-second of the pinned "
            "process (what one core can do, steady however busy the shared machine is) and "
            "p50/p99 the CPU time of one check; by the wall clock the portal's hasher did "
            f"{_wall_rate(hashing['results']['chosen']):.1f} checks/s on its CPU while other "
            "programs shared it.",
            "OWASP's Password Storage Cheat Sheet lists m=19 MiB, t=2, p=1 as the first "
            "recommended Argon2id configuration (docs/adr/0004-password-hashing.md).",
            "A signed-in request reads its session and account from the database; on SQLite "
            "each request also opens a new connection (with its PRAGMAs) and closes it, which "
            "is most of what `hello, signed in` adds to `hello` (profiled: about 2.5 ms of "
            "3 ms CPU), not identity's code.",
            "The sign-in POST writes a session, the session list, the sign-in history and an "
            "audit entry (a serialised hash chain) on every request: on SQLite these writes, "
            "not the hash, may set its ceiling.",
        ],
    )
