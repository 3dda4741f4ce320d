"""`python -m bench.inprocess CALLS PATH...`: CPU time per request of the benchmark WSGI
application called in this process, with no server and no network, printed as JSON
(microseconds by path). Process CPU time barely moves when other programs load the
machine, so this is the steadier figure beside wrk's requests/s. Run by the suites in the
environment of a prepared portal (bench/server.py: `Portal.cpu_per_request`)."""

from __future__ import annotations

import io
import json
import sys
import time
from typing import Any


def _environ(path: str) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def main(argv: list[str]) -> int:
    from bench.hello_wsgi import application

    calls, paths = int(argv[0]), argv[1:]
    statuses: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        statuses.append(status)

    def call(path: str) -> None:
        body = application(_environ(path), start_response)
        b"".join(body)
        close = getattr(body, "close", None)
        if close:
            close()

    result: dict[str, float] = {}
    for path in paths:
        for _ in range(min(calls, 200)):  # warm caches: templates, translations, URLs
            call(path)
        best = float("inf")
        for _ in range(3):
            statuses.clear()
            started = time.process_time()
            for _ in range(calls):
                call(path)
            best = min(best, (time.process_time() - started) / calls)
            if any(not s.startswith("200") for s in statuses):
                print(f"{path} answered {statuses[-1]}", file=sys.stderr)
                return 1
        result[path] = best * 1_000_000
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
