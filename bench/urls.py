"""The portal's URLs plus a hello-world view, so the baseline goes through exactly the
middleware, resolver and server that the measured pages do."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from bench.server import HELLO_PATH
from uslugi import urls as portal


def hello(request: HttpRequest) -> HttpResponse:
    """The least a Django view can do: no template, no database."""
    return HttpResponse(b"Hello, world!\n", content_type="text/plain; charset=utf-8")


urlpatterns = [path(HELLO_PATH.lstrip("/"), hello, name="bench-hello"), *portal.urlpatterns]

handler400 = portal.handler400
handler403 = portal.handler403
handler404 = portal.handler404
handler500 = portal.handler500
