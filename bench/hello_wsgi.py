"""The WSGI application benchmarks serve: the portal exactly as `uslugi.wsgi` builds it,
with `ROOT_URLCONF` swapped for bench/urls.py (the portal's URLs plus a Django hello-world
view), and in front of it a bare WSGI hello-world that never enters Django: the server's
own ceiling on this machine."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uslugi.settings")

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from bench.server import RAW_PATH

_RAW_BODY = b"Hello, world!\n"
_RAW_HEADERS = [
    ("Content-Type", "text/plain; charset=utf-8"),
    ("Content-Length", str(len(_RAW_BODY))),
]

# Loads uslugi.settings, then points the resolver at the bench URLs before any request.
settings.ROOT_URLCONF = "bench.urls"
portal = get_wsgi_application()


def application(
    environ: dict[str, Any], start_response: Callable[[str, list[tuple[str, str]]], Any]
) -> Iterable[bytes]:
    if environ.get("PATH_INFO") == RAW_PATH:
        start_response("200 OK", _RAW_HEADERS)
        return [_RAW_BODY]
    return portal(environ, start_response)
