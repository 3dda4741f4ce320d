"""The portal under granian on a free loopback port, as `uslugi serve` runs it, with a
temporary data directory (SQLite database, collected static files) that goes away after."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from bench.machine import ROOT

HOST = "127.0.0.1"
# The baseline views (bench/urls.py) beside the whole portal, in one WSGI application.
BENCH_APP = "bench.hello_wsgi:application"
# Paths of the baselines it serves (kept here: importing those modules sets up Django).
RAW_PATH = "/bench/raw"
HELLO_PATH = "/bench/hello"


_EXCEPTION_LINE = re.compile(r"^[\w.]*(Error|Exception|Exit|Interrupt)\b(: .*)?$")


class ServerError(RuntimeError):
    """The portal could not be prepared or did not come up."""


@dataclass(frozen=True)
class ServerSettings:
    workers: int = 2
    blocking_threads: int = 1
    database_url: str = ""  # empty: a fresh SQLite database in the temporary directory
    app: str = BENCH_APP
    # Variables set on top of the benchmark's own (`--env NAME=VALUE`), for experiments.
    extra_env: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        threads = "thread" if self.blocking_threads == 1 else "threads"
        text = (
            f"granian WSGI `{self.app}`, {self.workers} workers with {self.blocking_threads} "
            f"blocking {threads} each, `USLUGI_ENV=development`, `DEBUG=false`, JSON request "
            "log (to a file) and Prometheus metrics (multiprocess) on, as in production"
        )
        if self.extra_env:
            text += "; overridden: " + ", ".join(f"`{k}={v}`" for k, v in self.extra_env)
        return text

    def database(self) -> str:
        if not self.database_url:
            import sqlite3

            return f"SQLite {sqlite3.sqlite_version} (WAL), fresh temporary file"
        scheme = self.database_url.split(":", 1)[0]
        return f"{scheme} from `--database-url`"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _granian() -> str:
    path = shutil.which("granian") or str(Path(sys.executable).with_name("granian"))
    if not Path(path).exists():
        raise ServerError("granian is not installed (uv sync installs it)")
    return path


def portal_environment(
    *, data_dir: Path, database_url: str, log_level: str = "WARNING"
) -> dict[str, str]:
    """The environment of a portal process that a benchmark starts: production-like
    settings (DEBUG off), its own data directory and database, never the checkout's .env."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "uslugi.settings",
            "USLUGI_ENV_FILE": str(data_dir / "no.env"),
            "USLUGI_ENV": "development",
            "DEBUG": "false",
            "USLUGI_TEST_APPS": "false",
            "USLUGI_DATA_DIR": str(data_dir),
            "DATABASE_URL": database_url,
            "LOG_FORMAT": "json",
            "LOG_LEVEL": log_level,
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p
            ),
        }
    )
    return env


class Portal:
    """`with Portal(settings) as portal:` prepares a data directory, migrates, collects
    static files, starts granian, waits for /healthz; leaving the block stops it all."""

    def __init__(self, settings: ServerSettings) -> None:
        self.settings = settings
        self.port = 0
        self.tmp: Path | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self._log: Path | None = None
        self._env: dict[str, str] = {}

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def environment(self, tmp: Path) -> dict[str, str]:
        env = portal_environment(
            data_dir=tmp,
            database_url=self.settings.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}",
            log_level="INFO",
        )
        env.update(
            {
                "ALLOWED_HOSTS": f"{HOST},localhost",
                "SECURE_SSL_REDIRECT": "false",
                "STATIC_ROOT": str(tmp / "static"),
                "MEDIA_ROOT": str(tmp / "media"),
                "METRICS_TOKEN": "",
                "PROMETHEUS_MULTIPROC_DIR": str(tmp / "prometheus"),
            }
        )
        env.update(self.settings.extra_env)
        return env

    def _manage(self, env: dict[str, str], *args: str) -> None:
        argv = [sys.executable, "-m", "uslugi", *args]
        try:
            out = subprocess.run(
                argv, cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=600
            )
        except subprocess.TimeoutExpired as exc:
            raise ServerError(f"`uslugi {' '.join(args)}` took over 10 minutes") from exc
        if out.returncode != 0:
            raise ServerError(f"`uslugi {' '.join(args)}` failed:\n{out.stdout}{out.stderr}")

    def start(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="uslugi-bench-"))
        (self.tmp / "prometheus").mkdir()
        env = self._env = self.environment(self.tmp)
        print("  preparing: migrate, collectstatic", flush=True)
        self._manage(env, "migrate", "--no-input", "-v", "0")
        self._manage(env, "collectstatic", "--no-input", "-v", "0")
        self.port = free_port()
        argv = [
            _granian(), "--interface", "wsgi", self.settings.app,
            "--host", HOST, "--port", str(self.port),
            "--workers", str(self.settings.workers),
            "--blocking-threads", str(self.settings.blocking_threads),
            "--backlog", "1024", "--no-ws",
        ]  # fmt: skip
        self._log = self.tmp / "server.log"
        with self._log.open("wb") as log:
            # Its own session, so that stopping it reaches every worker it forked.
            self.process = subprocess.Popen(
                argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        print(f"  started granian (pid {self.process.pid}) on {self.url}", flush=True)
        self._wait_ready()

    def _wait_ready(self, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise ServerError(f"granian exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                status, _ = self.get("/healthz")
            except OSError:
                status = 0
            if status == 200:
                return
            time.sleep(0.2)
        raise ServerError(
            f"no answer on {self.url}/healthz in {timeout_s:.0f} s:\n{self.log_tail()}"
        )

    def get(self, path: str) -> tuple[int, bytes]:
        """One GET over loopback: status and body."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def cpu_per_request(self, paths: list[str], *, calls: int = 1000) -> dict[str, float]:
        """Microseconds of CPU per request for each path, the application called in a
        separate process with this portal's settings (bench/inprocess.py)."""
        argv = [sys.executable, "-m", "bench.inprocess", str(calls), *paths]
        try:
            out = subprocess.run(
                argv, cwd=ROOT, env=self._env, capture_output=True, text=True,
                check=False, timeout=300,
            )  # fmt: skip
        except subprocess.TimeoutExpired as exc:
            raise ServerError("the in-process measurement took over 5 minutes") from exc
        if out.returncode != 0:
            tail = "\n".join(out.stderr.splitlines()[-20:])
            raise ServerError(f"the in-process measurement failed for {paths}:\n{tail}")
        return {path: float(us) for path, us in json.loads(out.stdout).items()}

    def log_tail(self, lines: int = 40) -> str:
        if not self._log or not self._log.exists():
            return ""
        with self._log.open("rb") as f:
            f.seek(max(0, self._log.stat().st_size - 64_000))
            return "\n".join(f.read().decode(errors="replace").splitlines()[-lines:])

    def last_error(self) -> str:
        """The last exception line the server logged (`ValueError: ...`), if any."""
        for line in reversed(self.log_tail(200).splitlines()):
            if _EXCEPTION_LINE.match(line):
                return line.strip()
        return ""

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        if process is not None:
            # Any worker left behind in the session started for this server.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    def __enter__(self) -> Portal:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
