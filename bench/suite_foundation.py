"""Foundation: is the portal's request path cheap? The home page and /healthz against a
hello-world Django view and a bare WSGI callable, on the same server in the same run."""

from __future__ import annotations

from bench.context import ASSET_CHECK, Context, SuiteError
from bench.report import Ratio, Row, SuiteReport, Table
from bench.server import HELLO_PATH, RAW_PATH

TITLE = "Foundation: home page and /healthz against hello-world"

# name: (path, what it is); measured in this order within a round, the reverse in the
# next, so that hello and home, the target's pair, are always measured back to back.
ENDPOINTS = {
    "raw WSGI": (RAW_PATH, "bare WSGI callable before Django: the server's ceiling here"),
    "/healthz": ("/healthz", "liveness probe: JSON, no database"),
    "hello": (HELLO_PATH, "Django view returning a constant, through all middleware: the baseline"),
    "home": ("/", "home page, anonymous, rendered from templates"),
}
BASELINES = ("raw WSGI", "hello")
HOME_OVER_HELLO_TARGET = 0.40
CPU_CALLS = 1000  # per path and repetition (best of 3) in the in-process measurement


def run(ctx: Context) -> SuiteReport:
    problems: dict[str, str] = {}
    with ctx.portal() as portal:
        for name, (path, _) in ENDPOINTS.items():
            status, _ = portal.get(path)
            if status != 200:
                error = portal.last_error()
                problems[name] = f"`GET {path}` answered {status}" + (
                    f" (`{error}`)" if error else ""
                )
                print(f"  {name}: {problems[name]}; not measured", flush=True)
        if any(name in problems for name in BASELINES):
            raise SuiteError(f"a baseline failed: {problems}\n{portal.log_tail()}")
        paths = {name: path for name, (path, _) in ENDPOINTS.items() if name not in problems}
        print("  in-process CPU time per request", flush=True)
        # Django's paths only: a bare WSGI callable costs next to nothing without a server.
        django_paths = [path for path in paths.values() if path != RAW_PATH]
        cpu_us = portal.cpu_per_request(django_paths, calls=CPU_CALLS)
        runs = ctx.measure(portal, paths)

    rows = {
        name: Row(name=name, what=what, runs=runs.get(name, []), problem=problems.get(name, ""))
        for name, (_, what) in ENDPOINTS.items()
    }
    hello_us = cpu_us[HELLO_PATH]
    cpu_table = Table(
        caption=(
            "In-process CPU time per request: the same application called "
            f"{CPU_CALLS} times per path in one Python process (best of 3), with no server "
            "and no network (`bench/inprocess.py`). Other programs on the machine barely "
            "move CPU time, so this is the steadier comparison when the load average is high."
        ),
        header=["endpoint", "CPU per request", "requests/s per core", "hello's CPU / this"],
        rows=[
            [
                name,
                f"{cpu_us[path]:,.0f} µs",
                f"{1_000_000 / cpu_us[path]:,.0f}",
                f"{hello_us / cpu_us[path]:.0%}",
            ]
            for name, (path, _) in ENDPOINTS.items()
            if path in cpu_us
        ],
    )
    notes = [
        "wrk sends neither cookies nor `Accept-Encoding`: every request is an anonymous "
        "first visit served uncompressed.",
        "The request log (structlog JSON) goes to a file and the Prometheus histograms are "
        "updated on every request, hello-world included; `raw WSGI` skips both.",
    ]
    if not ctx.assets_built:
        notes.append(
            f"**Front-end assets were not built** ({ASSET_CHECK} missing) when this ran: "
            "the home page measured may lack the design system."
        )
    if problems:
        notes.append(
            "**Not measured**: "
            + "; ".join(f"{name}: {why}" for name, why in problems.items())
            + ". A page that links static files needs each of them built (`make assets`) and "
            "collected: the production storage refuses a name missing from its manifest."
        )
    return SuiteReport(
        suite="foundation",
        title=TITLE,
        summary=(
            "How much of a minimal request's throughput the home page keeps. Target "
            f"(Foundation issue): home page at least {HOME_OVER_HELLO_TARGET:.0%} of the "
            "hello-world rate under granian."
        ),
        setup=[f"**Server**: {ctx.server.describe()}", f"**Load**: {ctx.load.describe()}"],
        rows=list(rows.values()),
        ratios=[
            Ratio(
                rows["home"],
                rows["hello"],
                target=HOME_OVER_HELLO_TARGET,
                why="the Foundation target: what rendering the page costs",
            ),
            Ratio(rows["/healthz"], rows["hello"], why="what a liveness probe costs"),
            Ratio(
                rows["hello"],
                rows["raw WSGI"],
                why="what Django and the middleware take from the server's ceiling",
            ),
        ],
        tables=[cpu_table],
        notes=notes,
    )
