"""The load tool: wrk, run on loopback only, for a fixed time, and its output parsed."""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
from dataclasses import dataclass
from urllib.parse import urlsplit

_LATENCY_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
# wrk prints sizes in binary units (units.c: 1024-based).
_BYTE_UNITS = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}
_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


class WrkError(RuntimeError):
    """wrk is missing, failed, or printed something we cannot read."""


@dataclass(frozen=True)
class LoadResult:
    """One wrk run."""

    requests: int
    duration_s: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    bytes_read: int
    non_2xx: int = 0
    socket_errors: int = 0

    @property
    def errors(self) -> int:
        return self.non_2xx + self.socket_errors

    @property
    def bytes_per_response(self) -> float:
        return self.bytes_read / self.requests if self.requests else 0.0


def _latency_ms(value: str, unit: str) -> float:
    return float(value) * _LATENCY_UNITS[unit]


def parse(output: str) -> LoadResult:
    """Read the text wrk prints with `--latency`."""
    done = re.search(
        r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h), ([\d.]+)(B|KB|MB|GB|TB) read",
        output,
        re.MULTILINE,
    )
    rps = re.search(r"^Requests/sec:\s*([\d.]+)", output, re.MULTILINE)
    if not done or not rps:
        raise WrkError(f"cannot read wrk output:\n{output}")
    percentiles = {
        int(p): _latency_ms(v, u)
        for p, v, u in re.findall(
            r"^\s*(50|90|99)%\s+([\d.]+)(us|ms|s|m|h)\s*$", output, re.MULTILINE
        )
    }
    if set(percentiles) != {50, 90, 99}:
        raise WrkError(f"no latency distribution in wrk output (run with --latency):\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return LoadResult(
        requests=int(done.group(1)),
        duration_s=_latency_ms(done.group(2), done.group(3)) / 1000,
        rps=float(rps.group(1)),
        p50_ms=percentiles[50],
        p90_ms=percentiles[90],
        p99_ms=percentiles[99],
        bytes_read=round(float(done.group(4)) * _BYTE_UNITS[done.group(5)]),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(n) for n in sockets.groups()) if sockets else 0,
    )


def executable() -> str | None:
    return shutil.which("wrk")


def version() -> str:
    """wrk's version line, e.g. `4.1.0`."""
    wrk = executable()
    if not wrk:
        return "missing"
    # `wrk -v` prints its banner and exits 1.
    out = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)
    match = re.search(r"wrk (?:debian/)?([\w.+-]+)", out.stdout + out.stderr)
    return match.group(1) if match else "unknown"


@dataclass(frozen=True)
class LoadSettings:
    # Many short rounds rather than a few long ones: on a shared machine a burst of other
    # work then spoils one pair of neighbouring measurements, not the median.
    duration_s: int = 6
    warmup_s: int = 2
    rounds: int = 5
    connections: int = 32
    threads: int = 2
    timeout_s: int = 5

    def describe(self) -> str:
        return (
            f"wrk {version()}, {self.threads} threads, {self.connections} connections, "
            f"{self.rounds} round{'s' if self.rounds != 1 else ''} of {self.duration_s} s "
            "per endpoint after a "
            f"{self.warmup_s} s warm-up"
        )


def run(url: str, *, duration_s: int, load: LoadSettings, script: str | None = None) -> LoadResult:
    """Load `url` (loopback only) for `duration_s` seconds and return what wrk measured."""
    host = urlsplit(url).hostname
    if host not in _LOOPBACK_HOSTS:
        raise WrkError(f"benchmarks load only loopback addresses, not {host!r}")
    wrk = executable()
    if not wrk:
        raise WrkError("wrk is not installed (Debian: apt-get install -y wrk)")
    argv = [
        wrk, "--latency",
        f"--threads={load.threads}", f"--connections={load.connections}",
        f"--duration={duration_s}s", f"--timeout={load.timeout_s}s",
    ]  # fmt: skip
    if script:
        argv.append(f"--script={script}")
    argv.append(url)
    try:
        out = subprocess.run(
            argv, capture_output=True, text=True, check=False, timeout=duration_s + 30
        )
    except subprocess.TimeoutExpired as exc:
        raise WrkError(f"wrk did not finish within {duration_s + 30} s") from exc
    if out.returncode != 0:
        raise WrkError(f"wrk failed ({out.returncode}): {out.stderr or out.stdout}")
    return parse(out.stdout)


def interleaved(
    base_url: str,
    paths: dict[str, str],
    *,
    load: LoadSettings,
    progress: bool = True,
) -> dict[str, list[LoadResult]]:
    """Warm every endpoint up, then measure them in rounds, alternating the order (ABC CBA
    ABC ...) so that drift in a noisy machine falls on all of them alike."""
    names = list(paths)
    for name in names:
        run(base_url + paths[name], duration_s=load.warmup_s, load=load)
    results: dict[str, list[LoadResult]] = {name: [] for name in names}
    for round_no in range(load.rounds):
        order = names if round_no % 2 == 0 else names[::-1]
        for name in order:
            result = run(base_url + paths[name], duration_s=load.duration_s, load=load)
            results[name].append(result)
            if progress:
                print(
                    f"  round {round_no + 1}/{load.rounds} {name:<10} {result.rps:>10,.0f} req/s"
                    f"  p50 {result.p50_ms:6.2f} ms  p99 {result.p99_ms:7.2f} ms"
                    + (f"  errors {result.errors}" if result.errors else ""),
                    flush=True,
                )
    return results


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
